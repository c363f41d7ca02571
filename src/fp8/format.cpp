// FP8 scalar casts: float -> fp8 (round to nearest even) and fp8 -> float for the four formats of ual/fp8.hpp.
//
// Sources:
// - OCP 8-bit Floating Point Specification (OFP8) v1.0, 2023: E4M3 (bias 7, no infinity, NaN = S.1111.111, max 448)
//   and E5M2 (bias 15, IEEE-like: infinities S.11111.00, NaNs S.11111.{01,10,11}, max 57344).
// - NVIDIA cuda_fp8.hpp (CUDA 13), __nv_cvt_float_to_fp8 / __nv_cvt_double_to_fp8 host path: the behaviour that
//   e4m3 / e5m2 must reproduce bit for bit, including its choices outside the OCP spec (see encode_ocp below).
// - FNUZ formats (AMD MI300 / gfx942): "8-bit Numerical Formats for Deep Neural Networks" (Noune et al., 2022,
//   arXiv:2206.02915); LLVM APFloat Float8E4M3FNUZ / Float8E5M2FNUZ semantics (bias 8 / 16, no infinity, no
//   negative zero, 0x80 the only NaN); the ONNX FP8 spec https://onnx.ai/onnx/technical/float8.html for how
//   casts treat infinity and overflow.
#include <bit>
#include <cstdint>
#include <limits>

#include "ual/fp8.hpp"

namespace ual::fp8 {
namespace {

constexpr std::uint32_t kFloatInfBits = 0x7F800000U;

// Rounds a finite, non-negative float (its bit pattern `abs`) to the magnitude code of a binary format with M
// mantissa bits and exponent bias `bias`, with an unbounded exponent field: codes above the format's largest
// finite code mean "overflowed after rounding". Round to nearest, ties to even, in the subnormal range as well.
// Pure integer arithmetic, so the result does not depend on the floating-point environment's rounding mode.
template <int M, int Bias>
constexpr std::uint32_t round_magnitude(std::uint32_t abs) noexcept {
  constexpr int kDroppedNormal = 23 - M;                                 // float mantissa bits that do not fit
  constexpr std::uint32_t kMinNormalBits = std::uint32_t(127 + 1 - Bias) << 23;  // 2^(1 - bias) as float bits
  if (abs >= kMinNormalBits) {
    // Normal: re-bias the exponent field in place, then round off the low mantissa bits. A carry out of the
    // mantissa correctly increments the exponent (and may step past the largest finite code: overflow).
    std::uint32_t rebased = abs - (std::uint32_t(127 - Bias) << 23);
    const std::uint32_t lsb = (rebased >> kDroppedNormal) & 1U;
    rebased += ((1U << (kDroppedNormal - 1)) - 1U) + lsb;
    return rebased >> kDroppedNormal;
  }
  // Subnormal target: the value is sig * 2^(exp - 150) (float subnormals have exp 1 and no implicit bit); the fp8
  // subnormal step is 2^(1 - bias - M), so the code is sig * 2^-shift rounded with shift = 151 - bias - M - exp.
  const std::uint32_t exp_field = abs >> 23;
  const std::uint32_t sig = (abs & 0x7FFFFFU) | (exp_field != 0 ? 0x800000U : 0U);
  const int exp = exp_field != 0 ? int(exp_field) : 1;
  const int shift = 151 - Bias - M - exp;
  if (shift >= 25) return 0;  // sig < 2^24 <= half a step: rounds to zero (also avoids shifts >= 32)
  const std::uint32_t quotient = sig >> shift;
  const std::uint32_t remainder = sig & ((1U << shift) - 1U);
  const std::uint32_t half = 1U << (shift - 1);
  return quotient + ((remainder > half || (remainder == half && (quotient & 1U) != 0)) ? 1U : 0U);
}

// OCP formats as cuda_fp8.hpp __nv_cvt_float_to_fp8 (host path) computes them:
// - any NaN input is first replaced by the canonical NaN 0x7FFFFFFF, so the result is always the POSITIVE NaN 0x7F
//   (for E5M2 too: 0x7E | the two top payload bits of that canonical NaN = 0x7F), whatever the input's sign;
// - +-Inf is handled as an overflow: +-max under __NV_SATFINITE, NaN (E4M3, signed: 0x7F / 0xFF) or +-Inf (E5M2,
//   0x7C / 0xFC) under __NV_NOSAT;
// - finite values keep their sign, also when they round to zero (-tiny -> 0x80, negative zero).
// Overflow is decided after rounding, which is exactly cuda's threshold test (E4M3: |x| > 464 = 448 + half an ulp,
// 464 itself ties to 448 whose mantissa is even; E5M2: |x| >= 61440, the tie between 57344 and 2^16 rounding up).
template <int M, int Bias, std::uint32_t MaxCode, std::uint32_t NosatOverflowCode>
constexpr std::uint8_t encode_ocp(std::uint32_t bits, Overflow overflow) noexcept {
  const std::uint32_t abs = bits & 0x7FFFFFFFU;
  if (abs > kFloatInfBits) return 0x7F;
  const std::uint32_t sign = (bits >> 24) & 0x80U;
  const std::uint32_t code = abs == kFloatInfBits ? MaxCode + 1 : round_magnitude<M, Bias>(abs);
  if (code > MaxCode) {
    return std::uint8_t(sign | (overflow == Overflow::saturate ? MaxCode : NosatOverflowCode));
  }
  return std::uint8_t(sign | code);
}

// FNUZ formats: 0x80 (the negative-zero pattern) is the only NaN, there is no infinity and no negative zero, and all
// 127 positive codes are finite, so the largest finite code is 0x7F (E4M3FNUZ 1.875 * 2^7 = 240, E5M2FNUZ
// 1.75 * 2^15 = 57344). Casting follows the ONNX FP8 spec's tables: NaN -> NaN; +-Inf -> NaN in both modes (the
// saturate table maps +-Inf to +-FLT_MAX only for E4M3FN and E5M2, and to NaN for both FNUZ types); finite overflow
// -> +-max when saturating, NaN otherwise; -0 and negative values that round to zero -> +0 (0x00), since the
// sign bit over a zero encoding would be the NaN.
template <int M, int Bias>
constexpr std::uint8_t encode_fnuz(std::uint32_t bits, Overflow overflow) noexcept {
  constexpr std::uint8_t kNan = 0x80;
  constexpr std::uint32_t kMaxCode = 0x7F;
  const std::uint32_t abs = bits & 0x7FFFFFFFU;
  if (abs >= kFloatInfBits) return kNan;  // NaN or +-Inf
  const std::uint32_t code = round_magnitude<M, Bias>(abs);
  if (code == 0) return 0x00;
  const std::uint32_t sign = (bits >> 24) & 0x80U;
  if (code > kMaxCode) return overflow == Overflow::saturate ? std::uint8_t(sign | kMaxCode) : kNan;
  return std::uint8_t(sign | code);
}

// Decoding straight from the definition: exponent field 0 is subnormal (0.m * 2^(1 - bias)), otherwise
// 1.m * 2^(e - bias). Special codes are patched by the callers. Exact in float for every format here.
template <int M, int Bias>
constexpr float decode_finite(std::uint8_t code) noexcept {
  const int exp_field = (code & 0x7F) >> M;
  const int mantissa = code & ((1 << M) - 1);
  const int significand = exp_field == 0 ? mantissa : (mantissa | (1 << M));
  const int exponent = (exp_field == 0 ? 1 : exp_field) - Bias - M;  // value = significand * 2^exponent
  float scale = 1.0F;
  for (int i = 0; i < exponent; ++i) scale *= 2.0F;
  for (int i = 0; i > exponent; --i) scale *= 0.5F;
  const float magnitude = float(significand) * scale;
  return (code & 0x80) != 0 ? -magnitude : magnitude;
}

using DecodeTable = float[256];

struct DecodeTables {
  DecodeTable e4m3{};
  DecodeTable e5m2{};
  DecodeTable e4m3fnuz{};
  DecodeTable e5m2fnuz{};
};

constexpr DecodeTables make_decode_tables() noexcept {
  constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
  DecodeTables t;
  for (int c = 0; c < 256; ++c) {
    const auto code = std::uint8_t(c);
    t.e4m3[c] = decode_finite<3, 7>(code);
    t.e5m2[c] = decode_finite<2, 15>(code);
    t.e4m3fnuz[c] = decode_finite<3, 8>(code);
    t.e5m2fnuz[c] = decode_finite<2, 16>(code);
    // OCP E4M3: S.1111.111 is NaN and there is no infinity (cuda_fp8.hpp __nv_cvt_fp8_to_halfraw returns the
    // canonical, sign-less half NaN 0x7FFF for both).
    if ((c & 0x7F) == 0x7F) t.e4m3[c] = kNan;
    // OCP E5M2: exponent 11111 is Inf (mantissa 0) or NaN (cuda returns the half NaN 0x7FFF for every NaN code).
    if ((c & 0x7C) == 0x7C) {
      const float inf = std::numeric_limits<float>::infinity();
      t.e5m2[c] = (c & 0x03) != 0 ? kNan : ((c & 0x80) != 0 ? -inf : inf);
    }
  }
  // FNUZ: 0x80 is the NaN; every other code is finite.
  t.e4m3fnuz[0x80] = kNan;
  t.e5m2fnuz[0x80] = kNan;
  return t;
}

constexpr DecodeTables kDecode = make_decode_tables();

// Table values are the definitions of ual/fp8.hpp; the min values are the smallest normal 2^(1 - bias) and the
// smallest subnormal 2^(1 - bias - mantissa_bits).
constexpr FormatInfo kInfo[4] = {
    {"e4m3", 4, 3, 7, 448.0F, 0x1p-6F, 0x1p-9F, false, true, 0x7F},
    {"e5m2", 5, 2, 15, 57344.0F, 0x1p-14F, 0x1p-16F, true, true, 0x7F},
    {"e4m3fnuz", 4, 3, 8, 240.0F, 0x1p-7F, 0x1p-10F, false, false, 0x80},
    {"e5m2fnuz", 5, 2, 16, 57344.0F, 0x1p-15F, 0x1p-17F, false, false, 0x80},
};

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace

const FormatInfo& format_info(Format format) noexcept {
  switch (format) {
    case Format::e4m3: return kInfo[0];
    case Format::e5m2: return kInfo[1];
    case Format::e4m3fnuz: return kInfo[2];
    case Format::e5m2fnuz: return kInfo[3];
  }
  return kInfo[0];
}

std::optional<Format> parse_format(std::string_view name) noexcept {
  // Accepted: the canonical names in any case, "e4m3fn" (the ONNX / PyTorch / LLVM name of OCP E4M3), and the
  // PyTorch dtype spellings with a "float8_" prefix (float8_e4m3fn, float8_e5m2, float8_e4m3fnuz, ...).
  constexpr std::string_view kPrefix = "float8_";
  if (name.size() > kPrefix.size() && equals_ignoring_case(name.substr(0, kPrefix.size()), kPrefix)) {
    name.remove_prefix(kPrefix.size());
  }
  if (equals_ignoring_case(name, "e4m3") || equals_ignoring_case(name, "e4m3fn")) return Format::e4m3;
  if (equals_ignoring_case(name, "e5m2")) return Format::e5m2;
  if (equals_ignoring_case(name, "e4m3fnuz")) return Format::e4m3fnuz;
  if (equals_ignoring_case(name, "e5m2fnuz")) return Format::e5m2fnuz;
  return std::nullopt;
}

std::uint8_t encode(float x, Format format, Overflow overflow) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  switch (format) {
    case Format::e4m3: return encode_ocp<3, 7, 0x7E, 0x7F>(bits, overflow);   // max 0x7E, overflow NaN 0x7F
    case Format::e5m2: return encode_ocp<2, 15, 0x7B, 0x7C>(bits, overflow);  // max 0x7B, overflow Inf 0x7C
    case Format::e4m3fnuz: return encode_fnuz<3, 8>(bits, overflow);
    case Format::e5m2fnuz: return encode_fnuz<2, 16>(bits, overflow);
  }
  return 0;
}

float decode(std::uint8_t bits, Format format) noexcept {
  switch (format) {
    case Format::e4m3: return kDecode.e4m3[bits];
    case Format::e5m2: return kDecode.e5m2[bits];
    case Format::e4m3fnuz: return kDecode.e4m3fnuz[bits];
    case Format::e5m2fnuz: return kDecode.e5m2fnuz[bits];
  }
  return std::numeric_limits<float>::quiet_NaN();
}

}  // namespace ual::fp8
