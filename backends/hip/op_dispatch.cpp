#include "../common/op_names.hpp"
#include "../gpu_common/gpu_ops.hpp"
#include "ops.hpp"

namespace ual::hip {

ual_status run_op(ual_device* device, const ual_op* op, bool check_only, ual_error* error) {
  if (ual_status s = ual::plugin::check_op_header(device, op, error)) return s;
  if (!check_only) {
    if (ual_status s = device->make_current(error)) return s;
    device->last_op = ual::plugin::op_name(ual::plugin::raw_enum(op->kind));
  }
  switch (ual::plugin::raw_enum(op->kind)) {
    case UAL_OP_GEMM: return gemm_op(device, *op, check_only, error);
    case UAL_OP_QUANTIZE:
    case UAL_OP_DEQUANTIZE:
    case UAL_OP_GELU:
    case UAL_OP_SILU:
    case UAL_OP_ADD:
    case UAL_OP_MUL: return ual::gpu::run_pointwise(*device, *op, check_only, error);
    case UAL_OP_SOFTMAX:
    case UAL_OP_RMS_NORM:
    case UAL_OP_LAYER_NORM: return ual::gpu::run_rowwise(*device, *op, check_only, error);
  }
  return ual::plugin::fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: unknown op kind %d", device->label().c_str(),
                           ual::plugin::raw_enum(op->kind));
}

}  // namespace ual::hip
