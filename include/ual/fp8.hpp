// FP8 formats and scalar casts with the exact semantics of NVIDIA's cuda_fp8.h (OCP E4M3/E5M2) and of AMD MI300's
// FNUZ variants, plus the 16-bit input types and the E8M0 scale type. This API is a contract: the CUDA and HIP
// backends and every bulk kernel produce bit-for-bit what these functions produce.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "ual/export.hpp"

namespace ual::fp8 {

// e4m3 / e5m2: OCP 8-bit floating point (OFP8) spec v1.0 (NVIDIA Hopper/Ada/Blackwell, AMD MI350+): E4M3 has no
// infinity, NaN = S.1111.111, max 448; E5M2 is IEEE-like, max 57344. e4m3fnuz / e5m2fnuz: AMD MI300 (gfx942),
// exponent bias 8 / 16, no negative zero, 0x80 the only NaN, no infinity, max 240 / 57344.
enum class Format { e4m3, e5m2, e4m3fnuz, e5m2fnuz };

// saturate: finite values beyond ±max clamp to ±max (cuda_fp8.h __NV_SATFINITE); NaN stays NaN.
// +-Inf: e4m3/e5m2 -> +-max (as __NV_SATFINITE), FNUZ -> NaN 0x80 in both modes (ONNX FP8 spec). NaN input -> the
// format's positive NaN (cuda drops the sign). Details and sources: docs/FP8.md.
// nonfinite: as __NV_NOSAT, overflow becomes ±Inf (E5M2) or NaN (E4M3 and FNUZ formats, which have no infinity).
enum class Overflow { saturate, nonfinite };

struct FormatInfo {
  const char* name;           // "e4m3", "e5m2", "e4m3fnuz", "e5m2fnuz"
  int exponent_bits;
  int mantissa_bits;
  int exponent_bias;
  float max;                  // largest finite value
  float min_normal;
  float min_subnormal;
  bool has_infinity;
  bool has_negative_zero;
  std::uint8_t positive_nan;  // the canonical NaN encoding produced by encode()
};

UAL_API const FormatInfo& format_info(Format format) noexcept;
UAL_API std::optional<Format> parse_format(std::string_view name) noexcept;  // "e4m3", "E4M3", "e4m3fnuz", ...

// Round to nearest, ties to even.
UAL_API std::uint8_t encode(float x, Format format, Overflow overflow = Overflow::saturate) noexcept;
UAL_API float decode(std::uint8_t bits, Format format) noexcept;

// 16-bit floating-point inputs, as raw bits (cuda_bf16.h __nv_bfloat16_raw, cuda_fp16.h __half_raw).
struct bfloat16 {
  std::uint16_t bits = 0;
};
struct float16 {
  std::uint16_t bits = 0;
};
UAL_API float to_float(bfloat16 value) noexcept;   // exact
UAL_API float to_float(float16 value) noexcept;    // exact
UAL_API bfloat16 to_bfloat16(float x) noexcept;    // round to nearest even; NaN stays NaN
UAL_API float16 to_float16(float x) noexcept;      // round to nearest even; overflow to ±Inf
// As cuda_fp8.h __nv_cvt_bfloat16raw_to_fp8 / __nv_cvt_halfraw_to_fp8 (exact widening, then one rounding).
UAL_API std::uint8_t encode(bfloat16 x, Format format, Overflow overflow = Overflow::saturate) noexcept;
UAL_API std::uint8_t encode(float16 x, Format format, Overflow overflow = Overflow::saturate) noexcept;

// E8M0 (OCP MX spec v1.0): an unsigned power of two 2^(bits-127); 0xFF is NaN. Encoding as cuda_fp8.h
// __nv_cvt_float_to_e8m0 with cudaRoundZero (toward zero) or cudaRoundPosInf (up), always __NV_SATFINITE: the sign
// is ignored, results clip to [2^-127 (0x00), 2^127 (0xFE)] (+-Inf -> 0xFE), NaN -> 0xFF.
enum class E8m0Rounding { toward_zero, up };
UAL_API std::uint8_t encode_e8m0(float x, E8m0Rounding rounding) noexcept;
UAL_API float decode_e8m0(std::uint8_t bits) noexcept;

}  // namespace ual::fp8
