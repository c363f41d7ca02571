#include <algorithm>

#include "device_program.hpp"
#include "kernel_launch.hpp"
#include "ops.hpp"
#include "plugin_error.hpp"
#include "tensor_view.hpp"

namespace ual::opencl {
namespace {

// Mirrors MatrixDesc in kernels/gemm.cl.
struct MatrixDesc {
  cl_long batch_stride;
  cl_long row_stride;
  cl_long col_stride;
  cl_long offset_bytes;
  cl_int dtype;
  cl_int present;
};
static_assert(sizeof(MatrixDesc) == 40, "MatrixDesc must match the OpenCL C struct");

// A rank-3 [batch, rows, cols] view; a batch of 1 repeats for every batch (stride 0).
MatrixDesc matrix(const TensorDesc& t) {
  return {t.shape[0] == 1 ? 0 : t.strides[0], t.strides[1], t.strides[2], t.offset_bytes, t.dtype, 1};
}

ual_status dimension_mismatch(ual_error* error, const char* what, int64_t got, int64_t expected) {
  return fail(error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: %s is %lld, expected %lld", what,
              static_cast<long long>(got), static_cast<long long>(expected));
}

}  // namespace

ual_status gemm_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error) {
  if (op.input_count < 2 || op.output_count < 1) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "GEMM needs inputs A, B (got %u) and output D (got %u)",
                op.input_count, op.output_count);
  }
  const auto* params = static_cast<const ual_gemm_params*>(op.params);
  if (params == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: params (ual_gemm_params) is NULL");
  if (params->abi_version == 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: params abi_version is 0");
  const int32_t epilogue_value = raw_enum(params->epilogue);
  if (epilogue_value != UAL_EPILOGUE_NONE && epilogue_value != UAL_EPILOGUE_GELU &&
      epilogue_value != UAL_EPILOGUE_SILU) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: unknown epilogue %d", epilogue_value);
  }

  TensorDesc a{}, b{}, c{}, bias{}, d{};
  if (ual_status s = check_tensor(device, op.inputs[0], {"GEMM", "input", 0, "A"}, 3, kMatmulInputTypes, a, error)) {
    return s;
  }
  if (ual_status s = check_tensor(device, op.inputs[1], {"GEMM", "input", 1, "B"}, 3, kMatmulInputTypes, b, error)) {
    return s;
  }
  const int32_t d_dtype = raw_enum(op.outputs[0].dtype);
  if (d_dtype >= UAL_DTYPE_FP8_E4M3 && d_dtype <= UAL_DTYPE_FP8_E5M2FNUZ) {
    return fail(error, UAL_STATUS_UNSUPPORTED,
                "GEMM: an FP8 D is not supported by the OpenCL backend (use a bf16/f16/f32 D and QUANTIZE)");
  }
  if (ual_status s = check_tensor(device, op.outputs[0], {"GEMM", "output", 0, "D"}, 3, kFloatTypes, d, error)) {
    return s;
  }
  const int64_t batch = d.shape[0], m = d.shape[1], n = d.shape[2], k = a.shape[2];
  if (a.shape[0] != batch && a.shape[0] != 1) return dimension_mismatch(error, "A's batch", a.shape[0], batch);
  if (b.shape[0] != batch && b.shape[0] != 1) return dimension_mismatch(error, "B's batch", b.shape[0], batch);
  if (a.shape[1] != m) return dimension_mismatch(error, "A's rows (M)", a.shape[1], m);
  if (b.shape[1] != k) return dimension_mismatch(error, "B's rows (K)", b.shape[1], k);
  if (b.shape[2] != n) return dimension_mismatch(error, "B's columns (N)", b.shape[2], n);

  const ual_tensor* c_tensor = optional_operand(op.inputs, op.input_count, 2);
  if (c_tensor != nullptr) {
    if (ual_status s = check_tensor(device, *c_tensor, {"GEMM", "input", 2, "C"}, 3, kFloatTypes, c, error)) return s;
    if (c.shape[0] != batch && c.shape[0] != 1) return dimension_mismatch(error, "C's batch", c.shape[0], batch);
    if (c.shape[1] != m) return dimension_mismatch(error, "C's rows (M)", c.shape[1], m);
    if (c.shape[2] != n) return dimension_mismatch(error, "C's columns (N)", c.shape[2], n);
  }
  const ual_tensor* bias_tensor = optional_operand(op.inputs, op.input_count, 3);
  if (bias_tensor != nullptr) {
    if (ual_status s =
            check_tensor(device, *bias_tensor, {"GEMM", "input", 3, "bias"}, 1, kFloatTypes, bias, error)) {
      return s;
    }
    if (bias.shape[0] != n) return dimension_mismatch(error, "bias length", bias.shape[0], n);
  }
  const ual_tensor* amax_tensor = optional_operand(op.outputs, op.output_count, 1);
  TensorDesc amax{};
  if (amax_tensor != nullptr) {
    if (ual_status s =
            check_tensor(device, *amax_tensor, {"GEMM", "output", 1, "amax"}, 1, {UAL_DTYPE_F32}, amax, error)) {
      return s;
    }
    if (amax.shape[0] != 1) return dimension_mismatch(error, "amax length", amax.shape[0], 1);
  }
  if (check_only) return UAL_STATUS_OK;
  if (ual_status s = ensure_program(device, error)) return s;

  if (amax_tensor != nullptr) {
    if (ual_status s = zero_amax(device, amax_tensor->buffer, amax_tensor->offset_bytes, error)) return s;
  }
  if (batch == 0 || m == 0 || n == 0) return UAL_STATUS_OK;

  // FP8 scales fold into alpha: one multiply per output instead of one per product.
  float alpha = params->alpha;
  if (is_fp8(op.inputs[0].dtype)) alpha *= op.inputs[0].scale_inv;
  if (is_fp8(op.inputs[1].dtype)) alpha *= op.inputs[1].scale_inv;

  const MatrixDesc a_matrix = matrix(a);
  const MatrixDesc b_matrix = matrix(b);
  const MatrixDesc d_matrix = matrix(d);
  const MatrixDesc c_matrix = c_tensor != nullptr ? matrix(c) : MatrixDesc{};
  MatrixDesc bias_matrix{};
  if (bias_tensor != nullptr) bias_matrix = {0, 0, bias.strides[0], bias.offset_bytes, bias.dtype, 1};
  const cl_mem no_memory = nullptr;
  const cl_mem c_memory = c_tensor != nullptr ? c_tensor->buffer->memory : no_memory;
  const cl_mem bias_memory = bias_tensor != nullptr ? bias_tensor->buffer->memory : no_memory;
  // amax is addressed as a uint index (the kernel's atomic_max works on uint bits); offset_bytes is 4-aligned.
  const cl_mem amax_memory = amax_tensor != nullptr ? amax_tensor->buffer->memory : no_memory;
  const cl_long m_arg = m, n_arg = n, k_arg = k;
  const cl_float alpha_arg = alpha, beta_arg = params->beta;
  const cl_int epilogue = epilogue_value;
  const cl_ulong amax_index = amax_tensor != nullptr ? amax_tensor->offset_bytes / 4 : 0;
  const cl_int has_amax = amax_tensor != nullptr ? 1 : 0;
  if (ual_status s = set_kernel_arguments(device, device->gemm_kernel, "gemm", error, a_matrix, b_matrix, c_matrix,
                                          bias_matrix, d_matrix, op.inputs[0].buffer->memory,
                                          op.inputs[1].buffer->memory, c_memory, bias_memory,
                                          op.outputs[0].buffer->memory, amax_memory, amax_index, has_amax, m_arg,
                                          n_arg, k_arg, alpha_arg, beta_arg, epilogue)) {
    return s;
  }
  const std::size_t side = static_cast<std::size_t>(device->launch.gemm_side);
  const std::size_t tile = 4 * side;
  const std::size_t global[3] = {(static_cast<std::size_t>(n) + tile - 1) / tile * side,
                                 (static_cast<std::size_t>(m) + tile - 1) / tile * side,
                                 static_cast<std::size_t>(batch)};
  const std::size_t local[3] = {side, side, 1};
  return enqueue_kernel(device, device->gemm_kernel, "gemm", 3, global, local, error);
}

}  // namespace ual::opencl
