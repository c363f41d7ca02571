#include <algorithm>

#include "device_program.hpp"
#include "kernel_launch.hpp"
#include "ops.hpp"
#include "plugin_error.hpp"
#include "tensor_view.hpp"

namespace ual::opencl {
namespace {

// Enough work-groups to fill any device; larger tensors loop (grid-stride) inside the kernel.
constexpr int64_t kMaxPointwiseGroups = 65536;

}  // namespace

ual_status pointwise_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error) {
  const char* name = op_name(op.kind);
  const bool binary = op.kind == UAL_OP_ADD || op.kind == UAL_OP_MUL;
  const uint32_t inputs_needed = binary ? 2 : 1;
  if (op.input_count < inputs_needed || op.output_count < 1) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s needs %u input(s) (got %u) and an output (got %u)", name,
                inputs_needed, op.input_count, op.output_count);
  }
  cl_float scale = 1.0F;
  cl_int saturate = 1;
  if (op.kind == UAL_OP_QUANTIZE) {
    const auto* params = static_cast<const ual_quantize_params*>(op.params);
    if (params == nullptr) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "QUANTIZE: params (ual_quantize_params) is NULL");
    }
    if (params->abi_version == 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "QUANTIZE: params abi_version is 0");
    scale = params->scale;
    saturate = params->saturate != 0 ? 1 : 0;
  }

  const auto x_types = op.kind == UAL_OP_DEQUANTIZE ? kFp8Types : kFloatTypes;
  const auto y_types = op.kind == UAL_OP_QUANTIZE ? kFp8Types : kFloatTypes;
  TensorDesc a{}, b{}, y{};
  const OperandName a_name{name, "input", 0, binary ? "a" : "x"};
  const OperandName b_name{name, "input", 1, "b"};
  const OperandName y_name{name, "output", 0, "y"};
  if (ual_status s = check_tensor(device, op.inputs[0], a_name, -1, x_types, a, error)) return s;
  if (ual_status s = check_tensor(device, op.outputs[0], y_name, -1, y_types, y, error)) return s;
  if (ual_status s = check_same_shape(y, a, false, y_name, a_name, error)) return s;
  if (binary) {
    if (ual_status s = check_tensor(device, op.inputs[1], b_name, -1, kFloatTypes, b, error)) return s;
    if (ual_status s = check_same_shape(y, b, true, y_name, b_name, error)) return s;
  }
  const ual_tensor* amax_tensor =
      op.kind == UAL_OP_QUANTIZE ? optional_operand(op.outputs, op.output_count, 1) : nullptr;
  if (amax_tensor != nullptr) {
    TensorDesc amax{};
    if (ual_status s =
            check_tensor(device, *amax_tensor, {name, "output", 1, "amax"}, 1, {UAL_DTYPE_F32}, amax, error)) {
      return s;
    }
    if (amax.shape[0] != 1) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "QUANTIZE: output 1 (amax) must have shape [1]");
    }
  }
  int64_t total = 0;
  element_count(op.outputs[0].shape, op.outputs[0].rank, total);  // checked by check_tensor
  if (check_only) return UAL_STATUS_OK;
  if (ual_status s = ensure_program(device, error)) return s;
  if (amax_tensor != nullptr) {
    if (ual_status s = zero_amax(device, amax_tensor->buffer, amax_tensor->offset_bytes, error)) return s;
  }
  if (total == 0) return UAL_STATUS_OK;

  const cl_int kind = op.kind;
  const cl_mem no_memory = nullptr;
  const cl_mem b_memory = binary ? op.inputs[1].buffer->memory : no_memory;
  const cl_mem amax_memory = amax_tensor != nullptr ? amax_tensor->buffer->memory : no_memory;
  const cl_ulong amax_index = amax_tensor != nullptr ? amax_tensor->offset_bytes / 4 : 0;
  const cl_int has_amax = amax_tensor != nullptr ? 1 : 0;
  const cl_long total_arg = total;
  if (ual_status s = set_kernel_arguments(device, device->pointwise_kernel, "pointwise", error, kind, a, b, y,
                                          op.inputs[0].buffer->memory, b_memory, op.outputs[0].buffer->memory,
                                          amax_memory, amax_index, has_amax, scale, saturate, total_arg)) {
    return s;
  }
  const int64_t group = device->launch.point_group;
  const int64_t groups = std::min((total + group - 1) / group, kMaxPointwiseGroups);
  const std::size_t global = static_cast<std::size_t>(groups * group);
  const std::size_t local = static_cast<std::size_t>(group);
  return enqueue_kernel(device, device->pointwise_kernel, "pointwise", 1, &global, &local, error);
}

}  // namespace ual::opencl
