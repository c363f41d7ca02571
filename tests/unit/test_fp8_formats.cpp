// ual::fp8 formats from their definitions alone (no CUDA): every code's value computed here with std::ldexp, every
// round trip, every tie, zeros, NaN, infinity and overflow in both modes, and a brute-force nearest-value reference
// that encode() must agree with for all four formats. tests/oracle/ compares the OCP formats with cuda_fp8.h.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "ual/fp8.hpp"

namespace ual::fp8 {
namespace {

constexpr Format kAll[] = {Format::e4m3, Format::e5m2, Format::e4m3fnuz, Format::e5m2fnuz};
constexpr Overflow kModes[] = {Overflow::saturate, Overflow::nonfinite};

std::uint32_t to_bits(float x) { return std::bit_cast<std::uint32_t>(x); }
float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

struct Layout {
  int mantissa_bits;
  int bias;
  unsigned max_code;  // largest finite positive code
  bool fnuz;
};

Layout layout(Format f) {
  switch (f) {
    case Format::e4m3: return {3, 7, 0x7E, false};
    case Format::e5m2: return {2, 15, 0x7B, false};
    case Format::e4m3fnuz: return {3, 8, 0x7F, true};
    case Format::e5m2fnuz: return {2, 16, 0x7F, true};
  }
  return {};
}

// The value of a code as the format definitions give it (OCP OFP8 v1.0 section 4; for FNUZ the ONNX FP8 spec and
// arXiv:2206.02915): exponent field 0 is subnormal 0.m * 2^(1 - bias), otherwise 1.m * 2^(e - bias).
double definition_value(unsigned code, Format f) {
  const Layout l = layout(f);
  const unsigned magnitude = code & 0x7F;
  const int exp_field = int(magnitude >> l.mantissa_bits);
  const int mantissa = int(magnitude & ((1U << l.mantissa_bits) - 1));
  const double fraction = double(mantissa) / double(1 << l.mantissa_bits);
  const double value = exp_field == 0 ? std::ldexp(fraction, 1 - l.bias) : std::ldexp(1.0 + fraction, exp_field - l.bias);
  return (code & 0x80) != 0 ? -value : value;
}

bool definition_is_nan(unsigned code, Format f) {
  switch (f) {
    case Format::e4m3: return (code & 0x7F) == 0x7F;                          // S.1111.111
    case Format::e5m2: return (code & 0x7C) == 0x7C && (code & 0x03) != 0;    // S.11111.{01,10,11}
    default: return code == 0x80;                                             // FNUZ: the negative-zero pattern
  }
}

bool definition_is_inf(unsigned code, Format f) { return f == Format::e5m2 && (code & 0x7F) == 0x7C; }

// The positive finite values 0..max_code of a format, plus the value one step past max (where an unbounded exponent
// would put max_code + 1), from the definition.
const std::vector<double>& positive_values(Format f) {
  static const auto tables = [] {
    std::vector<std::vector<double>> t;
    for (const Format g : kAll) {
      const Layout l = layout(g);
      std::vector<double> v;
      for (unsigned c = 0; c <= l.max_code; ++c) v.push_back(definition_value(c, g));
      v.push_back(v[l.max_code] + (v[l.max_code] - v[l.max_code - 1]));
      t.push_back(v);
    }
    return t;
  }();
  return tables[std::size_t(f)];
}

// Brute-force reference: the nearest of positive_values (distances in double, exact here), ties to the even code;
// past max is overflow.
std::uint8_t reference_encode(float x, Format f, Overflow o) {
  const Layout l = layout(f);
  const std::uint8_t nan = l.fnuz ? 0x80 : 0x7F;
  if (std::isnan(x)) return nan;
  const unsigned sign = std::signbit(x) ? 0x80U : 0U;
  const unsigned overflow_code = l.fnuz ? 0x80U : (sign | (f == Format::e4m3 ? 0x7FU : 0x7CU));
  if (std::isinf(x)) return std::uint8_t(l.fnuz ? 0x80U : (o == Overflow::saturate ? sign | l.max_code : overflow_code));
  const std::vector<double>& values = positive_values(f);
  const double a = std::fabs(double(x));
  unsigned best = 0;
  if (a >= values.back()) {
    best = unsigned(values.size() - 1);
  } else {
    const auto upper = unsigned(std::upper_bound(values.begin(), values.end(), a) - values.begin());  // >= 1
    const double d_lo = a - values[upper - 1];
    const double d_hi = values[upper] - a;
    best = (d_lo < d_hi || (d_lo == d_hi && ((upper - 1) & 1U) == 0)) ? upper - 1 : upper;
  }
  if (best > l.max_code) return std::uint8_t(o == Overflow::saturate ? (sign | l.max_code) : overflow_code);
  if (best == 0 && l.fnuz) return 0x00;
  return std::uint8_t(sign | best);
}

TEST(Fp8Formats, FormatInfo) {
  const FormatInfo expected[] = {
      {"e4m3", 4, 3, 7, 448.0F, 0x1p-6F, 0x1p-9F, false, true, 0x7F},
      {"e5m2", 5, 2, 15, 57344.0F, 0x1p-14F, 0x1p-16F, true, true, 0x7F},  // 0x7F: what cuda gives for any NaN
      {"e4m3fnuz", 4, 3, 8, 240.0F, 0x1p-7F, 0x1p-10F, false, false, 0x80},
      {"e5m2fnuz", 5, 2, 16, 57344.0F, 0x1p-15F, 0x1p-17F, false, false, 0x80},
  };
  for (const Format f : kAll) {
    const FormatInfo& got = format_info(f);
    const FormatInfo& want = expected[std::size_t(f)];
    EXPECT_STREQ(got.name, want.name);
    EXPECT_EQ(got.exponent_bits, want.exponent_bits) << want.name;
    EXPECT_EQ(got.mantissa_bits, want.mantissa_bits) << want.name;
    EXPECT_EQ(got.exponent_bias, want.exponent_bias) << want.name;
    EXPECT_EQ(got.max, want.max) << want.name;
    EXPECT_EQ(got.min_normal, want.min_normal) << want.name;
    EXPECT_EQ(got.min_subnormal, want.min_subnormal) << want.name;
    EXPECT_EQ(got.has_infinity, want.has_infinity) << want.name;
    EXPECT_EQ(got.has_negative_zero, want.has_negative_zero) << want.name;
    EXPECT_EQ(got.positive_nan, want.positive_nan) << want.name;
  }
  for (const Format f : kAll) {  // the info agrees with the codes themselves
    const FormatInfo& info = format_info(f);
    EXPECT_EQ(decode(std::uint8_t(layout(f).max_code), f), info.max) << info.name;
    EXPECT_EQ(decode(0x01, f), info.min_subnormal) << info.name;
    EXPECT_EQ(decode(std::uint8_t(1U << info.mantissa_bits), f), info.min_normal) << info.name;
    EXPECT_TRUE(std::isnan(decode(info.positive_nan, f))) << info.name;
    EXPECT_EQ(encode(std::numeric_limits<float>::quiet_NaN(), f), info.positive_nan) << info.name;
  }
}

TEST(Fp8Formats, ParseFormat) {
  EXPECT_EQ(parse_format("e4m3"), Format::e4m3);
  EXPECT_EQ(parse_format("E4M3"), Format::e4m3);
  EXPECT_EQ(parse_format("e4m3fn"), Format::e4m3);
  EXPECT_EQ(parse_format("float8_e4m3fn"), Format::e4m3);
  EXPECT_EQ(parse_format("e5m2"), Format::e5m2);
  EXPECT_EQ(parse_format("E5M2"), Format::e5m2);
  EXPECT_EQ(parse_format("e4m3fnuz"), Format::e4m3fnuz);
  EXPECT_EQ(parse_format("E4M3FNUZ"), Format::e4m3fnuz);
  EXPECT_EQ(parse_format("float8_e5m2fnuz"), Format::e5m2fnuz);
  EXPECT_EQ(parse_format("e5m2fnuz"), Format::e5m2fnuz);
  for (const auto* bad : {"", "e4m2", "e5m2fn", "fp8", "e4m3 ", " e4m3", "float8_", "e4m3fnuzz", "e8m0"}) {
    EXPECT_FALSE(parse_format(bad).has_value()) << '"' << bad << '"';
  }
  for (const Format f : kAll) EXPECT_EQ(parse_format(format_info(f).name), f);
}

TEST(Fp8Formats, EveryCodeDecodesToItsDefinition) {
  for (const Format f : kAll) {
    for (unsigned c = 0; c < 256; ++c) {
      const float got = decode(std::uint8_t(c), f);
      if (definition_is_nan(c, f)) {
        EXPECT_TRUE(std::isnan(got)) << format_info(f).name << " code " << c;
      } else if (definition_is_inf(c, f)) {
        EXPECT_EQ(got, (c & 0x80) != 0 ? -INFINITY : INFINITY) << c;
      } else {
        EXPECT_EQ(double(got), definition_value(c, f)) << format_info(f).name << " code " << c;
        EXPECT_EQ(std::signbit(got), (c & 0x80) != 0) << format_info(f).name << " code " << c;  // -0 for OCP 0x80
      }
    }
  }
  EXPECT_EQ(decode(0x7F, Format::e4m3fnuz), 240.0F);
  EXPECT_EQ(decode(0xFF, Format::e4m3fnuz), -240.0F);
  EXPECT_EQ(decode(0x7F, Format::e5m2fnuz), 57344.0F);
  EXPECT_EQ(decode(0x7B, Format::e5m2fnuz), 28672.0F);
  EXPECT_EQ(decode(0x01, Format::e4m3fnuz), 0x1p-10F);
  EXPECT_EQ(decode(0x01, Format::e5m2fnuz), 0x1p-17F);
}

TEST(Fp8Formats, EncodeDecodeRoundTripsEveryCode) {
  for (const Format f : kAll) {
    for (unsigned c = 0; c < 256; ++c) {
      if (definition_is_nan(c, f)) continue;
      const float v = decode(std::uint8_t(c), f);
      if (definition_is_inf(c, f)) {
        EXPECT_EQ(encode(v, f, Overflow::nonfinite), c);
        EXPECT_EQ(encode(v, f, Overflow::saturate), (c & 0x80) | 0x7B);
        continue;
      }
      for (const Overflow o : kModes) EXPECT_EQ(encode(v, f, o), c) << format_info(f).name << " code " << c;
    }
  }
}

// Between every two neighbouring values (0 and the smallest subnormal, across the subnormal/normal boundary, up to
// max and the would-be next value) the exact midpoint rounds to the even code and one float ulp either side
// rounds to the nearer value.
TEST(Fp8Formats, EveryTieRoundsToEven) {
  int ties = 0;
  for (const Format f : kAll) {
    const Layout l = layout(f);
    for (unsigned c = 0; c <= l.max_code; ++c) {
      const double lo = definition_value(c, f);
      const double hi = c < l.max_code ? definition_value(c + 1, f) : lo + (lo - definition_value(c - 1, f));
      const float mid = float((lo + hi) / 2);
      ASSERT_EQ(double(mid), (lo + hi) / 2);  // exact
      const unsigned even = (c & 1U) == 0 ? c : c + 1;
      for (const Overflow o : kModes) {
        for (const float sign : {1.0F, -1.0F}) {
          const float x = sign * mid;
          const float below = std::nextafter(x, 0.0F);
          const float above = std::nextafter(x, sign * INFINITY);
          EXPECT_EQ(encode(x, f, o), reference_encode(x, f, o)) << format_info(f).name << " tie " << x;
          EXPECT_EQ(encode(below, f, o), reference_encode(below, f, o)) << format_info(f).name << " " << below;
          EXPECT_EQ(encode(above, f, o), reference_encode(above, f, o)) << format_info(f).name << " " << above;
          if (even <= l.max_code && !(even == 0 && l.fnuz && sign < 0)) {
            EXPECT_EQ(encode(x, f, o) & 0x7F, even) << format_info(f).name << " tie " << x;
          }
          ++ties;
        }
      }
    }
  }
  EXPECT_EQ(ties, 2 * 2 * (0x7E + 1 + 0x7B + 1 + 0x80 + 0x80));
}

TEST(Fp8Formats, ZerosAndNegativeZero) {
  const float tiny = 1e-30F;
  for (const Overflow o : kModes) {
    EXPECT_EQ(encode(0.0F, Format::e4m3, o), 0x00);
    EXPECT_EQ(encode(-0.0F, Format::e4m3, o), 0x80);  // OCP formats keep the sign of zero
    EXPECT_EQ(encode(-tiny, Format::e5m2, o), 0x80);
    EXPECT_EQ(encode(-0x1p-10F, Format::e4m3, o), 0x80);  // half the smallest subnormal: tie to zero
    for (const Format f : {Format::e4m3fnuz, Format::e5m2fnuz}) {
      const float min_sub = format_info(f).min_subnormal;
      EXPECT_EQ(encode(-0.0F, f, o), 0x00);  // no negative zero: 0x80 is NaN
      EXPECT_EQ(encode(-tiny, f, o), 0x00);
      EXPECT_EQ(encode(-min_sub / 2, f, o), 0x00);
      EXPECT_EQ(encode(std::nextafter(-min_sub / 2, -1.0F), f, o), 0x81);
      EXPECT_EQ(encode(-min_sub, f, o), 0x81);
      EXPECT_EQ(encode(-from_bits(1), f, o), 0x00);
    }
  }
}

TEST(Fp8Formats, NanInfinityAndOverflow) {
  const float inf = INFINITY;
  const float nans[] = {from_bits(0x7FC00000U), from_bits(0xFFC00000U), from_bits(0x7F800001U), from_bits(0xFFFFFFFFU)};
  for (const float nan : nans) {
    for (const Overflow o : kModes) {
      EXPECT_EQ(encode(nan, Format::e4m3, o), 0x7F);  // cuda_fp8.h: positive NaN whatever the input's sign
      EXPECT_EQ(encode(nan, Format::e5m2, o), 0x7F);
      EXPECT_EQ(encode(nan, Format::e4m3fnuz, o), 0x80);
      EXPECT_EQ(encode(nan, Format::e5m2fnuz, o), 0x80);
    }
  }
  // Saturate: +-Inf and overflow clamp for OCP; FNUZ clamps finite overflow but maps +-Inf to NaN (ONNX FP8 spec).
  EXPECT_EQ(encode(inf, Format::e4m3), 0x7E);
  EXPECT_EQ(encode(-inf, Format::e4m3), 0xFE);
  EXPECT_EQ(encode(inf, Format::e5m2), 0x7B);
  EXPECT_EQ(encode(-inf, Format::e5m2), 0xFB);
  EXPECT_EQ(encode(inf, Format::e4m3fnuz), 0x80);
  EXPECT_EQ(encode(-inf, Format::e5m2fnuz), 0x80);
  EXPECT_EQ(encode(1e30F, Format::e4m3), 0x7E);
  EXPECT_EQ(encode(-1e30F, Format::e5m2), 0xFB);
  EXPECT_EQ(encode(1e30F, Format::e4m3fnuz), 0x7F);
  EXPECT_EQ(encode(-1e30F, Format::e5m2fnuz), 0xFF);
  // Non-finite: E4M3 overflows to NaN with the input's sign (as cuda), E5M2 to +-Inf, FNUZ to the NaN 0x80.
  const Overflow nf = Overflow::nonfinite;
  EXPECT_EQ(encode(inf, Format::e4m3, nf), 0x7F);
  EXPECT_EQ(encode(-inf, Format::e4m3, nf), 0xFF);
  EXPECT_EQ(encode(-500.0F, Format::e4m3, nf), 0xFF);
  EXPECT_EQ(encode(inf, Format::e5m2, nf), 0x7C);
  EXPECT_EQ(encode(-1e30F, Format::e5m2, nf), 0xFC);
  EXPECT_EQ(encode(-inf, Format::e4m3fnuz, nf), 0x80);
  EXPECT_EQ(encode(1e30F, Format::e5m2fnuz, nf), 0x80);
  // The rounding boundary between max and overflow: E4M3 464 ties down to 448 (even), E5M2 61440 ties up past
  // 57344 (odd), E4M3FNUZ 248 ties up past 240, E5M2FNUZ 61440 ties up past 57344.
  struct Boundary { Format f; float tie; bool tie_overflows; };
  for (const Boundary b : {Boundary{Format::e4m3, 464.0F, false}, Boundary{Format::e5m2, 61440.0F, true},
                           Boundary{Format::e4m3fnuz, 248.0F, true}, Boundary{Format::e5m2fnuz, 61440.0F, true}}) {
    const auto max_code = std::uint8_t(layout(b.f).max_code);
    const std::uint8_t over = reference_encode(1e30F, b.f, nf);
    EXPECT_EQ(encode(b.tie, b.f, nf), b.tie_overflows ? over : max_code) << format_info(b.f).name;
    EXPECT_EQ(encode(std::nextafter(b.tie, 0.0F), b.f, nf), max_code) << format_info(b.f).name;
    EXPECT_EQ(encode(std::nextafter(b.tie, inf), b.f, nf), over) << format_info(b.f).name;
    EXPECT_EQ(encode(std::nextafter(b.tie, inf), b.f), max_code) << format_info(b.f).name;
  }
}

// encode() against the brute-force nearest-value search over a grid of floats covering every format's range and
// beyond (all exponents 2^-30 .. 2^20, the top 11 mantissa bits in every combination, low bits on and around
// ties), both signs.
TEST(Fp8Formats, MatchesBruteForceNearestValue) {
  std::vector<float> inputs;
  for (std::uint32_t exp = 127 - 30; exp <= 127 + 20; ++exp) {
    for (std::uint32_t top = 0; top < (1U << 11); ++top) {
      for (const std::uint32_t low : {0x0U, 0x1U, 0x7FFU, 0xFFFU}) {
        inputs.push_back(from_bits((exp << 23) | (top << 12) | low));
      }
    }
  }
  int mismatches = 0;
  for (const Format f : kAll) {
    for (const Overflow o : kModes) {
      for (const float a : inputs) {
        for (const float x : {a, -a}) {
          if (encode(x, f, o) != reference_encode(x, f, o) && ++mismatches <= 10) {
            ADD_FAILURE() << format_info(f).name << " x=" << x << " got " << int(encode(x, f, o)) << " want "
                          << int(reference_encode(x, f, o));
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// 16-bit types. Expected float16 codes were computed once with Python's struct 'e' format (IEEE binary16, round
// half to even) and agree with cuda_fp16.h __float2half_rn (tests/oracle); the overflow and NaN rows follow IEEE 754
// and cuda (which returns the sign-less NaN 0x7FFF).
TEST(Fp8Formats, Float16Rounding) {
  struct Row { std::uint32_t input; std::uint16_t expected; };
  const Row rows[] = {
      {0x477fe000U, 0x7bffU},  // 65504 = max
      {0x477fefffU, 0x7bffU},  // just below 65520
      {0x477ff000U, 0x7c00U},  // 65520: ties to even, which is Inf
      {0x7f7fffffU, 0x7c00U},  // FLT_MAX
      {0xff800000U, 0xfc00U},  // -Inf
      {0x7fc00000U, 0x7fffU},  // NaN
      {0xffc00001U, 0x7fffU},  // -NaN
      {0x3eaaaaabU, 0x3555U},  // 1/3
      {0x33800000U, 0x0001U},  // 2^-24, smallest subnormal
      {0x33000000U, 0x0000U},  // 2^-25: tie to zero
      {0x33000100U, 0x0001U},  // just above 2^-25
      {0x33400000U, 0x0001U},  // 1.5 * 2^-25
      {0x34200000U, 0x0002U},  // 2.5 * 2^-24: tie to even
      {0x34600000U, 0x0004U},  // 3.5 * 2^-24: tie to even
      {0x387fa000U, 0x03feU},  // 1022.5 * 2^-24
      {0x387fe000U, 0x0400U},  // 1023.5 * 2^-24 rounds up to the smallest normal
      {0x38800000U, 0x0400U},  // 2^-14
      {0x3f801000U, 0x3c00U},  // 1 + 2^-11: tie to even
      {0x3f803000U, 0x3c02U},  // 1 + 3 * 2^-11: tie to even
      {0x3f801001U, 0x3c01U},  // just above the tie
      {0x3dcccccdU, 0x2e66U},  // 0.1
      {0xc0200000U, 0xc100U},  // -2.5
      {0x45001000U, 0x6800U},  // 2049
      {0x45003000U, 0x6802U},  // 2051
      {0x32800000U, 0x0000U},  // 2^-26
      {0x80000000U, 0x8000U},  // -0
  };
  for (const Row& r : rows) {
    EXPECT_EQ(to_float16(from_bits(r.input)).bits, r.expected) << std::hex << r.input;
  }
  for (std::uint32_t h = 0; h < 0x10000U; ++h) {  // widening is exact: every non-NaN half round-trips
    const float16 v{std::uint16_t(h)};
    const float f = to_float(v);
    if ((h & 0x7C00U) == 0x7C00U && (h & 0x3FFU) != 0) {
      EXPECT_TRUE(std::isnan(f)) << h;
      continue;
    }
    EXPECT_EQ(to_float16(f).bits, h);
    for (const Format fmt : kAll) EXPECT_EQ(encode(v, fmt), encode(f, fmt));
  }
  EXPECT_EQ(to_float(float16{0x0001}), 0x1p-24F);
  EXPECT_EQ(to_float(float16{0x03FF}), 1023 * 0x1p-24F);
  EXPECT_EQ(to_float(float16{0xFBFF}), -65504.0F);
}

TEST(Fp8Formats, Bfloat16Rounding) {
  struct Row { std::uint32_t input; std::uint16_t expected; };
  const Row rows[] = {
      {0x3F800000U, 0x3F80U}, {0x3F808000U, 0x3F80U},  // 1.0; tie -> even (down)
      {0x3F818000U, 0x3F82U}, {0x3F808001U, 0x3F81U},  // tie -> even (up); above the tie
      {0x3F80FFFFU, 0x3F81U}, {0xBF818000U, 0xBF82U},
      {0x7F7FFFFFU, 0x7F80U}, {0xFF7F8000U, 0xFF80U},  // rounds past the largest bfloat16 to Inf
      {0x7F7F7FFFU, 0x7F7FU}, {0x7F800000U, 0x7F80U},
      {0x7FC00000U, 0x7FFFU}, {0xFF800001U, 0x7FFFU},  // NaN: cuda's canonical 0x7FFF
      {0x00008000U, 0x0000U}, {0x00018000U, 0x0002U},  // subnormal ties
      {0x80000000U, 0x8000U}, {0x007FFFFFU, 0x0080U},  // -0; largest subnormal rounds to the smallest normal
  };
  for (const Row& r : rows) EXPECT_EQ(to_bfloat16(from_bits(r.input)).bits, r.expected) << std::hex << r.input;
  for (std::uint32_t h = 0; h < 0x10000U; ++h) {
    const bfloat16 v{std::uint16_t(h)};
    EXPECT_EQ(to_bits(to_float(v)), h << 16);  // widening keeps every bit, NaN payloads included
    if ((h & 0x7F80U) != 0x7F80U || (h & 0x7FU) == 0) {
      EXPECT_EQ(to_bfloat16(to_float(v)).bits, h);
    }
    for (const Format fmt : kAll) {
      EXPECT_EQ(encode(v, fmt, Overflow::nonfinite), encode(to_float(v), fmt, Overflow::nonfinite));
    }
  }
}

// E8M0 (OCP MX v1.0): code b is 2^(b - 127), 0xFF NaN; encoding as cuda's __nv_cvt_float_to_e8m0 with
// __NV_SATFINITE (sign ignored, clipped to [2^-127, 2^127]).
TEST(Fp8Formats, E8m0) {
  for (unsigned c = 0; c < 255; ++c) {
    const float v = decode_e8m0(std::uint8_t(c));
    EXPECT_EQ(double(v), std::ldexp(1.0, int(c) - 127)) << c;
    EXPECT_EQ(encode_e8m0(v, E8m0Rounding::toward_zero), c);
    EXPECT_EQ(encode_e8m0(v, E8m0Rounding::up), c);
    EXPECT_EQ(encode_e8m0(-v, E8m0Rounding::up), c);  // the sign is ignored
  }
  EXPECT_TRUE(std::isnan(decode_e8m0(0xFF)));
  struct Row { float x; std::uint8_t toward_zero; std::uint8_t up; };
  const Row rows[] = {
      {1.0F, 127, 127},         {1.5F, 127, 128},          {std::nextafter(2.0F, 0.0F), 127, 128},
      {-3.0F, 128, 129},        {448.0F, 135, 136},        {0.0F, 0, 0},
      {-0.0F, 0, 0},            {from_bits(1), 0, 0},      {0x1p-127F, 0, 0},
      {std::nextafter(0x1p-127F, 1.0F), 0, 1},             {0x1p-126F, 1, 1},
      {0x1.8p127F, 254, 254},   {std::numeric_limits<float>::max(), 254, 254}, {INFINITY, 254, 254},
      {-INFINITY, 254, 254},    {std::numeric_limits<float>::quiet_NaN(), 255, 255},
      {-std::numeric_limits<float>::quiet_NaN(), 255, 255},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(encode_e8m0(r.x, E8m0Rounding::toward_zero), r.toward_zero) << r.x;
    EXPECT_EQ(encode_e8m0(r.x, E8m0Rounding::up), r.up) << r.x;
  }
}

}  // namespace
}  // namespace ual::fp8
