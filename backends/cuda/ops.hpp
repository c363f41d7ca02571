// The ops of backend_abi.h on an open CUDA device: GEMM through cuBLASLt (op_gemm.cpp), every other op through the
// shared GPU op code (backends/gpu_common/gpu_ops.hpp) on the embedded kernels.
#pragma once

#include "plugin_objects.hpp"

namespace ual::cuda {

ual_status gemm_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error);
ual_status run_op(ual_device* device, const ual_op* op, bool check_only, ual_error* error);

}  // namespace ual::cuda
