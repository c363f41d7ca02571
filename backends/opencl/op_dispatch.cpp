#include "ops.hpp"
#include "plugin_error.hpp"

namespace ual::opencl {

const char* op_name(int32_t kind) {
  switch (kind) {
    case UAL_OP_GEMM: return "GEMM";
    case UAL_OP_QUANTIZE: return "QUANTIZE";
    case UAL_OP_DEQUANTIZE: return "DEQUANTIZE";
    case UAL_OP_SOFTMAX: return "SOFTMAX";
    case UAL_OP_RMS_NORM: return "RMS_NORM";
    case UAL_OP_LAYER_NORM: return "LAYER_NORM";
    case UAL_OP_GELU: return "GELU";
    case UAL_OP_SILU: return "SILU";
    case UAL_OP_ADD: return "ADD";
    case UAL_OP_MUL: return "MUL";
  }
  return "unknown op";
}

ual_status run_op(ual_device* device, const ual_op* op, bool check_only, ual_error* error) {
  if (device == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device is NULL");
  if (op == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "op is NULL");
  if (op->abi_version == 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "op abi_version is 0");
  if ((op->input_count > 0 && op->inputs == nullptr) || (op->output_count > 0 && op->outputs == nullptr)) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: input or output array is NULL with a nonzero count",
                op_name(raw_enum(op->kind)));
  }
  switch (raw_enum(op->kind)) {
    case UAL_OP_GEMM: return gemm_op(device, *op, check_only, error);
    case UAL_OP_QUANTIZE:
    case UAL_OP_DEQUANTIZE:
    case UAL_OP_GELU:
    case UAL_OP_SILU:
    case UAL_OP_ADD:
    case UAL_OP_MUL: return pointwise_op(device, *op, check_only, error);
    case UAL_OP_SOFTMAX:
    case UAL_OP_RMS_NORM:
    case UAL_OP_LAYER_NORM: return rowwise_op(device, *op, check_only, error);
  }
  return fail(error, UAL_STATUS_INVALID_ARGUMENT, "unknown op kind %d", raw_enum(op->kind));
}

}  // namespace ual::opencl
