// E8M0 scale type (OCP Microscaling Formats (MX) Specification v1.0, section 5.4.1): 8 exponent bits, no sign, no
// mantissa, bias 127; the value of code b is 2^(b - 127) and 0xFF is NaN. There is no zero and no infinity.
//
// encode_e8m0 reproduces cuda_fp8.hpp (CUDA 13) __nv_cvt_float_to_e8m0(x, __NV_SATFINITE, cudaRoundZero /
// cudaRoundPosInf) bit for bit; saturation is always __NV_SATFINITE because that is what block-scaling recipes use
// (Transformer Engine computes MXFP8 scales with cvt.rp.satfinite.ue8m0x2.f32) and what the
// __nv_fp8_e8m0(float) constructor defaults to. Its documented and implemented behaviour:
// - the sign is ignored: |x| is rounded to a power of two (toward zero, or up);
// - results below 2^-127 are clipped to 2^-127 (code 0x00): zero, float subnormals;
// - results above 2^127 (including +-Inf) saturate to 2^127 (0xFE);
// - NaN -> 0xFF.
#include <bit>
#include <cstdint>
#include <limits>

#include "ual/fp8.hpp"

namespace ual::fp8 {

std::uint8_t encode_e8m0(float x, E8m0Rounding rounding) noexcept {
  constexpr std::uint8_t kNan = 0xFF;
  constexpr std::uint8_t kMaxCode = 0xFE;  // 2^127
  const std::uint32_t abs = std::bit_cast<std::uint32_t>(x) & 0x7FFFFFFFU;
  if (abs > 0x7F800000U) return kNan;
  if (abs == 0x7F800000U) return kMaxCode;
  // A finite float's biased exponent is already the toward-zero E8M0 code (1..254 for normals, 2^(e - 127));
  // zero and subnormals (exponent field 0) clip to 2^-127, code 0.
  std::uint32_t code = abs >> 23;
  if (rounding == E8m0Rounding::up) {
    const std::uint32_t mantissa = abs & 0x7FFFFFU;
    if (code != 0) {
      if (mantissa != 0) ++code;  // not a power of two: the next one up
    } else if (mantissa > 0x400000U) {
      code = 1;  // subnormal above 2^-127 (mantissa 0x400000): rounds up to 2^-126
    }
    if (code > kMaxCode) code = kMaxCode;  // above 2^127: saturate
  }
  return std::uint8_t(code);
}

float decode_e8m0(std::uint8_t bits) noexcept {
  if (bits == 0xFF) return std::numeric_limits<float>::quiet_NaN();
  // 2^-127 is a float subnormal (cuda's e8m0 -> bf16 conversion also returns it, as bf16 0x0040).
  if (bits == 0) return std::bit_cast<float>(0x00400000U);
  return std::bit_cast<float>(std::uint32_t(bits) << 23);
}

}  // namespace ual::fp8
