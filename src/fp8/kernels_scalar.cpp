// The FP8 bulk kernels' reference path: one ual::fp8::encode / decode per element, exactly the formulas that
// ual/fp8_kernels.hpp documents. The vector paths are tested against it (and through it against cuda_fp8.h).
//
// amax as Transformer Engine computes it (transformer_engine/common/util/vectorized_pointwise.h unary_kernel and
// transpose/cast_transpose*.cu: `max = fmaxf(fabsf(x), max)` from max = 0, then a block reduce_max and
// atomicMaxFloat, both max operations again): CUDA's fmaxf (PTX max.f32) returns the other operand when one is
// NaN, quiet or signalling, so NaN inputs never reach amax; ±Inf does. std::fmax is not used: glibc's follows
// IEEE 754-2008 maxNum and returns NaN for a signalling NaN operand. A plain comparison is fmaxf here, because amax
// is never NaN itself.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fp8/kernel_dispatch.hpp"

namespace ual::fp8::detail {
namespace {

inline float widen(float x) { return x; }
inline float widen(bfloat16 x) { return to_float(x); }
inline float widen(float16 x) { return to_float(x); }

inline float max_abs(float amax, float x) {
  const float a = std::fabs(x);
  return a > amax ? a : amax;  // false for NaN
}

inline std::uint32_t float_bits(float x) {
  std::uint32_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

template <class T>
std::uint32_t quantize_scalar(const T* in, std::uint8_t* out, std::size_t n, const QuantizeArgs& args) {
  float amax = 0.0f;
  for (std::size_t i = 0; i < n; ++i) {
    const float x = widen(in[i]);
    amax = max_abs(amax, x);
    out[i] = encode(x * args.scale, args.format, args.overflow);
  }
  return float_bits(amax);
}

void dequantize_f32_scalar(const std::uint8_t* in, float* out, std::size_t n, const DequantizeArgs& args) {
  for (std::size_t i = 0; i < n; ++i) out[i] = decode(in[i], args.format) * args.scale_inv;
}

void dequantize_bf16_scalar(const std::uint8_t* in, bfloat16* out, std::size_t n, const DequantizeArgs& args) {
  for (std::size_t i = 0; i < n; ++i) out[i] = to_bfloat16(decode(in[i], args.format) * args.scale_inv);
}

// The definition itself, element by element: both outputs written from the same code.
template <class T>
std::uint32_t cast_transpose_scalar(const T* in, std::size_t rows, std::size_t cols, std::size_t row_begin,
                                    std::size_t row_end, std::uint8_t* rowwise, std::uint8_t* columnwise,
                                    std::uint8_t* /*scratch*/, const QuantizeArgs& args) {
  float amax = 0.0f;
  for (std::size_t r = row_begin; r < row_end; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const float x = widen(in[r * cols + c]);
      amax = max_abs(amax, x);
      const std::uint8_t code = encode(x * args.scale, args.format, args.overflow);
      rowwise[r * cols + c] = code;
      columnwise[c * rows + r] = code;
    }
  }
  return float_bits(amax);
}

}  // namespace

const KernelSet& scalar_kernel_set() noexcept {
  static const KernelSet set = [] {
    KernelSet s;
    s.name = "scalar";
    s.quantize_f32 = &quantize_scalar<float>;
    s.quantize_bf16 = &quantize_scalar<bfloat16>;
    s.quantize_f16 = &quantize_scalar<float16>;
    s.dequantize_f32 = &dequantize_f32_scalar;
    s.dequantize_bf16 = &dequantize_bf16_scalar;
    s.cast_transpose_f32 = &cast_transpose_scalar<float>;
    s.cast_transpose_bf16 = &cast_transpose_scalar<bfloat16>;
    s.cast_transpose_f16 = &cast_transpose_scalar<float16>;
    return s;
  }();
  return set;
}

}  // namespace ual::fp8::detail
