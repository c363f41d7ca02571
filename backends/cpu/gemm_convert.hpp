// Element conversions and strided copies around the oneDNN matmul: widening A and B (f16, bf16, FP8) into the
// primitive's input type, packing views oneDNN cannot take as they are, staging D in f32, and D's amax.
#pragma once

#include <bit>
#include <cstdint>

#include "backends/cpu/gemm_problem.hpp"

namespace ual::cpu {

// IEEE binary16 bits to float, exact for every value (subnormals, ±Inf, NaN payloads). The exponent/mantissa field
// is moved into float position and rescaled by 2^112 (the bias difference 127 - 15), which is exact in binary32
// because every binary16 value is representable there; Inf/NaN get the float all-ones exponent instead.
inline float half_bits_to_float(std::uint16_t half) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
  const std::uint32_t magnitude = half & 0x7fffu;
  std::uint32_t bits = 0;
  if (magnitude >= 0x7c00u) {
    bits = (magnitude << 13) | 0x7f800000u;
  } else {
    bits = std::bit_cast<std::uint32_t>(std::bit_cast<float>(magnitude << 13) * 0x1p112f);
  }
  return std::bit_cast<float>(bits | sign);
}

// float to bfloat16 bits, round to nearest even, bit-for-bit ual::fp8::to_bfloat16 (NaN -> 0x7FFF) but inline, so
// the f32 -> bf16 store of a staged D vectorises (the out-of-line call measured 6.3 ns per element, this < 1).
inline std::uint16_t float_to_bfloat16_bits(float x) noexcept {
  const auto bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return 0x7fff;
  // Adding 0x7fff plus the kept LSB rounds ties to even; a carry into the exponent correctly gives Inf.
  return static_cast<std::uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

// Copies every element of `from` into `to` (same batch, rows, cols; from.batch_stride may be 0 to broadcast),
// converting through float: exact when widening, round to nearest even (ual::fp8::to_bfloat16 / to_float16) when
// narrowing; an FP8 `to` stores encode(x / to.scale_inv), saturating. `to` must not overlap `from` unless both are
// the same view.
// Parallel over rows with OpenMP above a small size.
void copy_matrix(const MatrixView& from, const MatrixView& to);

// Largest |x| over the view as stored, NaN ignored (CUDA fmaxf semantics, as Transformer Engine's amax); 0 if empty.
float max_abs(const MatrixView& view);

// Element i of a vector as float (bias: a few thousand elements, not worth a fast path).
float load_as_float(ual_dtype dtype, const void* base, std::int64_t index);

}  // namespace ual::cpu
