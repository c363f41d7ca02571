/* Scalar element conversions and activations shared by every GPU kernel, callable from device code (nvcc, hipcc)
 * and from host code (g++, where tests check them bit for bit against ual::fp8). f16 / bf16 travel as uint16_t and
 * FP8 as uint8_t bits; every conversion is integer arithmetic that mirrors src/fp8/format.cpp and
 * src/fp8/half_types.cpp (and backends/opencl/kernels/scalar_types.cl, their OpenCL port), so results depend neither
 * on a device's f16 instructions nor on its denormal mode. */
#ifndef UAL_GPU_DEVICE_SCALAR_H
#define UAL_GPU_DEVICE_SCALAR_H

#include "gpu_portability.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kernel_params.h"
#include "ual/backend_abi.h"

namespace ual_gpu {

UAL_HOST_DEVICE uint32_t float_bits(float x) {
#if UAL_DEVICE_PASS
  return __float_as_uint(x);
#else
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  return bits;
#endif
}

UAL_HOST_DEVICE float bits_float(uint32_t bits) {
#if UAL_DEVICE_PASS
  return __uint_as_float(bits);
#else
  float x;
  memcpy(&x, &bits, sizeof x);
  return x;
#endif
}

/* Round-to-nearest-even of `value >> shift` (1 <= shift <= 31): half_types.cpp shift_right_rne. */
UAL_HOST_DEVICE uint32_t shift_right_rne(uint32_t value, int shift) {
  const uint32_t quotient = value >> shift;
  const uint32_t remainder = value & ((1u << shift) - 1u);
  const uint32_t half_step = 1u << (shift - 1);
  return quotient + ((remainder > half_step || (remainder == half_step && (quotient & 1u) != 0)) ? 1u : 0u);
}

UAL_HOST_DEVICE float bf16_to_float(uint16_t bits) { return bits_float(uint32_t(bits) << 16); }

/* Round to nearest even; NaN becomes the canonical 0x7FFF (cuda_bf16.h __float2bfloat16, ual::fp8::to_bfloat16). */
UAL_HOST_DEVICE uint16_t float_to_bf16(float x) {
  const uint32_t bits = float_bits(x);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return uint16_t(0x7FFF);
  return uint16_t(((bits & 0x80000000u) >> 16) | shift_right_rne(bits & 0x7FFFFFFFu, 16));
}

/* Exact widening (ual::fp8::to_float(float16)); half subnormals are float normals. */
UAL_HOST_DEVICE float f16_to_float(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  uint32_t mantissa = h & 0x3FFu;
  uint32_t out = 0;
  if (exp == 0x1Fu) {
    out = 0x7F800000u | (mantissa << 13);
  } else if (exp != 0) {
    out = ((exp + (127u - 15u)) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {
    int lead = 9;  // position of the leading one, found without clz (spelled differently on every toolchain)
    while ((mantissa & (1u << lead)) == 0) --lead;
    out = (uint32_t(lead + 127 - 24) << 23) | ((mantissa << (23 - lead)) & 0x7FFFFFu);
  }
  return bits_float(sign | out);
}

/* ual::fp8::to_float16: round to nearest even, overflow to +-Inf, NaN -> 0x7FFF. */
UAL_HOST_DEVICE uint16_t float_to_f16(float x) {
  const uint32_t bits = float_bits(x);
  const uint32_t abs_bits = bits & 0x7FFFFFFFu;
  const uint16_t sign = uint16_t((bits >> 16) & 0x8000u);
  if (abs_bits > 0x7F800000u) return uint16_t(0x7FFF);
  if (abs_bits == 0x7F800000u) return uint16_t(sign | 0x7C00u);
  uint32_t magnitude = 0;
  if (abs_bits >= 0x38800000u) {
    magnitude = shift_right_rne(abs_bits - ((127u - 15u) << 23), 13);
    if (magnitude > 0x7C00u) magnitude = 0x7C00u;
  } else {
    const uint32_t e = abs_bits >> 23;
    if (e < 102u) return sign;  // below half the smallest subnormal
    const uint32_t sig = (abs_bits & 0x7FFFFFu) | 0x800000u;
    magnitude = shift_right_rne(sig, int(126u - e));
  }
  return uint16_t(sign | magnitude);
}

UAL_HOST_DEVICE bool is_fp8_dtype(int32_t dtype) {
  return dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2 || dtype == UAL_DTYPE_FP8_E4M3FNUZ ||
         dtype == UAL_DTYPE_FP8_E5M2FNUZ;
}
UAL_HOST_DEVICE int fp8_mantissa_bits(int32_t dtype) {
  return (dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E4M3FNUZ) ? 3 : 2;
}
UAL_HOST_DEVICE int fp8_bias(int32_t dtype) {
  return dtype == UAL_DTYPE_FP8_E4M3 ? 7 : dtype == UAL_DTYPE_FP8_E5M2 ? 15 : dtype == UAL_DTYPE_FP8_E4M3FNUZ ? 8 : 16;
}

/* ual::fp8::decode: the code's value, NaN as the positive quiet NaN. */
UAL_HOST_DEVICE float fp8_decode(uint32_t code, int32_t dtype) {
  const float nan = bits_float(0x7FC00000u);
  const uint32_t magnitude_code = code & 0x7Fu;
  const bool negative = (code & 0x80u) != 0;
  const bool fnuz = dtype == UAL_DTYPE_FP8_E4M3FNUZ || dtype == UAL_DTYPE_FP8_E5M2FNUZ;
  if (fnuz && code == 0x80u) return nan;
  if (dtype == UAL_DTYPE_FP8_E4M3 && magnitude_code == 0x7Fu) return nan;
  if (dtype == UAL_DTYPE_FP8_E5M2 && (magnitude_code & 0x7Cu) == 0x7Cu) {
    if ((magnitude_code & 0x3u) != 0) return nan;
    return bits_float(negative ? 0xFF800000u : 0x7F800000u);
  }
  const int m = fp8_mantissa_bits(dtype);
  const int bias = fp8_bias(dtype);
  const uint32_t exp_field = magnitude_code >> m;
  const uint32_t mantissa = magnitude_code & ((1u << m) - 1u);
  float magnitude;
  if (exp_field == 0) {
    // mantissa * 2^(1 - bias - m): a small integer times a normal power of two, exact in float.
    magnitude = float(mantissa) * bits_float(uint32_t(127 + 1 - bias - m) << 23);
  } else {
    magnitude = bits_float(((exp_field - uint32_t(bias) + 127u) << 23) | (mantissa << (23 - m)));
  }
  return negative ? -magnitude : magnitude;
}

/* round_magnitude of src/fp8/format.cpp: the magnitude code of a finite |x|, past the largest code on overflow. */
UAL_HOST_DEVICE uint32_t fp8_round_magnitude(uint32_t abs_bits, int m, int bias) {
  const int dropped = 23 - m;
  const uint32_t min_normal_bits = uint32_t(127 + 1 - bias) << 23;
  if (abs_bits >= min_normal_bits) {
    uint32_t rebased = abs_bits - (uint32_t(127 - bias) << 23);
    const uint32_t lsb = (rebased >> dropped) & 1u;
    rebased += ((1u << (dropped - 1)) - 1u) + lsb;
    return rebased >> dropped;
  }
  const uint32_t exp_field = abs_bits >> 23;
  const uint32_t sig = (abs_bits & 0x7FFFFFu) | (exp_field != 0 ? 0x800000u : 0u);
  const int e = exp_field != 0 ? int(exp_field) : 1;
  const int shift = 151 - bias - m - e;
  if (shift >= 25) return 0;
  return shift_right_rne(sig, shift);
}

/* ual::fp8::encode (encode_ocp / encode_fnuz of src/fp8/format.cpp); saturate != 0 is Overflow::saturate. */
UAL_HOST_DEVICE uint8_t fp8_encode(float x, int32_t dtype, int saturate) {
  const uint32_t bits = float_bits(x);
  const uint32_t abs_bits = bits & 0x7FFFFFFFu;
  const uint32_t sign = (bits >> 24) & 0x80u;
  const int m = fp8_mantissa_bits(dtype);
  const int bias = fp8_bias(dtype);
  if (dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2) {
    if (abs_bits > 0x7F800000u) return uint8_t(0x7F);
    const uint32_t max_code = dtype == UAL_DTYPE_FP8_E4M3 ? 0x7Eu : 0x7Bu;
    const uint32_t nosat_code = dtype == UAL_DTYPE_FP8_E4M3 ? 0x7Fu : 0x7Cu;
    const uint32_t code = abs_bits == 0x7F800000u ? max_code + 1u : fp8_round_magnitude(abs_bits, m, bias);
    if (code > max_code) return uint8_t(sign | (saturate ? max_code : nosat_code));
    return uint8_t(sign | code);
  }
  if (abs_bits >= 0x7F800000u) return uint8_t(0x80);
  const uint32_t code = fp8_round_magnitude(abs_bits, m, bias);
  if (code == 0) return uint8_t(0);
  if (code > 0x7Fu) return saturate ? uint8_t(sign | 0x7Fu) : uint8_t(0x80);
  return uint8_t(sign | code);
}

/* x * scale as QUANTIZE defines it; x * 1 == x, but skipping the product keeps subnormal inputs exact even where a
 * build flushes f32 denormals (-ftz, -ffast-math). */
UAL_HOST_DEVICE float apply_scale(float x, float scale) { return scale == 1.0f ? x : x * scale; }

UAL_HOST_DEVICE int dtype_bytes(int32_t dtype) {
  return dtype == UAL_DTYPE_F32 || dtype == UAL_DTYPE_I32 ? 4 : (dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16) ? 2 : 1;
}

/* The stored value at element `offset` (in elements from view.data) as float; FP8 decoded without scale_inv (ops
 * apply scales where they define them). */
UAL_HOST_DEVICE float load_element(const ual_gpu_view& view, int64_t offset) {
  const unsigned char* base = reinterpret_cast<const unsigned char*>(view.data);
  switch (view.dtype) {
    case UAL_DTYPE_F32: return reinterpret_cast<const float*>(base)[offset];
    case UAL_DTYPE_F16: return f16_to_float(reinterpret_cast<const uint16_t*>(base)[offset]);
    case UAL_DTYPE_BF16: return bf16_to_float(reinterpret_cast<const uint16_t*>(base)[offset]);
    default: return fp8_decode(base[offset], view.dtype);
  }
}

/* Rounds `value` to the view's dtype at element `offset`; FP8 views encode it (the caller has applied the scale). */
UAL_HOST_DEVICE void store_element(const ual_gpu_view& view, int64_t offset, float value, int saturate) {
  unsigned char* base = reinterpret_cast<unsigned char*>(view.data);
  switch (view.dtype) {
    case UAL_DTYPE_F32: reinterpret_cast<float*>(base)[offset] = value; break;
    case UAL_DTYPE_F16: reinterpret_cast<uint16_t*>(base)[offset] = float_to_f16(value); break;
    case UAL_DTYPE_BF16: reinterpret_cast<uint16_t*>(base)[offset] = float_to_bf16(value); break;
    default: base[offset] = fp8_encode(value, view.dtype, saturate); break;
  }
}

/* Row-major coordinates of `linear` in `shape` (first `rank` dims). 64-bit throughout: tensors past 2^31 elements. */
UAL_HOST_DEVICE void unravel(int64_t linear, int32_t rank, const int64_t* shape, int64_t* coord) {
  for (int32_t d = rank - 1; d >= 0; --d) {
    const int64_t extent = shape[d];
    coord[d] = extent > 0 ? linear % extent : 0;
    linear = extent > 0 ? linear / extent : 0;
  }
}

/* Element offset of coordinates `coord` in a view of the same rank (broadcast dims have stride 0). */
UAL_HOST_DEVICE int64_t offset_of(const ual_gpu_view& view, const int64_t* coord) {
  int64_t offset = 0;
  for (int32_t d = 0; d < view.rank; ++d) offset += coord[d] * view.strides[d];
  return offset;
}

/* Transformer Engine's amax step fmaxf(fabsf(x), amax): NaN never wins, +-Inf does. */
UAL_HOST_DEVICE float amax_step(float amax, float x) {
  const float a = fabsf(x);
  return a > amax ? a : amax;
}

/* GELU, tanh approximation (as cuBLASLt CUBLASLT_EPILOGUE_GELU): 0.5 x (1 + tanh(u)), u = sqrt(2/pi)(x + 0.044715 x^3),
 * evaluated as x / (1 + e^(-2u)) like the CPU backend (backends/cpu/kernels/elementwise_scalar.cpp gelu_value): the
 * two are equal, and the second does not cancel to 0 for very negative x. */
UAL_HOST_DEVICE float gelu_tanh(float x) {
  const float k = 0.7978845608028654f;  // sqrt(2 / pi)
  const float u = k * (x + 0.044715f * x * x * x);
  return x / (1.0f + expf(-2.0f * u));
}

UAL_HOST_DEVICE float silu(float x) { return x / (1.0f + expf(-x)); }

/* ual_epilogue values: NONE, GELU, SILU. */
UAL_HOST_DEVICE float activate(float v, int32_t activation) {
  return activation == UAL_EPILOGUE_GELU ? gelu_tanh(v) : activation == UAL_EPILOGUE_SILU ? silu(v) : v;
}

}  // namespace ual_gpu

#endif /* UAL_GPU_DEVICE_SCALAR_H */
