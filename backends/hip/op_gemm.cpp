// GEMM on a HIP device: rocblas_gemm_strided_batched_ex writes the f32 product alpha * A x B into scratch, then the
// shared gemm_epilogue kernel adds beta * C and bias, applies the activation, rounds to D's dtype and takes amax -
// the general path the CUDA plugin uses around cuBLASLt.
//
// FP8: only where the GPU's matrix cores have the format (FNUZ on gfx942, OCP on gfx950); the operands are widened
// to bf16 with ual_convert (exact: every e4m3/e5m2 value, FNUZ or OCP, is a bf16 value) and multiplied by rocBLAS
// with f32 accumulation, their scale_inv folded into alpha. hipBLASLt's native FP8 matmul is not wired up yet: its
// descriptor API is large and its FP8 enum values differ between ROCm releases.
#include <cstdint>
#include <limits>

#include "../common/abi_tensor_checks.hpp"
#include "../gpu_common/gpu_ops.hpp"
#include "../gpu_common/gpu_views.hpp"
#include "ops.hpp"
#include "plugin_error.hpp"

namespace ual::hip {
namespace {

using ual::gpu::device_fail;
using ual::plugin::dtype_name;
using ual::plugin::kFloatTypes;
using ual::plugin::kMatmulInputTypes;
using ual::plugin::optional_operand;

constexpr std::int64_t kIntMax = std::numeric_limits<rocblas_int>::max();

// One operand as rocBLAS reads it. rocBLAS is column-major: the row-major D [M, N] is the column-major D^T [N, M], so
// the plugin computes D^T = B^T x A^T and each operand L [R, C] (row-major logically) must be handed over as L^T.
struct BlasOperand {
  std::uint64_t data = 0;
  rocblas_datatype type = rocblas_datatype_f32_r;
  rocblas_operation operation = rocblas_operation_none;
  rocblas_int ld = 1;
  rocblas_stride batch_stride = 0;
};

rocblas_datatype blas_type(int32_t dtype) {
  if (dtype == UAL_DTYPE_F16) return rocblas_datatype_f16_r;
  if (dtype == UAL_DTYPE_BF16) return rocblas_datatype_bf16_r;
  return rocblas_datatype_f32_r;
}

// L [batch, R, C] with strides (sb, sr, sc): L^T is column-major [C, R] with ld = sr when sc == 1 (operation none);
// when sr == 1, L itself is column-major [R, C] with ld = sc (operation transpose). False otherwise: the operand is
// copied to a dense layout first.
bool blas_layout(const ual_gpu_view& view, BlasOperand& operand) {
  const std::int64_t rows = view.shape[1], cols = view.shape[2];
  const std::int64_t sb = view.strides[0], sr = view.strides[1], sc = view.strides[2];
  if (sb < 0 || sr < 0 || sc < 0) return false;
  operand.data = view.data;
  operand.type = blas_type(view.dtype);
  operand.batch_stride = view.shape[0] == 1 ? 0 : sb;
  if (sc == 1 || cols == 1) {
    const std::int64_t ld = rows == 1 ? std::max<std::int64_t>(cols, 1) : sr;
    if (ld >= std::max<std::int64_t>(cols, 1) && ld <= kIntMax) {
      operand.operation = rocblas_operation_none;
      operand.ld = static_cast<rocblas_int>(ld);
      return true;
    }
  }
  if (sr == 1 || rows == 1) {
    const std::int64_t ld = cols == 1 ? std::max<std::int64_t>(rows, 1) : sc;
    if (ld >= std::max<std::int64_t>(rows, 1) && ld <= kIntMax) {
      operand.operation = rocblas_operation_transpose;
      operand.ld = static_cast<rocblas_int>(ld);
      return true;
    }
  }
  return false;
}

// An operand rocBLAS can take: in place when its dtype is the GEMM's and its layout fits, else converted into a dense
// [batch, R, C] copy in scratch `slot` (FP8 decoded without its scale_inv, which alpha carries).
ual_status prepare_operand(ual_device& device, ual_gpu_view view, int32_t compute_dtype, int slot,
                           BlasOperand& operand, ual_error* error) {
  if (view.dtype == compute_dtype && blas_layout(view, operand)) return UAL_STATUS_OK;
  view.scale_inv = 1.0f;
  const std::int64_t batch = view.shape[0], rows = view.shape[1], cols = view.shape[2];
  const std::uint64_t bytes = static_cast<std::uint64_t>(batch * rows * cols) * ual::plugin::dtype_size(compute_dtype);
  std::uint64_t address = 0;
  if (ual_status s = device.scratch(slot, bytes, &address, error)) return s;
  const ual_gpu_view dense =
      ual::gpu::contiguous_view(static_cast<ual_dtype>(compute_dtype), {batch, rows, cols}, address);
  if (ual_status s = ual::gpu::convert_to(device, view, dense, 1.0f, false, error)) return s;
  return blas_layout(dense, operand)
             ? UAL_STATUS_OK
             : device_fail(device, error, UAL_STATUS_INTERNAL, "GEMM: a dense operand copy has no rocBLAS layout");
}

ual_status rocblas_failure(const ual_device& device, rocblas_status status, const char* step, ual_error* error) {
  return device_fail(device, error,
                     status == rocblas_status_memory_error ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                     "GEMM: %s failed: %s", step, device.backend->rocblas.describe(status).c_str());
}

ual_status ensure_blas_handle(ual_device& device, ual_error* error) {
  if (device.blas != nullptr) return UAL_STATUS_OK;
  const RocblasLibrary& blas = device.backend->rocblas;
  if (const rocblas_status s = blas.rocblas_create_handle(&device.blas); s != rocblas_status_success) {
    device.blas = nullptr;
    return rocblas_failure(device, s, "rocblas_create_handle", error);
  }
  if (const rocblas_status s = blas.rocblas_set_stream(device.blas, device.stream); s != rocblas_status_success) {
    blas.rocblas_destroy_handle(device.blas);
    device.blas = nullptr;
    return rocblas_failure(device, s, "rocblas_set_stream", error);
  }
  return UAL_STATUS_OK;
}

ual_status mismatch(const ual_device& device, ual_error* error, const char* what, std::int64_t got,
                    std::int64_t expected) {
  return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: %s is %lld, expected %lld", what,
                     static_cast<long long>(got), static_cast<long long>(expected));
}

}  // namespace

ual_status gemm_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error) {
  ual_device& dev = *device;
  if (op.input_count < 2 || op.output_count < 1) {
    return device_fail(dev, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM needs inputs A, B (got %u) and output D (got %u)",
                       op.input_count, op.output_count);
  }
  const auto* params = static_cast<const ual_gemm_params*>(op.params);
  if (params == nullptr || params->abi_version == 0) {
    return device_fail(dev, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: params (ual_gemm_params) missing or unversioned");
  }
  const int32_t activation = raw_enum(params->epilogue);
  if (activation != UAL_EPILOGUE_NONE && activation != UAL_EPILOGUE_GELU && activation != UAL_EPILOGUE_SILU) {
    return device_fail(dev, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: unknown epilogue %d", activation);
  }
  ual_gpu_view a{}, b{}, d{}, c{}, bias{}, amax{};
  if (ual_status s = ual::gpu::make_view(dev, op.inputs[0], {"GEMM", "input", 0, "A"}, 3, kMatmulInputTypes, a, error)) {
    return s;
  }
  if (ual_status s = ual::gpu::make_view(dev, op.inputs[1], {"GEMM", "input", 1, "B"}, 3, kMatmulInputTypes, b, error)) {
    return s;
  }
  // D: a float dtype, or FP8 (stored encode(v / scale_inv) by the epilogue kernel, in any of the four formats).
  if (ual_status s = ual::gpu::make_view(dev, op.outputs[0], {"GEMM", "output", 0, "D"}, 3, kMatmulInputTypes, d, error)) {
    return s;
  }
  const std::int64_t batch = d.shape[0], m = d.shape[1], n = d.shape[2], k = a.shape[2];
  if (a.shape[0] != batch && a.shape[0] != 1) return mismatch(dev, error, "A's batch", a.shape[0], batch);
  if (b.shape[0] != batch && b.shape[0] != 1) return mismatch(dev, error, "B's batch", b.shape[0], batch);
  if (a.shape[1] != m) return mismatch(dev, error, "A's rows (M)", a.shape[1], m);
  if (b.shape[1] != k) return mismatch(dev, error, "B's rows (K)", b.shape[1], k);
  if (b.shape[2] != n) return mismatch(dev, error, "B's columns (N)", b.shape[2], n);
  const ual_tensor* c_tensor = optional_operand(op.inputs, op.input_count, 2);
  if (c_tensor != nullptr) {
    if (ual_status s = ual::gpu::make_view(dev, *c_tensor, {"GEMM", "input", 2, "C"}, 3, kFloatTypes, c, error)) {
      return s;
    }
    if (c.shape[0] != batch && c.shape[0] != 1) return mismatch(dev, error, "C's batch", c.shape[0], batch);
    if (c.shape[1] != m) return mismatch(dev, error, "C's rows (M)", c.shape[1], m);
    if (c.shape[2] != n) return mismatch(dev, error, "C's columns (N)", c.shape[2], n);
    if (c.shape[0] == 1) {
      c.shape[0] = batch;
      c.strides[0] = 0;
    }
  }
  const ual_tensor* bias_tensor = optional_operand(op.inputs, op.input_count, 3);
  if (bias_tensor != nullptr) {
    if (ual_status s =
            ual::gpu::make_view(dev, *bias_tensor, {"GEMM", "input", 3, "bias"}, 1, kFloatTypes, bias, error)) {
      return s;
    }
    if (bias.shape[0] != n) return mismatch(dev, error, "bias length", bias.shape[0], n);
  }
  const ual_tensor* amax_tensor = optional_operand(op.outputs, op.output_count, 1);
  if (amax_tensor != nullptr) {
    if (ual_status s =
            ual::gpu::make_view(dev, *amax_tensor, {"GEMM", "output", 1, "amax"}, 1, {UAL_DTYPE_F32}, amax, error)) {
      return s;
    }
    if (amax.shape[0] != 1) return mismatch(dev, error, "amax length", amax.shape[0], 1);
  }

  const bool fp8 = is_fp8(a.dtype) || is_fp8(b.dtype);
  if (fp8 != (is_fp8(a.dtype) && is_fp8(b.dtype))) {
    return device_fail(dev, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: A is %s but B is %s: an FP8 GEMM needs both in FP8",
                       dtype_name(a.dtype), dtype_name(b.dtype));
  }
  if (!fp8 && a.dtype != b.dtype) {
    return device_fail(dev, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: A is %s but B is %s: they must match",
                       dtype_name(a.dtype), dtype_name(b.dtype));
  }
  if (fp8) {
    const Fp8Family family = fp8_family(dev.description.gfx_target);
    if (family == Fp8Family::none) {
      return device_fail(dev, error, UAL_STATUS_UNSUPPORTED, "GEMM: FP8 needs gfx942 or gfx950");
    }
    if (!fp8_native(family, a.dtype) || !fp8_native(family, b.dtype)) {
      return device_fail(dev, error, UAL_STATUS_UNSUPPORTED, "GEMM: this GPU's FP8 is %s; got A %s, B %s",
                         fp8_family_names(family), dtype_name(a.dtype), dtype_name(b.dtype));
    }
  }
  if (m > kIntMax || n > kIntMax || k > kIntMax || batch > kIntMax) {
    return device_fail(dev, error, UAL_STATUS_UNSUPPORTED, "GEMM: M, N, K and batch must fit rocBLAS's 32-bit int");
  }
  std::int64_t product_elements = 0;
  if (__builtin_mul_overflow(batch, m, &product_elements) ||
      __builtin_mul_overflow(product_elements, n, &product_elements) || product_elements > (INT64_MAX / 4)) {
    return device_fail(dev, error, UAL_STATUS_INVALID_ARGUMENT, "GEMM: the output's element count overflows");
  }
  if (dev.backend->rocblas.handle == nullptr) {
    return device_fail(dev, error, UAL_STATUS_UNAVAILABLE, "GEMM: %s", dev.backend->rocblas_unavailable.c_str());
  }
  if (check_only) return UAL_STATUS_OK;

  const std::uint64_t amax_address = amax_tensor != nullptr ? amax.data : 0;
  if (product_elements == 0) {
    return amax_address != 0 ? ual::gpu::fill_f32(dev, amax_address, 1, 0.0f, error) : UAL_STATUS_OK;
  }
  // Scratch slots: 0 the f32 product, 1 and 2 the converted A and B.
  std::uint64_t product = 0;
  if (ual_status s = dev.scratch(0, static_cast<std::uint64_t>(product_elements) * 4, &product, error)) return s;
  if (k == 0) {
    if (ual_status s = ual::gpu::fill_f32(dev, product, product_elements, 0.0f, error)) return s;
  } else {
    // FP8 goes through bf16 (exact); f32/f16/bf16 stay themselves (rocBLAS accumulates in f32 either way).
    const int32_t compute_dtype = fp8 ? UAL_DTYPE_BF16 : a.dtype;
    float alpha = params->alpha;
    if (fp8) alpha *= a.scale_inv * b.scale_inv;
    BlasOperand a_operand, b_operand;
    if (ual_status s = prepare_operand(dev, a, compute_dtype, 1, a_operand, error)) return s;
    if (ual_status s = prepare_operand(dev, b, compute_dtype, 2, b_operand, error)) return s;
    if (ual_status s = ensure_blas_handle(dev, error)) return s;
    const float beta = 0.0f;
    const auto product_ld = static_cast<rocblas_int>(n);
    const rocblas_stride product_stride = m * n;
    const rocblas_status status = dev.backend->rocblas.rocblas_gemm_strided_batched_ex(
        dev.blas, b_operand.operation, a_operand.operation, static_cast<rocblas_int>(n), static_cast<rocblas_int>(m),
        static_cast<rocblas_int>(k), &alpha, reinterpret_cast<const void*>(b_operand.data), b_operand.type,
        b_operand.ld, b_operand.batch_stride, reinterpret_cast<const void*>(a_operand.data), a_operand.type,
        a_operand.ld, a_operand.batch_stride, &beta, reinterpret_cast<const void*>(product), rocblas_datatype_f32_r,
        product_ld, product_stride, reinterpret_cast<void*>(product), rocblas_datatype_f32_r, product_ld,
        product_stride, static_cast<rocblas_int>(batch), rocblas_datatype_f32_r, rocblas_gemm_algo_standard, 0, 0);
    if (status != rocblas_status_success) return rocblas_failure(dev, status, "rocblas_gemm_strided_batched_ex", error);
  }
  ual_gpu_gemm_epilogue_params epilogue{};
  epilogue.product = product;
  epilogue.c = c_tensor != nullptr ? c : ual_gpu_view{};
  epilogue.bias = bias_tensor != nullptr ? bias : ual_gpu_view{};
  epilogue.d = d;
  epilogue.amax = amax_address;
  epilogue.batch = batch;
  epilogue.m = m;
  epilogue.n = n;
  epilogue.beta = params->beta;
  epilogue.d_scale = ual::plugin::is_fp8(d.dtype) ? 1.0f / d.scale_inv : 1.0f;
  epilogue.activation = activation;
  return ual::gpu::gemm_epilogue(dev, epilogue, error);
}

}  // namespace ual::hip
