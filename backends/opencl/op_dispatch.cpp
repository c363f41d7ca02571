#include "ops.hpp"
#include "../common/op_names.hpp"
#include "plugin_error.hpp"

namespace ual::opencl {

const char* op_name(int32_t kind) { return ual::plugin::op_name(kind); }

ual_status run_op(ual_device* device, const ual_op* op, bool check_only, ual_error* error) {
  if (ual_status s = ual::plugin::check_op_header(device, op, error)) return s;
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
