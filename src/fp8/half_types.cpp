// 16-bit float inputs (bfloat16, IEEE binary16) for the FP8 casts: exact widening to float, float -> 16-bit rounding
// (nearest even), and the fp8 encode overloads.
//
// Sources: NVIDIA cuda_bf16.hpp __float2bfloat16 and cuda_fp16.hpp __float2half_rn host paths (CUDA 13), whose
// results these functions reproduce bit for bit, NaN included (both return the sign-less canonical NaN 0x7FFF, as
// PTX cvt.rn.bf16.f32 / cvt.rn.f16.f32 do); cuda_fp8.hpp __nv_cvt_bfloat16raw_to_fp8 / __nv_cvt_halfraw_to_fp8,
// which widen to float exactly and then round once, as encode() below does.
#include <bit>
#include <cstdint>

#include "ual/fp8.hpp"

namespace ual::fp8 {
namespace {

constexpr std::uint16_t kCanonicalNan16 = 0x7FFF;

// Round-to-nearest-even of `value >> shift` (1 <= shift <= 31).
constexpr std::uint32_t shift_right_rne(std::uint32_t value, int shift) noexcept {
  const std::uint32_t quotient = value >> shift;
  const std::uint32_t remainder = value & ((1U << shift) - 1U);
  const std::uint32_t half = 1U << (shift - 1);
  return quotient + ((remainder > half || (remainder == half && (quotient & 1U) != 0)) ? 1U : 0U);
}

}  // namespace

float to_float(bfloat16 value) noexcept {
  // bfloat16 is the top half of a binary32: widening is a shift (NaN payloads and signs are kept).
  return std::bit_cast<float>(std::uint32_t(value.bits) << 16);
}

float to_float(float16 value) noexcept {
  const std::uint32_t sign = std::uint32_t(value.bits & 0x8000U) << 16;
  const std::uint32_t exp = (value.bits >> 10) & 0x1FU;
  const std::uint32_t mantissa = value.bits & 0x3FFU;
  std::uint32_t out = 0;
  if (exp == 0x1F) {
    out = 0x7F800000U | (mantissa << 13);  // Inf, or NaN with its payload (the quiet bit moves with it)
  } else if (exp != 0) {
    out = ((exp + (127 - 15)) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {
    // Subnormal half m * 2^-24: normalize into a float, whose range covers it exactly.
    const int lead = std::bit_width(mantissa) - 1;  // position of the leading one, 0..9
    out = (std::uint32_t(lead + 127 - 24) << 23) | ((mantissa << (23 - lead)) & 0x7FFFFFU);
  }
  return std::bit_cast<float>(sign | out);
}

bfloat16 to_bfloat16(float x) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7FFFFFFFU) > 0x7F800000U) return bfloat16{kCanonicalNan16};
  // Rounding the low 16 bits may carry into the exponent; the largest finite floats correctly become Inf.
  const std::uint32_t sign = bits & 0x80000000U;
  return bfloat16{std::uint16_t((sign >> 16) | shift_right_rne(bits & 0x7FFFFFFFU, 16))};
}

float16 to_float16(float x) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t abs = bits & 0x7FFFFFFFU;
  const auto sign = std::uint16_t((bits >> 16) & 0x8000U);
  if (abs > 0x7F800000U) return float16{kCanonicalNan16};
  if (abs == 0x7F800000U) return float16{std::uint16_t(sign | 0x7C00U)};
  std::uint32_t magnitude = 0;
  if (abs >= 0x38800000U) {
    // Normal half range and above (2^-14 <= |x|): re-bias and round; carries reach 0x7C00 (Inf) when |x| rounds
    // past 65504, i.e. from 65520 up, which is IEEE overflow under round to nearest.
    magnitude = shift_right_rne(abs - ((127U - 15U) << 23), 13);
    if (magnitude > 0x7C00U) magnitude = 0x7C00U;
  } else {
    // Subnormal half: value = sig * 2^(e - 150), step 2^-24, so the code is sig >> (126 - e), rounded.
    const std::uint32_t e = abs >> 23;
    if (e < 102) return float16{sign};  // |x| < 2^-25 (half the smallest subnormal): rounds to zero
    const std::uint32_t sig = (abs & 0x7FFFFFU) | 0x800000U;
    magnitude = shift_right_rne(sig, int(126 - e));
  }
  return float16{std::uint16_t(sign | magnitude)};
}

std::uint8_t encode(bfloat16 x, Format format, Overflow overflow) noexcept {
  return encode(to_float(x), format, overflow);
}

std::uint8_t encode(float16 x, Format format, Overflow overflow) noexcept {
  return encode(to_float(x), format, overflow);
}

}  // namespace ual::fp8
