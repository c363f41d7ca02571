// SOFTMAX, RMS_NORM, LAYER_NORM through the ual_rowwise kernel (backends/gpu_kernels/rowwise.cuh): one block per row
// of a [rows, cols] view. Leading dims that do not flatten into rows are made contiguous in scratch first.
#include <algorithm>

#include "../common/op_names.hpp"
#include "gpu_ops.hpp"
#include "gpu_views.hpp"

namespace ual::gpu {
namespace {

using ual::plugin::kFloatTypes;

constexpr int kScratchX = 0;
constexpr int kScratchY = 1;

// A power of two: enough threads to cover short rows in one pass, at most 256 (rows of thousands still loop only a
// few times per thread) and never more than the device allows. 64 is a full AMD CDNA wavefront.
std::uint32_t row_threads(const GpuDevice& device, std::int64_t cols) {
  std::uint32_t threads = 64;
  while (threads < 256 && threads < cols) threads *= 2;
  while (threads > 1 && threads > static_cast<std::uint32_t>(device.max_threads_per_block())) threads /= 2;
  return threads;
}

ual_status check_row_vector(GpuDevice& device, const ual_tensor& tensor, const OperandName& name, std::int64_t cols,
                            ual_gpu_view& view, ual_error* error) {
  if (ual_status s = make_view(device, tensor, name, 1, kFloatTypes, view, error)) return s;
  if (view.shape[0] != cols) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s %u (%s) has %lld elements, the rows have %lld",
                       name.op, name.direction, name.index, name.role, static_cast<long long>(view.shape[0]),
                       static_cast<long long>(cols));
  }
  return UAL_STATUS_OK;
}

}  // namespace

ual_status run_rowwise(GpuDevice& device, const ual_op& op, bool check_only, ual_error* error) {
  const int32_t kind = ual::plugin::raw_enum(op.kind);
  const char* name = ual::plugin::op_name(kind);
  const bool norm = kind != UAL_OP_SOFTMAX;
  const uint32_t inputs_needed = norm ? 2 : 1;
  if (op.input_count < inputs_needed || op.output_count < 1 || op.inputs == nullptr || op.outputs == nullptr) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "%s needs %u input(s) (got %u) and an output (got %u)",
                       name, inputs_needed, op.input_count, op.output_count);
  }
  ual_gpu_rowwise_params params{};
  params.op = kind;
  if (norm) {
    const auto* norm_params = static_cast<const ual_norm_params*>(op.params);
    if (norm_params == nullptr || norm_params->abi_version == 0) {
      return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT,
                         "%s: params (ual_norm_params) is NULL or has abi_version 0", name);
    }
    if (!(norm_params->epsilon >= 0.0F)) {
      return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "%s: epsilon must be >= 0, got %g", name,
                         static_cast<double>(norm_params->epsilon));
    }
    params.epsilon = norm_params->epsilon;
  }

  ual_gpu_view x{};
  ual_gpu_view y{};
  const OperandName x_name{name, "input", 0, "x"};
  const OperandName y_name{name, "output", 0, "y"};
  if (ual_status s = make_view(device, op.inputs[0], x_name, -1, kFloatTypes, x, error)) return s;
  if (ual_status s = make_view(device, op.outputs[0], y_name, -1, kFloatTypes, y, error)) return s;
  if (ual_status s = broadcast_to(device, y, x, false, y_name, x_name, error)) return s;
  params.cols = x.shape[x.rank - 1];
  if (norm) {
    if (ual_status s = check_row_vector(device, op.inputs[1], {name, "input", 1, "gamma"}, params.cols, params.gamma,
                                        error)) {
      return s;
    }
    const ual_tensor* beta = kind == UAL_OP_LAYER_NORM ? ual::plugin::optional_operand(op.inputs, op.input_count, 2)
                                                       : nullptr;
    if (beta != nullptr) {
      if (ual_status s = check_row_vector(device, *beta, {name, "input", 2, "beta"}, params.cols, params.beta, error)) {
        return s;
      }
    }
  }
  if (check_only) return UAL_STATUS_OK;
  params.rows = element_count(x) / std::max<std::int64_t>(params.cols, 1);
  if (params.rows == 0 || params.cols == 0) return UAL_STATUS_OK;

  if (!flatten_rows(x, params.x)) {
    std::uint64_t address = 0;
    if (ual_status s = device.scratch(kScratchX, std::uint64_t(params.rows * params.cols) * 4, &address, error)) return s;
    // x's elements copied to a row-major [rows, cols] f32 array (exact for f32, f16 and bf16).
    if (ual_status s = convert_to(device, x, dense_like(x, UAL_DTYPE_F32, address), 1.0F, true, error)) return s;
    flatten_rows(dense_like(x, UAL_DTYPE_F32, address), params.x);
  }
  const bool y_direct = flatten_rows(y, params.y);
  if (!y_direct) {
    std::uint64_t address = 0;
    const std::uint64_t bytes = std::uint64_t(params.rows * params.cols) * ual::plugin::dtype_size(y.dtype);
    if (ual_status s = device.scratch(kScratchY, bytes, &address, error)) return s;
    params.y = contiguous_view(static_cast<ual_dtype>(y.dtype), {params.rows, params.cols}, address);
  }
  LaunchShape shape;
  shape.grid[0] = static_cast<std::uint32_t>(std::min<std::int64_t>(params.rows, 0x7FFFFFFF));
  shape.block[0] = row_threads(device, params.cols);
  if (ual_status s = device.launch("ual_rowwise", &params, sizeof params, shape, error)) return s;
  if (y_direct) return UAL_STATUS_OK;
  return convert_to(device, dense_like(y, y.dtype, params.y.data), y, 1.0F, true, error);  // same dtype: exact
}

}  // namespace ual::gpu
