// QUANTIZE, DEQUANTIZE, GELU, SILU, ADD, MUL through the ual_pointwise kernel (backends/gpu_kernels/pointwise.cuh).
#include "../common/op_names.hpp"
#include "gpu_ops.hpp"
#include "gpu_views.hpp"

namespace ual::gpu {

using ual::plugin::kFloatTypes;
using ual::plugin::kFp8Types;

ual_status run_pointwise(GpuDevice& device, const ual_op& op, bool check_only, ual_error* error) {
  const int32_t kind = ual::plugin::raw_enum(op.kind);
  const char* name = ual::plugin::op_name(kind);
  const bool binary = kind == UAL_OP_ADD || kind == UAL_OP_MUL;
  const uint32_t inputs_needed = binary ? 2 : 1;
  if (op.input_count < inputs_needed || op.output_count < 1 || op.inputs == nullptr || op.outputs == nullptr) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "%s needs %u input(s) (got %u) and an output (got %u)",
                       name, inputs_needed, op.input_count, op.output_count);
  }
  ual_gpu_pointwise_params params{};
  params.op = kind;
  params.scale = 1.0F;
  params.saturate = 1;
  if (kind == UAL_OP_QUANTIZE) {
    const auto* quantize = static_cast<const ual_quantize_params*>(op.params);
    if (quantize == nullptr || quantize->abi_version == 0) {
      return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT,
                         "QUANTIZE: params (ual_quantize_params) is NULL or has abi_version 0");
    }
    params.scale = quantize->scale;
    params.saturate = quantize->saturate != 0 ? 1 : 0;
  }

  const OperandName x_name{name, "input", 0, binary ? "a" : "x"};
  const OperandName b_name{name, "input", 1, "b"};
  const OperandName y_name{name, "output", 0, "y"};
  const auto x_types = kind == UAL_OP_DEQUANTIZE ? kFp8Types : kFloatTypes;
  const auto y_types = kind == UAL_OP_QUANTIZE ? kFp8Types : kFloatTypes;
  if (ual_status s = make_view(device, op.inputs[0], x_name, -1, x_types, params.x, error)) return s;
  if (ual_status s = make_view(device, op.outputs[0], y_name, -1, y_types, params.y, error)) return s;
  if (ual_status s = broadcast_to(device, params.y, params.x, false, y_name, x_name, error)) return s;
  if (binary) {
    if (ual_status s = make_view(device, op.inputs[1], b_name, -1, kFloatTypes, params.b, error)) return s;
    if (ual_status s = broadcast_to(device, params.y, params.b, true, y_name, b_name, error)) return s;
  }
  const ual_tensor* amax_tensor =
      kind == UAL_OP_QUANTIZE ? ual::plugin::optional_operand(op.outputs, op.output_count, 1) : nullptr;
  if (amax_tensor != nullptr) {
    ual_gpu_view amax{};
    if (ual_status s = make_view(device, *amax_tensor, {name, "output", 1, "amax"}, 1, {UAL_DTYPE_F32}, amax, error)) {
      return s;
    }
    if (amax.shape[0] != 1) {
      return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "QUANTIZE: output 1 (amax) must have shape [1]");
    }
    params.amax = amax.data;
  }
  if (check_only) return UAL_STATUS_OK;
  if (params.amax != 0) {
    if (ual_status s = fill_f32(device, params.amax, 1, 0.0F, error)) return s;  // amax of nothing is 0
  }
  params.count = element_count(params.y);
  if (params.count == 0) return UAL_STATUS_OK;
  ual_gpu_view* views[] = {&params.y, &params.x, &params.b};
  collapse_dimensions(views, binary ? 3 : 2);
  return device.launch("ual_pointwise", &params, sizeof params, grid_stride_shape(device, params.count), error);
}

}  // namespace ual::gpu
