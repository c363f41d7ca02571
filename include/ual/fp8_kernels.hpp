// FP8 bulk kernels: quantize (float / bfloat16 / float16 -> fp8 with a scale, returning the input's amax in the same
// pass), dequantize, and cast_transpose (row-wise and column-wise quantized copies in one pass, the TN layout that
// FP8 GEMMs on Hopper need). Every element is bit-for-bit what the scalar casts of ual/fp8.hpp produce, on every
// instruction set and any number of threads:
//
//   quantize:        output[i] = encode(float(input[i]) * scale, format, options.overflow)
//   dequantize:      output[i] = decode(input[i], format) * scale_inv          (bfloat16 output: to_bfloat16 of it)
//   cast_transpose:  rowwise[r * cols + c] = columnwise[c * rows + r] = encode(float(input[r * cols + c]) * scale)
//
// These are the semantics of Transformer Engine's FP8 cast kernels (transformer_engine/common/util/
// vectorized_pointwise.h unary_kernel: `max = fmaxf(fabsf(temp), max); temp = temp * s;` then the fp8 conversion;
// transformer_engine/common/transpose/cast_transpose*.cu: `T(scale * static_cast<CType>(in))`): 16-bit inputs are
// widened exactly to float, multiplied by the scale in float (one rounding), then converted with one rounding
// (round to nearest even).
//
// amax: the largest |input[i]| of the INPUT (before scaling), as Transformer Engine computes it with fmaxf/fabsf,
// which ignore NaN: NaN elements do not contribute, ±Inf gives amax = +Inf, an empty tensor or one of NaNs only gives
// 0 (Transformer Engine starts its reduction from 0).
//
// Scale: Transformer Engine accepts any float scale, and so do these kernels (0, negative, infinite and subnormal
// scales give whatever the IEEE product gives, element by element) except NaN, which is rejected as an error because
// it can only come from a broken recipe and would silently turn every output into NaN.
//
// Errors are values, reported before any output is written: size mismatches (naming the operand and both sizes),
// rows * cols that does not match the input (or overflows), overlapping input and output memory, a NaN scale, an
// instruction set this CPU lacks. Zero-size tensors are fine (amax 0). Pointers need no particular alignment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "ual/export.hpp"
#include "ual/fp8.hpp"
#include "ual/result.hpp"

namespace ual::fp8 {

// Which implementation runs. scalar is the reference (ual::fp8::encode / decode per element); avx2 needs AVX2, FMA,
// F16C and BMI2; avx512 needs AVX-512 F, BW, VL and DQ. automatic picks the best this CPU has. The vector paths
// convert all four formats (FNUZ included) in SIMD integer arithmetic and give the reference's bits exactly.
enum class Isa { automatic, scalar, avx2, avx512 };

UAL_API const char* to_string(Isa isa) noexcept;   // "automatic", "scalar", "avx2", "avx512"
UAL_API Isa detected_isa() noexcept;                // the best this CPU supports (never automatic)
UAL_API bool isa_supported(Isa isa) noexcept;       // automatic and scalar: always true

struct KernelOptions {
  Overflow overflow = Overflow::saturate;  // quantize and cast_transpose only
  // 0 = automatic: one thread below kernel_parallel_threshold_bytes() of input + output, else
  // std::thread::hardware_concurrency(). N > 0: up to N threads (at most one per 64 elements, for cast_transpose
  // one per 64 rows; capped at 256), which lets tests exercise chunk boundaries on small tensors. The calling thread
  // is one of them; the others come from a private pool started on first use. Results never depend on the count.
  unsigned threads = 0;
  Isa isa = Isa::automatic;  // forcing one the CPU lacks is an ErrorCode::unavailable error
};

// The tensor size (bytes read + bytes written) from which threads = 0 uses more than one thread (measured; see
// docs/PERFORMANCE.md "FP8 bulk kernels").
UAL_API std::size_t kernel_parallel_threshold_bytes() noexcept;

// output[i] = encode(input[i] * scale, format, options.overflow); returns amax of input.
UAL_API Result<float> quantize(std::span<const float> input, float scale, Format format,
                               std::span<std::uint8_t> output, const KernelOptions& options = {});
UAL_API Result<float> quantize(std::span<const bfloat16> input, float scale, Format format,
                               std::span<std::uint8_t> output, const KernelOptions& options = {});
UAL_API Result<float> quantize(std::span<const float16> input, float scale, Format format,
                               std::span<std::uint8_t> output, const KernelOptions& options = {});

// output[i] = decode(input[i], format) * scale_inv (one float rounding; the bfloat16 overload then rounds that float
// with to_bfloat16). options.overflow is not used.
UAL_API Status dequantize(std::span<const std::uint8_t> input, float scale_inv, Format format,
                          std::span<float> output, const KernelOptions& options = {});
UAL_API Status dequantize(std::span<const std::uint8_t> input, float scale_inv, Format format,
                          std::span<bfloat16> output, const KernelOptions& options = {});

// input is rows x cols, row-major. rowwise (rows x cols) gets the quantized copy, columnwise (cols x rows) its
// transpose: columnwise[c * rows + r] == rowwise[r * cols + c]. Returns amax of input. One pass over the input.
UAL_API Result<float> cast_transpose(std::span<const float> input, std::size_t rows, std::size_t cols, float scale,
                                     Format format, std::span<std::uint8_t> rowwise,
                                     std::span<std::uint8_t> columnwise, const KernelOptions& options = {});
UAL_API Result<float> cast_transpose(std::span<const bfloat16> input, std::size_t rows, std::size_t cols,
                                     float scale, Format format, std::span<std::uint8_t> rowwise,
                                     std::span<std::uint8_t> columnwise, const KernelOptions& options = {});
UAL_API Result<float> cast_transpose(std::span<const float16> input, std::size_t rows, std::size_t cols,
                                     float scale, Format format, std::span<std::uint8_t> rowwise,
                                     std::span<std::uint8_t> columnwise, const KernelOptions& options = {});

}  // namespace ual::fp8
