// Checking an ABI tensor view against what a kernel may touch, and turning it into the descriptor the kernels take.
// Every op validates its operands here first: the host validates too, but a bad view must never reach a kernel.
#pragma once

#include <cstdint>
#include <initializer_list>

#include "../common/abi_tensor_checks.hpp"
#include "plugin_objects.hpp"

namespace ual::opencl {

// Mirrors TensorDesc in kernels/scalar_types.cl (member for member; OpenCL C uses the C layout rules).
struct TensorDesc {
  cl_long shape[UAL_MAX_RANK];
  cl_long strides[UAL_MAX_RANK];
  cl_long offset_bytes;
  cl_int rank;
  cl_int dtype;
  cl_float scale_inv;
  cl_int present;
};
static_assert(sizeof(TensorDesc) == 120, "TensorDesc must match the OpenCL C struct");

// The device-independent checks and dtype helpers live in backends/common/abi_tensor_checks.hpp.
using ual::plugin::dtype_name;
using ual::plugin::dtype_size;
using ual::plugin::element_count;
using ual::plugin::is_float;
using ual::plugin::is_fp8;
using ual::plugin::kFloatTypes;
using ual::plugin::kFp8Types;
using ual::plugin::kMatmulInputTypes;
using ual::plugin::OperandName;
using ual::plugin::optional_operand;

// Checks abi_version, rank (== `rank`, or 1..UAL_MAX_RANK when rank < 0), shape, dtype (one of `allowed`: an
// unlisted known dtype is UNSUPPORTED, an unknown one INVALID_ARGUMENT), buffer ownership, alignment of the offset,
// and that every addressed element lies inside the buffer. On success `desc` describes the view.
ual_status check_tensor(const ual_device* device, const ual_tensor& tensor, const OperandName& name, int rank,
                        std::initializer_list<ual_dtype> allowed, TensorDesc& desc, ual_error* error);

// Same rank and dims; `broadcast_ok` also accepts size-1 dims of `b` (which then get stride 0 in `b_desc`).
ual_status check_same_shape(const TensorDesc& a, TensorDesc& b, bool broadcast_ok, const OperandName& a_name,
                            const OperandName& b_name, ual_error* error);

}  // namespace ual::opencl
