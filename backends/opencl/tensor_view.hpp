// Checking an ABI tensor view against what a kernel may touch, and turning it into the descriptor the kernels take.
// Every op validates its operands here first: the host validates too, but a bad view must never reach a kernel.
#pragma once

#include <cstdint>
#include <initializer_list>

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

// Raw values (raw_enum): a dtype field may hold a value outside ual_dtype.
int dtype_size(int32_t dtype);  // bytes; 0 for an unknown value
const char* dtype_name(int32_t dtype);
bool is_fp8(ual_dtype dtype);
bool is_float(ual_dtype dtype);  // f32, f16, bf16

// What an op says about one operand, for messages: "SOFTMAX input 0 (x)".
struct OperandName {
  const char* op;
  const char* direction;  // "input" / "output"
  uint32_t index;
  const char* role;
};

// Checks abi_version, rank (== `rank`, or 1..UAL_MAX_RANK when rank < 0), shape, dtype (one of `allowed`: an
// unlisted known dtype is UNSUPPORTED, an unknown one INVALID_ARGUMENT), buffer ownership, alignment of the offset,
// and that every addressed element lies inside the buffer. On success `desc` describes the view.
ual_status check_tensor(const ual_device* device, const ual_tensor& tensor, const OperandName& name, int rank,
                        std::initializer_list<ual_dtype> allowed, TensorDesc& desc, ual_error* error);

// The operand at `index`, or NULL when the op has fewer or its buffer is NULL (an absent optional operand).
const ual_tensor* optional_operand(const ual_tensor* operands, uint32_t count, uint32_t index);

// Elements of a shape (product of the first `rank` dims); false on int64 overflow.
bool element_count(const int64_t* shape, uint32_t rank, int64_t& count);

// Same rank and dims; `broadcast_ok` also accepts size-1 dims of `b` (which then get stride 0 in `b_desc`).
ual_status check_same_shape(const TensorDesc& a, TensorDesc& b, bool broadcast_ok, const OperandName& a_name,
                            const OperandName& b_name, ual_error* error);

constexpr std::initializer_list<ual_dtype> kFloatTypes = {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16};
constexpr std::initializer_list<ual_dtype> kFp8Types = {UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2,
                                                        UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E5M2FNUZ};
constexpr std::initializer_list<ual_dtype> kMatmulInputTypes = {
    UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2,
    UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E5M2FNUZ};

}  // namespace ual::opencl
