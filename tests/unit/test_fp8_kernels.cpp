// FP8 bulk kernels (ual/fp8_kernels.hpp) against the scalar contract: every instruction-set path must give, element
// for element, encode(float(x) * scale) / decode(code) * scale_inv, and the input's amax with fmaxf semantics
// (NaN ignored), for every length (vector tails), alignment, format, overflow mode, scale and thread count. The
// expected values are computed here from ual::fp8::encode / decode directly, not from the library's scalar path.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"

namespace ual::fp8 {
namespace {

constexpr Format kFormats[] = {Format::e4m3, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz};
constexpr Overflow kOverflows[] = {Overflow::saturate, Overflow::nonfinite};
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

float widen(float x) { return x; }
float widen(bfloat16 x) { return to_float(x); }
float widen(float16 x) { return to_float(x); }

std::uint32_t bits_of(float x) { return std::bit_cast<std::uint32_t>(x); }

template <class T>
std::vector<std::uint8_t> expected_codes(std::span<const T> in, float scale, Format f, Overflow o) {
  std::vector<std::uint8_t> out(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = encode(widen(in[i]) * scale, f, o);
  return out;
}

// Transformer Engine: max = fmaxf(fabsf(x), max) from 0, where CUDA's fmaxf ignores every NaN, signalling ones
// too (glibc's std::fmax does not: it returns NaN for a signalling NaN, so it cannot be the reference here).
template <class T>
float expected_amax(std::span<const T> in) {
  float amax = 0.0f;
  for (const T& x : in) {
    const float a = std::fabs(widen(x));
    if (!std::isnan(a) && a > amax) amax = a;
  }
  return amax;
}

std::string describe(Format f, Overflow o, float scale, std::size_t n) {
  return std::string(format_info(f).name) + (o == Overflow::saturate ? " saturate" : " nonfinite") +
         " scale=" + std::to_string(scale) + " n=" + std::to_string(n);
}

// Index of the first difference, or -1.
template <class A, class B>
long first_mismatch(const A& a, const B& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return long(i);
  }
  return -1;
}

// Float inputs that exercise every branch: raw bit patterns (NaNs with payloads, Inf, float subnormals), values
// spread over the fp8 ranges, exact ties between neighbouring codes of every format and their float neighbours.
std::vector<float> adversarial_floats(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> ties;
  for (Format f : kFormats) {
    for (int c = 0; c < 0x7F; ++c) {
      const float lo = decode(std::uint8_t(c), f);
      const float hi = decode(std::uint8_t(c + 1), f);
      if (!std::isfinite(lo)) continue;
      const float top = std::isfinite(hi) ? hi : lo + (lo - decode(std::uint8_t(c - 1), f));
      ties.push_back(float((double(lo) + double(top)) / 2));
    }
  }
  std::vector<float> out(n);
  std::uniform_int_distribution<std::uint32_t> any_bits;
  std::uniform_real_distribution<float> log2_range(-30.0f, 20.0f);
  std::uniform_int_distribution<int> kind(0, 9);
  for (float& x : out) {
    const int k = kind(rng);
    if (k <= 2) {
      x = std::bit_cast<float>(any_bits(rng));
    } else if (k <= 6) {
      x = std::exp2(log2_range(rng));
    } else if (k == 7) {
      x = ties[any_bits(rng) % ties.size()];
    } else if (k == 8) {
      const float t = ties[any_bits(rng) % ties.size()];
      x = std::bit_cast<float>(bits_of(t) + (any_bits(rng) % 5) - 2);  // ties and +-2 ulp
    } else {
      constexpr float kSpecial[] = {0.0f, kInf, kNan, 448.0f, 464.0f, 480.0f, 57344.0f, 61440.0f, 240.0f,
                                    248.0f, 1e-45f, 1.17549435e-38f, 0x1p-10f, 0x1p-17f, 0x1p-18f};
      x = kSpecial[any_bits(rng) % std::size(kSpecial)];
    }
    if (any_bits(rng) & 1) x = -x;
  }
  return out;
}

template <class T>
std::vector<T> random_16bit(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<unsigned> dist(0, 0xFFFF);
  std::vector<T> out(n);
  for (T& x : out) x.bits = std::uint16_t(dist(rng));
  return out;
}

template <class T>
std::vector<T> all_16bit_patterns() {
  std::vector<T> out(65536);
  for (unsigned i = 0; i < 65536; ++i) out[i].bits = std::uint16_t(i);
  return out;
}

KernelOptions with(Isa isa, Overflow o = Overflow::saturate, unsigned threads = 1) {
  KernelOptions options;
  options.isa = isa;
  options.overflow = o;
  options.threads = threads;
  return options;
}

// Runs quantize on `in` (placed at an element offset inside a larger buffer, output at a byte offset) and checks
// codes and amax against the contract.
template <class T>
void check_quantize(Isa isa, std::span<const T> in, float scale, Format f, Overflow o, unsigned threads = 1,
                    std::size_t in_offset = 0, std::size_t out_offset = 0) {
  std::vector<T> in_buffer(in.size() + in_offset);
  std::copy(in.begin(), in.end(), in_buffer.begin() + std::ptrdiff_t(in_offset));
  std::vector<std::uint8_t> out_buffer(in.size() + out_offset + 1, 0xA5);
  const std::span<const T> input(in_buffer.data() + in_offset, in.size());
  const std::span<std::uint8_t> output(out_buffer.data() + out_offset, in.size());
  const auto amax = quantize(input, scale, f, output, with(isa, o, threads));
  const std::string what = std::string(to_string(isa)) + " " + describe(f, o, scale, in.size()) +
                           " threads=" + std::to_string(threads);
  ASSERT_TRUE(amax.ok()) << what << ": " << amax.error().message;
  const auto expected = expected_codes(input, scale, f, o);
  const long bad = first_mismatch(output, expected);
  ASSERT_EQ(bad, -1) << what << ": element " << bad << " input bits 0x" << std::hex
                     << bits_of(widen(input[std::size_t(bad)])) << " got 0x" << int(output[std::size_t(bad)])
                     << " expected 0x" << int(expected[std::size_t(bad)]);
  EXPECT_EQ(bits_of(*amax), bits_of(expected_amax(input))) << what;
  EXPECT_EQ(out_buffer.back(), 0xA5) << what << ": wrote past the output";
  for (std::size_t i = 0; i < out_offset; ++i) EXPECT_EQ(out_buffer[i], 0xA5) << what << ": wrote before the output";
}

class Fp8KernelsIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!isa_supported(GetParam())) {
      GTEST_SKIP() << to_string(GetParam()) << " is compiled in but this CPU does not have it (detected: "
                   << to_string(detected_isa()) << "), so its path cannot run here";
    }
  }
  Isa isa() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Fp8Kernels, Fp8KernelsIsa, ::testing::Values(Isa::scalar, Isa::avx2, Isa::avx512),
                         [](const ::testing::TestParamInfo<Isa>& info) { return std::string(to_string(info.param)); });

constexpr float kScales[] = {1.0f, 0.5f, 3.7f, 1.0f / 3.0f, 0x1p-10f, 1e30f, -2.0f, 0.0f};

TEST_P(Fp8KernelsIsa, QuantizeFloatMatchesEncode) {
  const auto data = adversarial_floats(4099, 1);
  for (Format f : kFormats) {
    for (Overflow o : kOverflows) {
      for (float scale : kScales) check_quantize<float>(isa(), data, scale, f, o);
    }
  }
}

// Real tensors: normal-ish values, scaled so the largest lands near the format's max (the vector kernels' common
// path), with a sprinkling of zeros (ReLU) and values that underflow to subnormals.
TEST_P(Fp8KernelsIsa, QuantizeRealisticTensors) {
  std::mt19937 rng(13);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> data(100003);
  for (float& x : data) x = normal(rng);
  for (std::size_t i = 0; i < data.size(); i += 97) data[i] = 0.0f;
  for (std::size_t i = 5; i < data.size(); i += 1013) data[i] = 1e-5f;
  std::vector<bfloat16> bf16(data.size());
  std::vector<float16> f16(data.size());
  for (std::size_t i = 0; i < data.size(); ++i) {
    bf16[i] = to_bfloat16(data[i]);
    f16[i] = to_float16(data[i]);
  }
  for (Format f : kFormats) {
    const float scale = format_info(f).max / 5.0f;
    for (Overflow o : kOverflows) {
      check_quantize<float>(isa(), data, scale, f, o);
      check_quantize<bfloat16>(isa(), bf16, scale, f, o);
      check_quantize<float16>(isa(), f16, scale, f, o);
    }
  }
}

TEST_P(Fp8KernelsIsa, QuantizeInfinityScaleAndSubnormalScale) {
  const auto data = adversarial_floats(1000, 2);
  for (Format f : kFormats) {
    for (Overflow o : kOverflows) {
      for (float scale : {kInf, -kInf, 1e-40f, std::numeric_limits<float>::max()}) {
        check_quantize<float>(isa(), data, scale, f, o);
      }
    }
  }
}

TEST_P(Fp8KernelsIsa, QuantizeEveryTieAndItsNeighbours) {
  // For every pair of neighbouring codes (and past the largest finite one), the exact midpoint and the floats
  // within 3 ulps of it, both signs.
  for (Format f : kFormats) {
    std::vector<float> points;
    for (int c = 0; c < 0x7F; ++c) {
      const float lo = decode(std::uint8_t(c), f);
      float hi = decode(std::uint8_t(c + 1), f);
      if (!std::isfinite(lo)) continue;
      if (!std::isfinite(hi)) hi = lo + (lo - decode(std::uint8_t(c - 1), f));
      const float mid = float((double(lo) + double(hi)) / 2);
      for (int d = -3; d <= 3; ++d) {
        for (float base : {mid, lo}) {
          const float x = std::bit_cast<float>(bits_of(base) + std::uint32_t(d));
          points.push_back(x);
          points.push_back(-x);
        }
      }
    }
    for (Overflow o : kOverflows) check_quantize<float>(isa(), points, 1.0f, f, o);
  }
}

TEST_P(Fp8KernelsIsa, QuantizeStridedSweepOfAllFloatBitPatterns) {
  // Every exponent and sign, every 65537th pattern (a prime-ish stride that visits all mantissa residues).
  std::vector<float> data;
  for (std::uint64_t b = 0; b < (std::uint64_t{1} << 32); b += 65537) data.push_back(std::bit_cast<float>(std::uint32_t(b)));
  for (Format f : kFormats) {
    for (Overflow o : kOverflows) check_quantize<float>(isa(), data, 1.0f, f, o);
  }
}

TEST_P(Fp8KernelsIsa, QuantizeSpecialValues) {
  const std::vector<float> specials = {0.0f, -0.0f, kInf, -kInf, kNan, -kNan,
                                       std::bit_cast<float>(0x7F800001U),   // signalling NaN
                                       std::bit_cast<float>(0xFFC12345U),   // negative NaN with payload
                                       std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                                       std::numeric_limits<float>::min(), std::numeric_limits<float>::max(),
                                       -std::numeric_limits<float>::max(), 1e-30f, -1e-30f, 1e30f, -1e30f,
                                       448.0f, 449.0f, 464.0f, 464.00003f, -464.0f, 57344.0f, 61439.996f, 61440.0f,
                                       240.0f, 247.99998f, 248.0f, 0x1p-9f, 0x1p-10f, 0x1.000002p-10f, 0x1p-16f,
                                       0x1p-17f, 0x1.8p-17f, -0x1p-18f};
  for (Format f : kFormats) {
    for (Overflow o : kOverflows) {
      for (float scale : {1.0f, 2.0f, 0.0f}) check_quantize<float>(isa(), specials, scale, f, o);
    }
  }
}

TEST_P(Fp8KernelsIsa, QuantizeAllBfloat16Patterns) {
  const auto data = all_16bit_patterns<bfloat16>();
  for (Format f : kFormats) {
    for (Overflow o : kOverflows) {
      for (float scale : {1.0f, 0.25f, 3.0f}) check_quantize<bfloat16>(isa(), data, scale, f, o);
      // scale 1: also the contract's own 16-bit overload (cuda_fp8.h __nv_cvt_bfloat16raw_to_fp8).
      std::vector<std::uint8_t> out(data.size());
      ASSERT_TRUE(quantize(std::span<const bfloat16>(data), 1.0f, f, out, with(isa(), o)).ok());
      for (std::size_t i = 0; i < data.size(); ++i) ASSERT_EQ(out[i], encode(data[i], f, o)) << i;
    }
  }
}

TEST_P(Fp8KernelsIsa, QuantizeAllFloat16Patterns) {
  const auto data = all_16bit_patterns<float16>();
  for (Format f : kFormats) {
    for (Overflow o : kOverflows) {
      for (float scale : {1.0f, 0.25f, 3.0f}) check_quantize<float16>(isa(), data, scale, f, o);
      std::vector<std::uint8_t> out(data.size());
      ASSERT_TRUE(quantize(std::span<const float16>(data), 1.0f, f, out, with(isa(), o)).ok());
      for (std::size_t i = 0; i < data.size(); ++i) ASSERT_EQ(out[i], encode(data[i], f, o)) << i;
    }
  }
}

TEST_P(Fp8KernelsIsa, QuantizeTailsAndMisalignment) {
  // Lengths around every vector width (8, 16 lanes; blocks of 32, 64), one element / one byte off alignment.
  const auto floats = adversarial_floats(1000003, 3);
  const auto bf16 = random_16bit<bfloat16>(1000003, 4);
  const auto f16 = random_16bit<float16>(1000003, 5);
  for (std::size_t n : {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 1000}) {
    for (std::size_t in_offset : {0, 1}) {
      for (std::size_t out_offset : {0, 1}) {
        for (Format f : kFormats) {
          for (Overflow o : kOverflows) {
            check_quantize<float>(isa(), std::span(floats).first(n), 1.5f, f, o, 1, in_offset, out_offset);
            check_quantize<bfloat16>(isa(), std::span(bf16).first(n), 1.5f, f, o, 1, in_offset, out_offset);
            check_quantize<float16>(isa(), std::span(f16).first(n), 1.5f, f, o, 1, in_offset, out_offset);
          }
        }
      }
    }
  }
  // One large odd length per input type, misaligned, every format (saturate: the Transformer Engine default).
  for (Format f : kFormats) {
    check_quantize<float>(isa(), floats, 0.75f, f, Overflow::saturate, 1, 1, 1);
    check_quantize<bfloat16>(isa(), bf16, 0.75f, f, Overflow::nonfinite, 1, 1, 1);
    check_quantize<float16>(isa(), f16, 0.75f, f, Overflow::saturate, 1, 1, 1);
  }
}

TEST_P(Fp8KernelsIsa, QuantizeThreadedEqualsSingleThread) {
  const auto floats = adversarial_floats(1000003, 6);
  const auto bf16 = random_16bit<bfloat16>(100003, 7);
  for (unsigned threads : {0U, 2U, 3U, 7U, 64U}) {
    check_quantize<float>(isa(), floats, 2.0f, Format::e4m3, Overflow::saturate, threads, 1, 1);
    check_quantize<float>(isa(), std::span(floats).first(1000), 2.0f, Format::e5m2, Overflow::nonfinite, threads);
    check_quantize<bfloat16>(isa(), bf16, 0.5f, Format::e4m3fnuz, Overflow::saturate, threads);
  }
}

// Where the largest magnitude sits in the last element of a chunk / tail, amax must still see it.
TEST_P(Fp8KernelsIsa, AmaxFollowsTransformerEngine) {
  auto amax_of = [&](std::vector<float> v, unsigned threads = 1) {
    std::vector<std::uint8_t> out(v.size());
    auto r = quantize(std::span<const float>(v), 1.0f, Format::e4m3, out, with(isa(), Overflow::saturate, threads));
    EXPECT_TRUE(r.ok());
    return r.value_or(-1.0f);
  };
  EXPECT_EQ(amax_of({}), 0.0f);
  EXPECT_EQ(amax_of({kNan, -kNan}), 0.0f);                        // fmaxf ignores NaN
  EXPECT_EQ(amax_of({1.0f, kNan, -3.0f, 2.0f}), 3.0f);
  EXPECT_EQ(amax_of({1.0f, -kInf, kNan}), kInf);
  EXPECT_EQ(amax_of({2.0f, std::bit_cast<float>(0x7F800001U), 1.0f}), 2.0f);  // signalling NaN: ignored too
  EXPECT_EQ(bits_of(amax_of({-0.0f, -0.0f})), 0U);                 // fabsf: +0
  EXPECT_EQ(amax_of({-1e-45f}), 1e-45f);                           // float subnormals count
  std::vector<float> v(1000, 1.0f);
  for (std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{63}, std::size_t{64}, std::size_t{999}}) {
    std::vector<float> w = v;
    w[at] = -700.0f;
    EXPECT_EQ(amax_of(w), 700.0f) << at;
    EXPECT_EQ(amax_of(w, 3), 700.0f) << at;
  }
}

void check_dequantize(Isa isa, std::span<const std::uint8_t> in, float scale_inv, Format f, unsigned threads = 1,
                      std::size_t in_offset = 0, std::size_t out_offset = 0) {
  const std::string what = std::string(to_string(isa)) + " " + format_info(f).name + " scale_inv=" +
                           std::to_string(scale_inv) + " n=" + std::to_string(in.size());
  std::vector<std::uint8_t> in_buffer(in.size() + in_offset);
  std::copy(in.begin(), in.end(), in_buffer.begin() + std::ptrdiff_t(in_offset));
  const std::span<const std::uint8_t> input(in_buffer.data() + in_offset, in.size());
  {
    std::vector<float> out_buffer(in.size() + out_offset + 1, 1234.5f);
    const std::span<float> output(out_buffer.data() + out_offset, in.size());
    const auto status = dequantize(input, scale_inv, f, output, with(isa, Overflow::saturate, threads));
    ASSERT_TRUE(status.ok()) << what << ": " << status.error().message;
    for (std::size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(bits_of(output[i]), bits_of(decode(input[i], f) * scale_inv))
          << what << " code 0x" << std::hex << int(input[i]);
    }
    EXPECT_EQ(out_buffer.back(), 1234.5f) << what;
  }
  {
    std::vector<bfloat16> out_buffer(in.size() + out_offset + 1, bfloat16{0x1234});
    const std::span<bfloat16> output(out_buffer.data() + out_offset, in.size());
    const auto status = dequantize(input, scale_inv, f, output, with(isa, Overflow::saturate, threads));
    ASSERT_TRUE(status.ok()) << what << ": " << status.error().message;
    for (std::size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(output[i].bits, to_bfloat16(decode(input[i], f) * scale_inv).bits)
          << what << " bf16 code 0x" << std::hex << int(input[i]);
    }
    EXPECT_EQ(out_buffer.back().bits, 0x1234) << what;
  }
}

TEST_P(Fp8KernelsIsa, DequantizeEveryCodeMatchesDecode) {
  std::vector<std::uint8_t> codes(256 * 3);
  for (std::size_t i = 0; i < codes.size(); ++i) codes[i] = std::uint8_t(i * 7 + i / 256);  // all codes, shuffled
  for (Format f : kFormats) {
    for (float scale_inv : {1.0f, 0.5f, 1.0f / 448.0f, 3.3f, -1.0f, 0.0f, 1e-40f, 1e38f, 1e30f, kInf,
                            0x1.fffffep-1f, std::numeric_limits<float>::max()}) {
      check_dequantize(isa(), codes, scale_inv, f);
    }
  }
}

TEST_P(Fp8KernelsIsa, DequantizeTailsMisalignmentAndThreads) {
  std::mt19937 rng(8);
  std::vector<std::uint8_t> codes(1000003);
  for (auto& c : codes) c = std::uint8_t(rng());
  for (std::size_t n : {0, 1, 7, 31, 33, 63, 65, 1000}) {
    for (Format f : kFormats) check_dequantize(isa(), std::span(codes).first(n), 0.75f, f, 1, 1, 1);
  }
  for (Format f : kFormats) check_dequantize(isa(), codes, 2.5f, f, 1, 1, 1);
  for (unsigned threads : {0U, 2U, 3U}) check_dequantize(isa(), codes, 1.25f, Format::e5m2, threads);
}

// cast_transpose against quantize (through the scalar reference path) plus an explicit transpose.
template <class T>
void check_cast_transpose(Isa isa, std::span<const T> in, std::size_t rows, std::size_t cols, float scale, Format f,
                          Overflow o, unsigned threads = 1) {
  const std::string what = std::string(to_string(isa)) + " " + std::to_string(rows) + "x" + std::to_string(cols) +
                           " " + describe(f, o, scale, in.size()) + " threads=" + std::to_string(threads);
  std::vector<std::uint8_t> rowwise(rows * cols + 1, 0xA5), columnwise(rows * cols + 1, 0xA5);
  const auto amax = cast_transpose(in, rows, cols, scale, f, std::span(rowwise).first(rows * cols),
                                   std::span(columnwise).first(rows * cols), with(isa, o, threads));
  ASSERT_TRUE(amax.ok()) << what << ": " << amax.error().message;
  std::vector<std::uint8_t> expected(rows * cols);
  const auto reference = quantize(in, scale, f, expected, with(Isa::scalar, o));
  ASSERT_TRUE(reference.ok());
  ASSERT_EQ(expected, expected_codes(in, scale, f, o)) << what;
  EXPECT_EQ(bits_of(*amax), bits_of(*reference)) << what;
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      ASSERT_EQ(rowwise[r * cols + c], expected[r * cols + c]) << what << " rowwise (" << r << ", " << c << ")";
      ASSERT_EQ(columnwise[c * rows + r], expected[r * cols + c]) << what << " columnwise (" << c << ", " << r << ")";
    }
  }
  EXPECT_EQ(rowwise.back(), 0xA5) << what;
  EXPECT_EQ(columnwise.back(), 0xA5) << what;
}

struct Shape {
  std::size_t rows, cols;
};

TEST_P(Fp8KernelsIsa, CastTransposeMatchesQuantizeAndTranspose) {
  const auto floats = adversarial_floats(1024 * 768, 9);
  const auto bf16 = random_16bit<bfloat16>(1024 * 768, 10);
  const auto f16 = random_16bit<float16>(1024 * 768, 11);
  // Vector kernels work in bands of 64 rows x up to 4096 columns, 16 x 16 blocks inside: shapes on and off every
  // one of those boundaries.
  const Shape shapes[] = {{1, 1}, {3, 5}, {5, 3}, {1, 1000}, {1000, 1}, {16, 16}, {17, 15}, {64, 64}, {65, 63},
                          {127, 129}, {128, 128}, {200, 48}, {2, 9000}, {65, 4100}};
  for (const Shape& s : shapes) {
    const std::size_t n = s.rows * s.cols;
    for (Format f : kFormats) {
      for (Overflow o : kOverflows) {
        check_cast_transpose<float>(isa(), std::span(floats).first(n), s.rows, s.cols, 1.5f, f, o);
      }
      check_cast_transpose<bfloat16>(isa(), std::span(bf16).first(n), s.rows, s.cols, 0.5f, f, Overflow::saturate);
      check_cast_transpose<float16>(isa(), std::span(f16).first(n), s.rows, s.cols, 2.0f, f, Overflow::nonfinite);
    }
  }
  check_cast_transpose<float>(isa(), floats, 1024, 768, 1.0f, Format::e4m3, Overflow::saturate);
  check_cast_transpose<bfloat16>(isa(), bf16, 1024, 768, 0.25f, Format::e5m2, Overflow::saturate);
  check_cast_transpose<float16>(isa(), f16, 768, 1024, 3.0f, Format::e4m3fnuz, Overflow::nonfinite);
}

TEST_P(Fp8KernelsIsa, CastTransposeThreadedEqualsSingleThread) {
  const auto floats = adversarial_floats(1024 * 768, 12);
  for (unsigned threads : {0U, 2U, 3U, 5U}) {
    check_cast_transpose<float>(isa(), floats, 1024, 768, 1.0f, Format::e4m3, Overflow::saturate, threads);
    check_cast_transpose<float>(isa(), std::span(floats).first(127 * 129), 127, 129, 1.0f, Format::e5m2,
                                Overflow::nonfinite, threads);
    check_cast_transpose<float>(isa(), std::span(floats).first(1000), 1000, 1, 1.0f, Format::e5m2fnuz,
                                Overflow::saturate, threads);
  }
}

// ---- errors, dispatch ----

TEST(Fp8KernelsErrors, OutputSizeMismatchNamesOperandAndSizes) {
  std::vector<float> in(10);
  std::vector<std::uint8_t> out(9);
  const auto r = quantize(std::span<const float>(in), 1.0f, Format::e4m3, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("output has 9"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("input has 10"), std::string::npos) << r.error().message;

  std::vector<float> deq(11);
  const auto d = dequantize(out, 1.0f, Format::e5m2, deq);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("output has 11"), std::string::npos) << d.error().message;
}

TEST(Fp8KernelsErrors, CastTransposeShapeErrorsNameTheOperand) {
  std::vector<float> in(15);
  std::vector<std::uint8_t> a(15), b(15), small(14);
  auto r = cast_transpose(std::span<const float>(in), 3, 4, 1.0f, Format::e4m3, a, b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("input has 15 elements but rows * cols = 3 * 4 = 12"), std::string::npos)
      << r.error().message;
  r = cast_transpose(std::span<const float>(in), 3, 5, 1.0f, Format::e4m3, small, b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("rowwise has 14"), std::string::npos) << r.error().message;
  r = cast_transpose(std::span<const float>(in), 3, 5, 1.0f, Format::e4m3, a, small);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("columnwise has 14"), std::string::npos) << r.error().message;
  const std::size_t huge = std::size_t{1} << 40;
  r = cast_transpose(std::span<const float>(in), huge, huge, 1.0f, Format::e4m3, a, b);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("does not fit"), std::string::npos) << r.error().message;
  r = cast_transpose(std::span<const float>(in), 3, 5, 1.0f, Format::e4m3, a, a);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("rowwise and columnwise overlap"), std::string::npos) << r.error().message;
}

TEST(Fp8KernelsErrors, OverlappingBuffersAreRejectedBeforeAnyWrite) {
  std::vector<float> storage(64, 1.0f);
  const std::span<const float> in(storage.data(), 16);
  const std::span<std::uint8_t> out(reinterpret_cast<std::uint8_t*>(storage.data()) + 8, 16);
  const auto r = quantize(in, 1.0f, Format::e4m3, out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("input and output overlap"), std::string::npos) << r.error().message;
  EXPECT_EQ(storage[2], 1.0f);  // untouched
  // Adjacent but disjoint is fine.
  const std::span<std::uint8_t> after(reinterpret_cast<std::uint8_t*>(storage.data() + 16), 16);
  EXPECT_TRUE(quantize(in, 1.0f, Format::e4m3, after).ok());

  std::vector<float> deq_storage(16);
  const std::span<const std::uint8_t> codes(reinterpret_cast<const std::uint8_t*>(deq_storage.data()) + 4, 8);
  const auto d = dequantize(codes, 1.0f, Format::e4m3, std::span<float>(deq_storage.data(), 8));
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("overlap"), std::string::npos);

  std::vector<float> ct(16);
  std::vector<std::uint8_t> rowwise(16);
  const auto c = cast_transpose(std::span<const float>(ct), 4, 4, 1.0f, Format::e4m3, rowwise,
                                std::span(reinterpret_cast<std::uint8_t*>(ct.data()) + 32, 16));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("input and columnwise overlap"), std::string::npos) << c.error().message;
}

TEST(Fp8KernelsErrors, NanScaleIsRejectedOtherScalesAreDefined) {
  std::vector<float> in = {1.0f, -2.0f, 3.0f};
  std::vector<std::uint8_t> out(3);
  const auto r = quantize(std::span<const float>(in), kNan, Format::e4m3, out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("scale is NaN"), std::string::npos) << r.error().message;
  std::vector<float> deq(3);
  const auto d = dequantize(out, -kNan, Format::e4m3, deq);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("scale_inv is NaN"), std::string::npos) << d.error().message;
  // Transformer Engine takes any scale: zero, negative and infinite ones give the IEEE products.
  for (float scale : {0.0f, -1.0f, kInf}) {
    const auto ok = quantize(std::span<const float>(in), scale, Format::e5m2, out);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(*ok, 3.0f);
    for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], encode(in[i] * scale, Format::e5m2));
  }
}

TEST(Fp8KernelsErrors, ZeroSizeTensorsAreFine) {
  for (Isa isa : {Isa::automatic, Isa::scalar}) {
    const auto q = quantize(std::span<const float>(), 1.0f, Format::e4m3, std::span<std::uint8_t>(), with(isa));
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(*q, 0.0f);
    EXPECT_TRUE(dequantize(std::span<const std::uint8_t>(), 1.0f, Format::e4m3, std::span<float>()).ok());
    for (Shape s : {Shape{0, 0}, Shape{0, 7}, Shape{7, 0}}) {
      const auto c = cast_transpose(std::span<const bfloat16>(), s.rows, s.cols, 1.0f, Format::e5m2,
                                    std::span<std::uint8_t>(), std::span<std::uint8_t>(), with(isa));
      ASSERT_TRUE(c.ok()) << c.error().message;
      EXPECT_EQ(*c, 0.0f);
    }
  }
}

TEST(Fp8KernelsErrors, InvalidEnumValuesAreErrors) {
  std::vector<float> in(4);
  std::vector<std::uint8_t> out(4);
  auto r = quantize(std::span<const float>(in), 1.0f, static_cast<Format>(9), out);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("format"), std::string::npos);
  KernelOptions options;
  options.overflow = static_cast<Overflow>(5);
  r = quantize(std::span<const float>(in), 1.0f, Format::e4m3, out, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("options.overflow"), std::string::npos);
  options = {};
  options.isa = static_cast<Isa>(42);
  r = quantize(std::span<const float>(in), 1.0f, Format::e4m3, out, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("options.isa"), std::string::npos);
}

TEST(Fp8KernelsDispatch, DetectedIsaIsSupportedAndNamed) {
  const Isa best = detected_isa();
  EXPECT_NE(best, Isa::automatic);
  EXPECT_TRUE(isa_supported(best));
  EXPECT_TRUE(isa_supported(Isa::scalar));
  EXPECT_TRUE(isa_supported(Isa::automatic));
  if (isa_supported(Isa::avx512)) {
    EXPECT_TRUE(isa_supported(Isa::avx2));
  }
  EXPECT_STREQ(to_string(Isa::avx2), "avx2");
  EXPECT_STREQ(to_string(Isa::avx512), "avx512");
  EXPECT_GT(kernel_parallel_threshold_bytes(), 0U);
}

TEST(Fp8KernelsDispatch, ForcingAnIsaTheCpuLacksIsAnError) {
  std::vector<float> in(4, 1.0f);
  std::vector<std::uint8_t> out(4, 0x11);
  for (Isa isa : {Isa::avx2, Isa::avx512}) {
    if (isa_supported(isa)) continue;
    const auto r = quantize(std::span<const float>(in), 1.0f, Format::e4m3, out, with(isa));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::unavailable);
    EXPECT_NE(r.error().message.find(to_string(isa)), std::string::npos) << r.error().message;
    EXPECT_EQ(out[0], 0x11);
    std::vector<float> deq(4);
    EXPECT_FALSE(dequantize(out, 1.0f, Format::e4m3, deq, with(isa)).ok());
  }
  if (isa_supported(Isa::avx512)) GTEST_SKIP() << "this CPU has every ISA; nothing to refuse";
}

}  // namespace
}  // namespace ual::fp8
