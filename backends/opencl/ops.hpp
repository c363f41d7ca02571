// The ops of backend_abi.h on an open device. Each function validates the whole op first (shapes, dtypes, strides,
// params, buffer bounds) and, unless `check_only` (supports()), enqueues its kernel. Unsupported dtype combinations
// are UAL_STATUS_UNSUPPORTED, malformed input UAL_STATUS_INVALID_ARGUMENT, both with a message.
#pragma once

#include "plugin_objects.hpp"

namespace ual::opencl {

ual_status gemm_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error);
// QUANTIZE, DEQUANTIZE, GELU, SILU, ADD, MUL.
ual_status pointwise_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error);
// SOFTMAX, RMS_NORM, LAYER_NORM.
ual_status rowwise_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error);

// Dispatch on op.kind after checking the op struct itself (counts, arrays, abi_version).
ual_status run_op(ual_device* device, const ual_op* op, bool check_only, ual_error* error);

const char* op_name(int32_t kind);  // an int: run_op names kinds before knowing they are valid

}  // namespace ual::opencl
