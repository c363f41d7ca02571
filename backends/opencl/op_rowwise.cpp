#include "device_program.hpp"
#include "kernel_launch.hpp"
#include "ops.hpp"
#include "plugin_error.hpp"
#include "tensor_view.hpp"

namespace ual::opencl {

ual_status rowwise_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error) {
  const char* name = op_name(op.kind);
  const bool norm = op.kind != UAL_OP_SOFTMAX;
  const uint32_t inputs_needed = norm ? 2 : 1;
  if (op.input_count < inputs_needed || op.output_count < 1) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s needs %u input(s) (got %u) and an output (got %u)", name,
                inputs_needed, op.input_count, op.output_count);
  }
  cl_float epsilon = 0.0F;
  if (norm) {
    const auto* params = static_cast<const ual_norm_params*>(op.params);
    if (params == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: params (ual_norm_params) is NULL", name);
    if (params->abi_version == 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: params abi_version is 0", name);
    if (!(params->epsilon >= 0.0F)) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: epsilon must be >= 0, got %g", name,
                  static_cast<double>(params->epsilon));
    }
    epsilon = params->epsilon;
  }

  TensorDesc x{}, gamma{}, beta{}, y{};
  const OperandName x_name{name, "input", 0, "x"};
  const OperandName y_name{name, "output", 0, "y"};
  if (ual_status s = check_tensor(device, op.inputs[0], x_name, -1, kFloatTypes, x, error)) return s;
  if (ual_status s = check_tensor(device, op.outputs[0], y_name, -1, kFloatTypes, y, error)) return s;
  if (ual_status s = check_same_shape(x, y, false, x_name, y_name, error)) return s;
  const int64_t cols = x.shape[x.rank - 1];
  const ual_tensor* beta_tensor = nullptr;
  if (norm) {
    if (ual_status s = check_tensor(device, op.inputs[1], {name, "input", 1, "gamma"}, 1, kFloatTypes, gamma, error)) {
      return s;
    }
    if (gamma.shape[0] != cols) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: input 1 (gamma) has %lld elements, the rows have %lld",
                  name, static_cast<long long>(gamma.shape[0]), static_cast<long long>(cols));
    }
    beta_tensor = op.kind == UAL_OP_LAYER_NORM ? optional_operand(op.inputs, op.input_count, 2) : nullptr;
    if (beta_tensor != nullptr) {
      if (ual_status s = check_tensor(device, *beta_tensor, {name, "input", 2, "beta"}, 1, kFloatTypes, beta, error)) {
        return s;
      }
      if (beta.shape[0] != cols) {
        return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: input 2 (beta) has %lld elements, the rows have %lld",
                    name, static_cast<long long>(beta.shape[0]), static_cast<long long>(cols));
      }
    }
  }
  int64_t rows = 0;
  element_count(op.inputs[0].shape, op.inputs[0].rank - 1, rows);
  if (check_only) return UAL_STATUS_OK;
  if (ual_status s = ensure_program(device, error)) return s;
  if (rows == 0 || cols == 0) return UAL_STATUS_OK;

  const cl_int kind = op.kind;
  const cl_mem no_memory = nullptr;
  const cl_mem gamma_memory = norm ? op.inputs[1].buffer->memory : no_memory;
  const cl_mem beta_memory = beta_tensor != nullptr ? beta_tensor->buffer->memory : no_memory;
  if (ual_status s = set_kernel_arguments(device, device->rowwise_kernel, "rowwise", error, kind, x, gamma, beta, y,
                                          op.inputs[0].buffer->memory, gamma_memory, beta_memory,
                                          op.outputs[0].buffer->memory, epsilon)) {
    return s;
  }
  const std::size_t local = static_cast<std::size_t>(device->launch.row_group);
  const std::size_t global = static_cast<std::size_t>(rows) * local;
  return enqueue_kernel(device, device->rowwise_kernel, "rowwise", 1, &global, &local, error);
}

}  // namespace ual::opencl
