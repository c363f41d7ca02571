// ual::fp8 scalar casts against NVIDIA's own conversions: the host paths of cuda_fp8.h / cuda_fp16.h / cuda_bf16.h
// (CUDA 13), compiled here with plain g++. Every comparison is bit-exact except that a NaN decode only has to be
// NaN. The CI tests cover structured inputs (every tie point, every boundary, all 16-bit inputs, a bit-pattern grid)
// and a fixed-seed random sample; DISABLED_AllFloats checks every one of the 2^32 floats (run it with
// --gtest_also_run_disabled_tests; it uses two threads).
#include <cuda_fp8.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "ual/fp8.hpp"

namespace ual::fp8 {
namespace {

float from_bits(std::uint32_t bits) { return std::bit_cast<float>(bits); }
std::uint32_t to_bits(float x) { return std::bit_cast<std::uint32_t>(x); }

constexpr Format kOcp[] = {Format::e4m3, Format::e5m2};
constexpr Overflow kModes[] = {Overflow::saturate, Overflow::nonfinite};
constexpr E8m0Rounding kE8m0Roundings[] = {E8m0Rounding::toward_zero, E8m0Rounding::up};

__nv_fp8_interpretation_t cuda_kind(Format f) { return f == Format::e4m3 ? __NV_E4M3 : __NV_E5M2; }
__nv_saturation_t cuda_saturation(Overflow o) { return o == Overflow::saturate ? __NV_SATFINITE : __NV_NOSAT; }
cudaRoundMode cuda_rounding(E8m0Rounding r) { return r == E8m0Rounding::up ? cudaRoundPosInf : cudaRoundZero; }

// Mismatch count plus the first few examples, so a broken build reports readably instead of with millions of
// assertion failures.
struct Report {
  std::uint64_t checked = 0;
  std::uint64_t mismatches = 0;
  std::vector<std::string> examples;

  void expect(bool ok, const char* what, std::uint32_t input, unsigned ours, unsigned cuda) {
    ++checked;
    if (ok) return;
    if (++mismatches <= 12) {
      char line[160];
      std::snprintf(line, sizeof line, "%s input 0x%08x (%.9g): ual 0x%x, cuda 0x%x", what, input,
                    double(from_bits(input)), ours, cuda);
      examples.emplace_back(line);
    }
  }
  void merge(const Report& other) {
    checked += other.checked;
    mismatches += other.mismatches;
    for (const auto& e : other.examples) {
      if (examples.size() < 12) examples.push_back(e);
    }
  }
  std::string summary() const {
    std::string s = std::to_string(mismatches) + " mismatches in " + std::to_string(checked) + " checks";
    for (const auto& e : examples) s += "\n  " + e;
    return s;
  }
};

// E5M2FNUZ (bias 16) and E4M3FNUZ (bias 8) have the OCP formats' fields with a bias one larger, so below the OCP
// formats' own top codes an FNUZ code for x is cuda's OCP code for 2x (exact scaling, so rounding commutes): a
// reference for the FNUZ formats wherever the ranges overlap. Limits: |2x| < 61440 (E5M2's overflow boundary) and
// |2x| <= 464 (E4M3's: 464 ties down to 448, as 232 ties down to 224 in E4M3FNUZ). Zero and NaN differ by design.
void check_fnuz_by_rescaling(std::uint32_t bits, Report& report) {
  const float x = from_bits(bits);
  if (!(std::fabs(x) > 0.0F)) return;  // zeros and NaN
  const float twice = 2.0F * x;
  struct Pair { Format fnuz; __nv_fp8_interpretation_t ocp; float limit; };
  for (const Pair p : {Pair{Format::e5m2fnuz, __NV_E5M2, 61440.0F}, Pair{Format::e4m3fnuz, __NV_E4M3, 464.0F}}) {
    const bool in_range = p.ocp == __NV_E5M2 ? std::fabs(twice) < p.limit : std::fabs(twice) <= p.limit;
    if (!in_range) continue;
    const unsigned cuda = __nv_cvt_float_to_fp8(twice, __NV_SATFINITE, p.ocp);
    const unsigned expected = (cuda & 0x7F) == 0 ? 0U : cuda;
    const unsigned ours = encode(x, p.fnuz, Overflow::saturate);
    report.expect(ours == expected, p.fnuz == Format::e5m2fnuz ? "e5m2fnuz~2x" : "e4m3fnuz~2x", bits, ours,
                  expected);
  }
}

// encode for both OCP formats and both overflow modes.
void check_encode(std::uint32_t bits, Report& report) {
  const float x = from_bits(bits);
  for (const Format f : kOcp) {
    for (const Overflow o : kModes) {
      const unsigned ours = encode(x, f, o);
      const unsigned cuda = __nv_cvt_float_to_fp8(x, cuda_saturation(o), cuda_kind(f));
      report.expect(ours == cuda, f == Format::e4m3 ? "encode e4m3" : "encode e5m2", bits, ours, cuda);
    }
  }
}

void check_e8m0(std::uint32_t bits, Report& report) {
  const float x = from_bits(bits);
  for (const E8m0Rounding r : kE8m0Roundings) {
    const unsigned ours = encode_e8m0(x, r);
    const unsigned cuda = __nv_cvt_float_to_e8m0(x, __NV_SATFINITE, cuda_rounding(r));
    report.expect(ours == cuda, r == E8m0Rounding::up ? "e8m0 up" : "e8m0 toward_zero", bits, ours, cuda);
  }
}

void check_16bit_rounding(std::uint32_t bits, Report& report) {
  const float x = from_bits(bits);
  const unsigned ours_bf16 = to_bfloat16(x).bits;
  const unsigned cuda_bf16 = __nv_bfloat16_raw(__float2bfloat16(x)).x;
  report.expect(ours_bf16 == cuda_bf16, "to_bfloat16", bits, ours_bf16, cuda_bf16);
  const unsigned ours_f16 = to_float16(x).bits;
  const unsigned cuda_f16 = __half_raw(__float2half_rn(x)).x;
  report.expect(ours_f16 == cuda_f16, "to_float16", bits, ours_f16, cuda_f16);
}

void check_everything(std::uint32_t bits, Report& report) {
  check_encode(bits, report);
  check_fnuz_by_rescaling(bits, report);
  check_e8m0(bits, report);
  check_16bit_rounding(bits, report);
}

// Every float whose low 13 bits are one of a few patterns: all exponents and signs, the top 10 mantissa bits in
// every combination, and low bits that sit on, just above and just below the rounding points of the 16-bit and
// 8-bit formats (3.1 million floats).
TEST(Fp8CudaOracle, BitPatternGrid) {
  Report report;
  for (std::uint32_t high = 0; high < (1U << 19); ++high) {
    for (const std::uint32_t low : {0x0U, 0x1U, 0x0FFFU, 0x1000U, 0x1001U, 0x1FFFU}) {
      check_everything((high << 13) | low, report);
    }
  }
  EXPECT_EQ(report.mismatches, 0U) << report.summary();
}

// Sanitizer builds (CI's address,undefined run) check memory safety, not numerics, and run ~10x slower: they take
// a tenth of the random sample; the optimized build runs all of it.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
constexpr int kSampleDivisor = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
constexpr int kSampleDivisor = 10;
#else
constexpr int kSampleDivisor = 1;
#endif
#else
constexpr int kSampleDivisor = 1;
#endif

// Runs body(thread_index, report) on two threads (CI has two cores) and merges the reports.
template <typename Body>
Report on_two_threads(Body body) {
  Report reports[2];
  std::thread other([&] { body(1, reports[1]); });
  body(0, reports[0]);
  other.join();
  reports[0].merge(reports[1]);
  return reports[0];
}

// 50 million fixed-seed random bit patterns (uniform over all floats) plus 25 million with the exponent drawn from
// FP8's neighbourhood (2^-24 .. 2^20), where uniform bit patterns rarely land. Each thread has its own seed, so the
// sample does not depend on scheduling.
TEST(Fp8CudaOracle, RandomSample) {
  const Report report = on_two_threads([](unsigned t, Report& r) {
    std::mt19937 rng(20230901U + t);
    for (int i = 0; i < 25'000'000 / kSampleDivisor; ++i) {
      const std::uint32_t bits = rng();
      check_encode(bits, r);
      if ((i & 3) == 0) check_e8m0(bits, r);
    }
    std::uniform_int_distribution<std::uint32_t> exponent(127 - 24, 127 + 20);
    for (int i = 0; i < 12'500'000 / kSampleDivisor; ++i) {
      const std::uint32_t bits = (rng() & 0x807FFFFFU) | (exponent(rng) << 23);
      check_encode(bits, r);
      check_fnuz_by_rescaling(bits, r);
    }
  });
  EXPECT_GE(report.checked, 4U * 75'000'000U / kSampleDivisor);
  EXPECT_EQ(report.mismatches, 0U) << report.summary();
}

// Every representable value of each OCP format, every midpoint between neighbours (including 0 / min subnormal and
// max / the first value past max, i.e. the overflow boundary), each +-1 and +-2 float ulps, both signs.
TEST(Fp8CudaOracle, EveryValueTiePointAndBoundary) {
  Report report;
  for (const Format f : kOcp) {
    const unsigned max_code = f == Format::e4m3 ? 0x7E : 0x7B;
    std::vector<double> values;
    for (unsigned c = 0; c <= max_code; ++c) values.push_back(decode(std::uint8_t(c), f));
    values.push_back(f == Format::e4m3 ? 480.0 : 65536.0);  // where the next code would be
    std::vector<float> points;
    for (std::size_t i = 0; i < values.size(); ++i) {
      points.push_back(float(values[i]));
      if (i + 1 < values.size()) points.push_back(float((values[i] + values[i + 1]) / 2));  // exact in float
    }
    for (const float p : points) {
      for (const float s : {p, -p}) {
        std::uint32_t b = to_bits(s);
        for (const std::uint32_t v : {b, b + 1, b + 2, b - 1, b - 2}) {
          if ((v & 0x7FFFFFFFU) <= 0x7F800000U) check_encode(v, report);
        }
      }
    }
  }
  EXPECT_GT(report.checked, 4000U);
  EXPECT_EQ(report.mismatches, 0U) << report.summary();
}

TEST(Fp8CudaOracle, SpecialValues) {
  Report report;
  const std::uint32_t specials[] = {
      0x00000000U, 0x80000000U, 0x7F800000U, 0xFF800000U,                                      // zeros, infinities
      0x7F800001U, 0x7F800100U, 0x7FA00000U, 0x7FC00000U, 0x7FC00001U, 0x7FE00000U, 0x7FFFFFFFU,  // NaNs
      0xFF800001U, 0xFFA00000U, 0xFFC00000U, 0xFFFFFFFFU, 0x7F7FFFFFU, 0xFF7FFFFFU,            // -NaNs, FLT_MAX
      0x00000001U, 0x80000001U, 0x007FFFFFU, 0x00800000U,                                      // float subnormals
      to_bits(448.0F), to_bits(464.0F), to_bits(480.0F), to_bits(1e6F), to_bits(57344.0F), to_bits(61440.0F),
      to_bits(65536.0F), to_bits(1e30F), to_bits(0x1p-9F), to_bits(0x1p-10F), to_bits(0x1p-16F),
      to_bits(0x1p-17F), to_bits(0x1p-6F), to_bits(0x1p-14F), to_bits(0x1.Cp-7F)};
  for (const std::uint32_t bits : specials) {
    for (const std::uint32_t v : {bits, bits ^ 0x80000000U}) check_everything(v, report);
  }
  EXPECT_EQ(report.mismatches, 0U) << report.summary();
  // What cuda does with NaN (documented in docs/FP8.md): the positive NaN 0x7F for both formats, any input sign.
  EXPECT_EQ(__nv_cvt_float_to_fp8(from_bits(0xFFC00000U), __NV_SATFINITE, __NV_E5M2), 0x7F);
  EXPECT_EQ(__nv_cvt_float_to_fp8(-INFINITY, __NV_NOSAT, __NV_E4M3), 0xFF);  // overflow NaN keeps the sign
}

TEST(Fp8CudaOracle, AllBfloat16AndHalfInputs) {
  Report report;
  for (std::uint32_t h = 0; h < 0x10000U; ++h) {
    const bfloat16 bf{std::uint16_t(h)};
    const float16 hf{std::uint16_t(h)};
    __nv_bfloat16_raw cuda_bf;
    cuda_bf.x = std::uint16_t(h);
    __half_raw cuda_hf;
    cuda_hf.x = std::uint16_t(h);
    for (const Format f : kOcp) {
      for (const Overflow o : kModes) {
        const unsigned ours_bf = encode(bf, f, o);
        const unsigned want_bf = __nv_cvt_bfloat16raw_to_fp8(cuda_bf, cuda_saturation(o), cuda_kind(f));
        report.expect(ours_bf == want_bf, "encode(bfloat16)", h, ours_bf, want_bf);
        const unsigned ours_hf = encode(hf, f, o);
        const unsigned want_hf = __nv_cvt_halfraw_to_fp8(cuda_hf, cuda_saturation(o), cuda_kind(f));
        report.expect(ours_hf == want_hf, "encode(float16)", h, ours_hf, want_hf);
      }
    }
    // Widening: exact, bit for bit (cuda's host half widening canonicalizes NaN, so NaN only has to stay NaN).
    const float cuda_bf_float = __bfloat162float(__nv_bfloat16(cuda_bf));
    const float cuda_hf_float = __half2float(__half(cuda_hf));
    report.expect(to_bits(to_float(bf)) == to_bits(cuda_bf_float), "to_float(bfloat16)", h, to_bits(to_float(bf)),
                  to_bits(cuda_bf_float));
    const bool hf_ok = std::isnan(cuda_hf_float) ? std::isnan(to_float(hf))
                                                 : to_bits(to_float(hf)) == to_bits(cuda_hf_float);
    report.expect(hf_ok, "to_float(float16)", h, to_bits(to_float(hf)), to_bits(cuda_hf_float));
  }
  EXPECT_EQ(report.mismatches, 0U) << report.summary();
}

TEST(Fp8CudaOracle, DecodeAllCodes) {
  for (const Format f : kOcp) {
    for (unsigned c = 0; c < 256; ++c) {
      const __half_raw half = __nv_cvt_fp8_to_halfraw(__nv_fp8_storage_t(c), cuda_kind(f));
      const float cuda = __half2float(__half(half));
      const float ours = decode(std::uint8_t(c), f);
      if (std::isnan(cuda)) {
        EXPECT_TRUE(std::isnan(ours)) << "code 0x" << std::hex << c;
      } else {
        EXPECT_EQ(to_bits(ours), to_bits(cuda)) << "code 0x" << std::hex << c << ": " << ours << " vs " << cuda;
      }
    }
  }
}

// E8M0: every bfloat16-like float (the high half, low half 0) and its neighbours, both roundings; all 256 codes
// decoded as cuda's e8m0 -> bfloat16 conversion does.
TEST(Fp8CudaOracle, E8m0) {
  Report report;
  for (std::uint32_t h = 0; h < 0x10000U; ++h) {
    for (const std::uint32_t low : {0x0U, 0x1U, 0x8000U, 0xFFFFU}) check_e8m0((h << 16) | low, report);
  }
  EXPECT_EQ(report.mismatches, 0U) << report.summary();
  for (unsigned c = 0; c < 256; ++c) {
    const float cuda = from_bits(std::uint32_t(__nv_cvt_e8m0_to_bf16raw(__nv_fp8_storage_t(c)).x) << 16);
    const float ours = decode_e8m0(std::uint8_t(c));
    if (c == 0xFF) {
      EXPECT_TRUE(std::isnan(cuda) && std::isnan(ours));
    } else {
      EXPECT_EQ(to_bits(ours), to_bits(cuda)) << "code " << c;
    }
  }
}

// All 2^32 floats, every check above (about 13 comparisons per float). Two threads; several minutes.
TEST(Fp8CudaOracle, DISABLED_AllFloats) {
  const Report total = on_two_threads([](unsigned t, Report& r) {
    const std::uint64_t half = std::uint64_t(1) << 31;
    for (std::uint64_t b = half * t; b < half * (t + 1); ++b) check_everything(std::uint32_t(b), r);
  });
  std::printf("all floats: %s\n", total.summary().c_str());
  EXPECT_EQ(total.mismatches, 0U) << total.summary();
}

}  // namespace
}  // namespace ual::fp8
