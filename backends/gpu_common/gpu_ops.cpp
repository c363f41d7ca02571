// The building blocks of gpu_ops.hpp: one validated launch of one kernel each.
#include "gpu_ops.hpp"

#include <algorithm>

#include "gpu_views.hpp"

namespace ual::gpu {
namespace {

template <class Params>
ual_status launch(GpuDevice& device, const char* kernel, const Params& params, const LaunchShape& shape,
                  ual_error* error) {
  return device.launch(kernel, &params, sizeof params, shape, error);
}

bool is_float_or_fp8(int32_t dtype) { return ual::plugin::is_float(dtype) || ual::plugin::is_fp8(dtype); }

}  // namespace

LaunchShape grid_stride_shape(const GpuDevice& device, std::int64_t count, std::uint32_t block) {
  const std::int64_t wanted = (count + block - 1) / block;
  const std::int64_t cap = std::max<std::int64_t>(1, std::int64_t(device.multiprocessor_count()) * 8);
  LaunchShape shape;
  shape.grid[0] = static_cast<std::uint32_t>(std::clamp<std::int64_t>(wanted, 1, cap));
  shape.block[0] = block;
  return shape;
}

ual_status fill_f32(GpuDevice& device, std::uint64_t data, std::int64_t count, float value, ual_error* error) {
  if (count < 0 || (count > 0 && data == 0)) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "fill: %lld floats at address 0x%llx",
                       static_cast<long long>(count), static_cast<unsigned long long>(data));
  }
  if (count == 0) return UAL_STATUS_OK;
  const ual_gpu_fill_params params{data, count, value, 0};
  return launch(device, "ual_fill_f32", params, grid_stride_shape(device, count), error);
}

ual_status convert_to(GpuDevice& device, const ual_gpu_view& x, const ual_gpu_view& y, float scale, bool saturate,
                      ual_error* error) {
  if (!is_float_or_fp8(x.dtype) || !is_float_or_fp8(y.dtype)) {
    return device_fail(device, error, UAL_STATUS_UNSUPPORTED, "convert: %s to %s; f32, f16, bf16 and FP8 are supported",
                       ual::plugin::dtype_name(x.dtype), ual::plugin::dtype_name(y.dtype));
  }
  ual_gpu_view source = x;
  if (ual_status s = broadcast_to(device, y, source, true, {"convert", "output", 0, "y"}, {"convert", "input", 0, "x"},
                                  error)) {
    return s;
  }
  ual_gpu_view target = y;
  ual_gpu_view* views[] = {&source, &target};
  collapse_dimensions(views, 2);
  const std::int64_t count = element_count(target);
  if (count == 0) return UAL_STATUS_OK;
  const ual_gpu_convert_params params{source, target, count, scale, saturate ? 1 : 0};
  return launch(device, "ual_convert", params, grid_stride_shape(device, count), error);
}

ual_status cast_transpose(GpuDevice& device, const ual_gpu_view& x, ual_dtype fp8, std::uint64_t y, std::uint64_t yt,
                          std::uint64_t amax, float scale, bool saturate, ual_error* error) {
  if (x.rank != 2 || !ual::plugin::is_float(x.dtype) || !ual::plugin::is_fp8(fp8)) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT,
                       "cast_transpose: x must be a rank-2 f32/f16/bf16 view (got rank %d, %s) and the output an FP8 "
                       "format (got %s)",
                       x.rank, ual::plugin::dtype_name(x.dtype), ual::plugin::dtype_name(fp8));
  }
  if (amax != 0) {
    if (ual_status s = fill_f32(device, amax, 1, 0.0F, error)) return s;
  }
  const std::int64_t rows = x.shape[0];
  const std::int64_t cols = x.shape[1];
  if (rows == 0 || cols == 0 || (y == 0 && yt == 0 && amax == 0)) return UAL_STATUS_OK;
  const ual_gpu_cast_transpose_params params{x, y, yt, amax, rows, cols, fp8, scale, saturate ? 1 : 0, 0};
  const std::int64_t tiles = ((rows + 31) / 32) * ((cols + 31) / 32);
  LaunchShape shape;
  shape.grid[0] = static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(tiles, 1, std::max<std::int64_t>(1, std::int64_t(device.multiprocessor_count()) * 16)));
  shape.block[0] = 32;  // cast_transpose.cuh: 32x32 tiles, 8 rows of threads
  shape.block[1] = 8;
  return launch(device, "ual_cast_transpose", params, shape, error);
}

ual_status gemm_epilogue(GpuDevice& device, const ual_gpu_gemm_epilogue_params& params, ual_error* error) {
  if (params.product == 0 || params.d.data == 0 || params.d.rank != 3 || !is_float_or_fp8(params.d.dtype) ||
      params.batch < 0 || params.m < 0 || params.n < 0) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT,
                       "GEMM epilogue: needs a product, a rank-3 float or FP8 D and non-negative batch/m/n");
  }
  if (params.amax != 0) {
    if (ual_status s = fill_f32(device, params.amax, 1, 0.0F, error)) return s;
  }
  const std::int64_t count = params.batch * params.m * params.n;
  if (count == 0) return UAL_STATUS_OK;
  return launch(device, "ual_gemm_epilogue", params, grid_stride_shape(device, count), error);
}

ual_status amax_of(GpuDevice& device, const ual_gpu_view& x, std::uint64_t amax, ual_error* error) {
  if (amax == 0 || !is_float_or_fp8(x.dtype)) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "amax: needs an output and a float or FP8 x (got %s)",
                       ual::plugin::dtype_name(x.dtype));
  }
  if (ual_status s = fill_f32(device, amax, 1, 0.0F, error)) return s;
  ual_gpu_view source = x;
  ual_gpu_view* views[] = {&source};
  collapse_dimensions(views, 1);
  const std::int64_t count = element_count(source);
  if (count == 0) return UAL_STATUS_OK;
  const ual_gpu_amax_params params{source, amax, count};
  return launch(device, "ual_amax", params, grid_stride_shape(device, count), error);
}

}  // namespace ual::gpu
