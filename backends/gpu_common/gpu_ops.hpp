// ual's ops on a CUDA or HIP device, written once over GpuDevice and the shared kernels of backends/gpu_kernels/:
// the ABI's pointwise and row-wise ops, and the building blocks the plugins' GEMM paths (cuBLASLt, rocBLAS) call
// around the vendor library. Every function validates before it launches; on failure nothing is launched and the
// message names the device and the op. Zero-size work launches nothing and succeeds.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "gpu_device.hpp"
#include "kernel_params.h"

namespace ual::gpu {

// QUANTIZE, DEQUANTIZE, GELU, SILU, ADD, MUL (include/ual/backend_abi.h). check_only: validate, launch nothing
// (the plugin's `supports` entry). QUANTIZE's optional amax output is zeroed first, even for an empty x.
ual_status run_pointwise(GpuDevice& device, const ual_op& op, bool check_only, ual_error* error);

// SOFTMAX, RMS_NORM, LAYER_NORM over the last dim. Views whose leading dims cannot be flattened into rows are copied
// through scratch slots 0 (x, f32) and 1 (y) with ual_convert.
ual_status run_rowwise(GpuDevice& device, const ual_op& op, bool check_only, ual_error* error);

// y = convert(x) over y's shape (x has the same shape, or broadcasts through zero strides): float and FP8 dtypes;
// FP8 x is decoded * x.scale_inv, FP8 y gets encode(v * scale) (saturate: as ual::fp8::Overflow::saturate).
ual_status convert_to(GpuDevice& device, const ual_gpu_view& x, const ual_gpu_view& y, float scale, bool saturate,
                      ual_error* error);

// Transformer Engine's cast_transpose of a rank-2 f32/f16/bf16 view x [rows, cols]: y = fp8(x * scale) row-major
// [rows, cols] at `y` and its transpose [cols, rows] at `yt` (either may be 0 = not wanted), FP8 format `fp8`;
// `amax` (device float*, or 0) is zeroed here and receives max |x|.
ual_status cast_transpose(GpuDevice& device, const ual_gpu_view& x, ual_dtype fp8, std::uint64_t y, std::uint64_t yt,
                          std::uint64_t amax, float scale, bool saturate, ual_error* error);

// D = act(P + beta * C + bias) after a library GEMM wrote P (kernel_params.h ual_gpu_gemm_epilogue_params); a
// non-zero params.amax is zeroed here first.
ual_status gemm_epilogue(GpuDevice& device, const ual_gpu_gemm_epilogue_params& params, ual_error* error);

// *amax = max |x| (FP8 x times scale_inv; NaN ignored); zeroes amax first.
ual_status amax_of(GpuDevice& device, const ual_gpu_view& x, std::uint64_t amax, ual_error* error);

// `count` floats at `data` set to `value`.
ual_status fill_f32(GpuDevice& device, std::uint64_t data, std::int64_t count, float value, ual_error* error);

// A dense row-major view of `shape` at `address` (defined in gpu_views.cpp).
ual_gpu_view contiguous_view(ual_dtype dtype, std::initializer_list<std::int64_t> shape, std::uint64_t address);

// Launch geometry for the grid-stride kernels: `block` threads, enough blocks to cover `count` but no more than
// eight per multiprocessor (the loop covers the rest).
LaunchShape grid_stride_shape(const GpuDevice& device, std::int64_t count, std::uint32_t block = 256);

}  // namespace ual::gpu
