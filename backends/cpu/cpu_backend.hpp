// The built-in CPU backend: the same backend_abi.h table a plugin returns, so the host drives every device through
// one path. Buffers are host memory (64-byte aligned); ops run synchronously on the calling thread plus OpenMP's
// threads (GEMM through oneDNN, our own kernels for the rest).
#pragma once

#include "ual/backend_abi.h"

namespace ual::cpu {

const ual_backend_api* builtin_backend_init(const ual_host* host, ual_error* error);

// Op implementations (cpu_ops.cpp), called by the table's run().
ual_status run_quantize(const ual_op& op, ual_error* error);
ual_status run_dequantize(const ual_op& op, ual_error* error);
ual_status run_rowwise(const ual_op& op, ual_error* error);      // softmax, rms_norm, layer_norm
ual_status run_elementwise(const ual_op& op, ual_error* error);  // gelu, silu, add, mul
int32_t supports_op(const ual_op& op, ual_error* why);

// Writes a message into error (when not null) and returns status.
ual_status fail(ual_error* error, ual_status status, const char* format, ...) __attribute__((format(printf, 3, 4)));

}  // namespace ual::cpu
