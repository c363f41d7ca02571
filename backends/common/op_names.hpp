// Op names for messages and the checks every plugin makes on a ual_op before dispatching on its kind (shared by the
// OpenCL, CUDA and HIP plugins; header-only because each plugin is its own shared library).
#pragma once

#include "plugin_status.hpp"

namespace ual::plugin {

// An int, not ual_op_kind: messages name kinds before knowing they are valid.
inline const char* op_name(int32_t kind) {
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

// The op struct itself: present, versioned, arrays present when counts say so.
inline ual_status check_op_header(const void* device, const ual_op* op, ual_error* error) {
  if (device == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device is NULL");
  if (op == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "op is NULL");
  if (op->abi_version == 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "op abi_version is 0");
  if ((op->input_count > 0 && op->inputs == nullptr) || (op->output_count > 0 && op->outputs == nullptr)) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: input or output array is NULL with a nonzero count",
                op_name(raw_enum(op->kind)));
  }
  return UAL_STATUS_OK;
}

}  // namespace ual::plugin
