// GEMM on CUDA through cuBLASLt. The ABI gives row-major logical views D[b] = A[b] x B[b] with element strides;
// cuBLASLt is column-major, so the plugin computes D^T = B^T x A^T: cuBLASLt's "A" is our B (N x K) and its "B" is
// our A (K x M), and a row-major D with unit column stride is a column-major N x M matrix. Two paths:
//   direct:  operands (or contiguous copies made by the shared convert kernel) go straight to cublasLtMatmul, with
//            beta*C, bias and GELU in cuBLASLt's epilogue when it supports the combination;
//   product: cuBLASLt writes P = alpha * scale_a * scale_b * (A x B) in f32 to scratch, and the shared
//            ual_gemm_epilogue kernel finishes D = act(P + beta*C + bias) in any dtype and any strides.
// FP8 follows Hopper's cuBLASLt rules ("To use FP8 kernels ... A must be transposed and B non-transposed (TN)",
// 16-byte-aligned pointers, leading dimensions multiple of 16: cuBLAS docs, cublasLtMatmul): both operands must be
// K-contiguous, so a row-major B [K, N] (or a misaligned operand) is transposed/padded into scratch first, as
// Transformer Engine does with cast_transpose. Scales travel as A/B scale pointers; use_split_accumulator = 0 turns
// on CUBLASLT_MATMUL_DESC_FAST_ACCUM.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "../common/plugin_status.hpp"
#include "../gpu_common/gpu_ops.hpp"
#include "../common/abi_tensor_checks.hpp"
#include "../gpu_common/gpu_views.hpp"
#include "cublaslt_matmul.hpp"
#include "ops.hpp"

namespace ual::cuda {
namespace {

using ual::plugin::fail;
using ual::plugin::raw_enum;

using ual::plugin::is_fp8;

std::int64_t element_bytes(int32_t dtype) { return ual::plugin::dtype_size(dtype); }

bool cuda_type(int32_t dtype, cudaDataType_t* type) {
  switch (dtype) {
    case UAL_DTYPE_F32: *type = CUDA_R_32F; return true;
    case UAL_DTYPE_F16: *type = CUDA_R_16F; return true;
    case UAL_DTYPE_BF16: *type = CUDA_R_16BF; return true;
    case UAL_DTYPE_FP8_E4M3: *type = CUDA_R_8F_E4M3; return true;
    case UAL_DTYPE_FP8_E5M2: *type = CUDA_R_8F_E5M2; return true;
    default: return false;
  }
}

std::uint64_t round_up(std::uint64_t value, std::uint64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// The validated operands of one GEMM as kernel views (rank 3 for A, B, C, D; rank 1 bias; rank 1 amax).
struct GemmOperands {
  ual_gpu_view a{}, b{}, c{}, bias{}, d{}, amax{};
  bool has_c = false, has_bias = false, has_amax = false;
  std::int64_t batch = 0, m = 0, n = 0, k = 0;
  float alpha = 1, beta = 0;
  int32_t epilogue = UAL_EPILOGUE_NONE;
  bool split_accumulator = true;
};

ual_status invalid(const ual_device& device, ual_error* error, const char* what) {
  return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s GEMM: %s", device.label().c_str(), what);
}

ual_status read_operands(ual_device& device, const ual_op& op, GemmOperands& g, ual_error* error) {
  if (op.input_count < 2 || op.output_count < 1) return invalid(device, error, "needs inputs A, B and output D");
  const auto* params = static_cast<const ual_gemm_params*>(op.params);
  if (params == nullptr || params->abi_version == 0) return invalid(device, error, "params are missing");
  g.alpha = params->alpha;
  g.beta = params->beta;
  g.epilogue = raw_enum(params->epilogue);
  g.split_accumulator = params->use_split_accumulator != 0;
  if (g.epilogue != UAL_EPILOGUE_NONE && g.epilogue != UAL_EPILOGUE_GELU && g.epilogue != UAL_EPILOGUE_SILU) {
    return invalid(device, error, "unknown epilogue");
  }
  const std::initializer_list<ual_dtype> floats = {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16};
  const std::initializer_list<ual_dtype> inputs = {UAL_DTYPE_F32,      UAL_DTYPE_F16,       UAL_DTYPE_BF16,
                                                       UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2, UAL_DTYPE_FP8_E4M3FNUZ,
                                                       UAL_DTYPE_FP8_E5M2FNUZ};
  auto view = [&](const ual_tensor& tensor, const char* direction, uint32_t index, const char* role, int rank,
                  std::initializer_list<ual_dtype> allowed, ual_gpu_view* out) {
    return ual::gpu::make_view(device, tensor, {"GEMM", direction, index, role}, rank, allowed, *out, error);
  };
  if (ual_status s = view(op.inputs[0], "input", 0, "A", 3, inputs, &g.a)) return s;
  if (ual_status s = view(op.inputs[1], "input", 1, "B", 3, inputs, &g.b)) return s;
  if (ual_status s = view(op.outputs[0], "output", 0, "D", 3, inputs, &g.d)) return s;  // float or FP8
  if (g.a.rank != 3 || g.b.rank != 3 || g.d.rank != 3) return invalid(device, error, "A, B and D must be rank 3");
  g.batch = g.d.shape[0];
  g.m = g.d.shape[1];
  g.n = g.d.shape[2];
  g.k = g.a.shape[2];
  if (g.a.shape[0] != g.batch || g.b.shape[0] != g.batch || g.a.shape[1] != g.m || g.b.shape[1] != g.k ||
      g.b.shape[2] != g.n) {
    return invalid(device, error, "shapes disagree: A [batch, M, K], B [batch, K, N], D [batch, M, N]");
  }
  if (op.input_count > 2 && op.inputs[2].buffer != nullptr) {
    if (ual_status s = view(op.inputs[2], "input", 2, "C", 3, floats, &g.c)) return s;
    if (g.c.rank != 3 || g.c.shape[0] != g.batch || g.c.shape[1] != g.m || g.c.shape[2] != g.n) {
      return invalid(device, error, "C must be [batch, M, N]");
    }
    g.has_c = true;
  }
  if (op.input_count > 3 && op.inputs[3].buffer != nullptr) {
    if (ual_status s = view(op.inputs[3], "input", 3, "bias", 1, floats, &g.bias)) return s;
    if (g.bias.rank != 1 || g.bias.shape[0] != g.n) return invalid(device, error, "bias must be [N]");
    g.has_bias = true;
  }
  if (op.output_count > 1 && op.outputs[1].buffer != nullptr) {
    if (ual_status s = view(op.outputs[1], "output", 1, "amax", 1, {UAL_DTYPE_F32}, &g.amax)) return s;
    if (g.amax.rank != 1 || g.amax.shape[0] != 1 || g.amax.dtype != UAL_DTYPE_F32) {
      return invalid(device, error, "amax must be [1] f32");
    }
    g.has_amax = true;
  }
  return UAL_STATUS_OK;
}

// Which dtype combinations this plugin runs, with the reason when it does not.
ual_status check_types(const ual_device& device, const GemmOperands& g, ual_error* error) {
  const Backend& backend = *device.backend;
  if (!backend.cublaslt_unavailable.empty()) {
    return fail(error, UAL_STATUS_UNSUPPORTED, "%s GEMM: not supported without cuBLASLt (%s)", device.label().c_str(),
                backend.cublaslt_unavailable.c_str());
  }
  const bool fp8 = is_fp8(g.a.dtype) || is_fp8(g.b.dtype);
  cudaDataType_t type{};
  if (fp8) {
    if (!is_fp8(g.a.dtype) || !is_fp8(g.b.dtype)) {
      return fail(error, UAL_STATUS_UNSUPPORTED, "%s GEMM: not supported: FP8 A needs FP8 B and vice versa",
                  device.label().c_str());
    }
    if (!cuda_type(g.a.dtype, &type) || !cuda_type(g.b.dtype, &type)) {
      return fail(error, UAL_STATUS_UNSUPPORTED,
                  "%s GEMM: not supported: the FNUZ FP8 formats are AMD MI300's; NVIDIA GPUs take e4m3 and e5m2",
                  device.label().c_str());
    }
    if (device.description.compute_capability() < 89) {
      return fail(error, UAL_STATUS_UNSUPPORTED,
                  "%s GEMM: not supported: FP8 needs compute capability 8.9 or newer (Ada, Hopper); this device is "
                  "%d.%d",
                  device.label().c_str(), device.description.compute_major, device.description.compute_minor);
    }
  } else if (g.a.dtype != g.b.dtype || !cuda_type(g.a.dtype, &type)) {
    return fail(error, UAL_STATUS_UNSUPPORTED, "%s GEMM: not supported: A and B must both be f32, f16 or bf16",
                device.label().c_str());
  }
  if (g.d.dtype != UAL_DTYPE_F32 && g.d.dtype != UAL_DTYPE_F16 && g.d.dtype != UAL_DTYPE_BF16 && !is_fp8(g.d.dtype)) {
    return fail(error, UAL_STATUS_UNSUPPORTED, "%s GEMM: not supported: D must be f32, f16, bf16 or FP8",
                device.label().c_str());
  }
  if (is_fp8(g.d.dtype) && !(g.d.scale_inv > 0.0f)) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s GEMM: an FP8 D needs a positive scale_inv",
                device.label().c_str());
  }
  return UAL_STATUS_OK;
}

// One operand as cuBLASLt sees it. `rows_dim`/`cols_dim` index the ABI view: for our B (cuBLASLt's A, logical
// N x K) rows = dimension 2 (N), contraction = dimension 1 (K); for our A (cuBLASLt's B, logical K x M) rows = K
// (dimension 2), columns = M (dimension 1). Returns false when the strides have no column-major reading.
bool map_operand(const ual_gpu_view& view, int outer_dim, int contraction_dim, bool require_contraction_contiguous,
                 std::int64_t alignment_elements, LibraryMatrix* matrix, cublasOperation_t* op) {
  const std::int64_t outer = view.shape[outer_dim], contraction = view.shape[contraction_dim];
  const std::int64_t outer_stride = view.strides[outer_dim], contraction_stride = view.strides[contraction_dim];
  if (!cuda_type(view.dtype, &matrix->type)) return false;
  matrix->address = view.data;
  matrix->batch_stride = view.shape[0] > 1 ? view.strides[0] : 0;
  const bool contraction_contiguous = contraction_stride == 1 || contraction == 1;
  const bool outer_contiguous = outer_stride == 1 || outer == 1;
  if (contraction_contiguous) {
    // Stored as contraction x outer, column-major, then transposed by cuBLASLt when it is its "A" operand.
    matrix->rows = static_cast<std::uint64_t>(contraction);
    matrix->columns = static_cast<std::uint64_t>(outer);
    matrix->leading = outer == 1 ? std::max<std::int64_t>(contraction, 1) : outer_stride;
    *op = CUBLAS_OP_T;
  } else if (outer_contiguous && !require_contraction_contiguous) {
    matrix->rows = static_cast<std::uint64_t>(outer);
    matrix->columns = static_cast<std::uint64_t>(contraction);
    matrix->leading = contraction == 1 ? std::max<std::int64_t>(outer, 1) : contraction_stride;
    *op = CUBLAS_OP_N;
  } else {
    return false;
  }
  if (matrix->leading < static_cast<std::int64_t>(std::max<std::uint64_t>(matrix->rows, 1))) return false;
  if (matrix->batch_stride < 0) return false;
  if (alignment_elements > 1 && (matrix->leading % alignment_elements != 0 ||
                                 matrix->batch_stride % alignment_elements != 0 ||
                                 matrix->address % (alignment_elements * element_bytes(view.dtype)) != 0)) {
    return false;
  }
  return true;
}

// Copies an operand into scratch as a K-contiguous [batch, outer, K_padded] array (zero padding), same dtype; the
// FP8 values pass through decode/encode with unit scales, which reproduces every code but NaN payloads.
ual_status make_k_contiguous(ual_device& device, const ual_gpu_view& view, int outer_dim, int contraction_dim,
                             std::int64_t padded_k, std::int64_t padded_outer, int slot, ual_gpu_view* result,
                             ual_error* error) {
  const std::int64_t batch = view.shape[0], outer = view.shape[outer_dim], k = view.shape[contraction_dim];
  const std::uint64_t bytes =
      round_up(static_cast<std::uint64_t>(batch * padded_outer * padded_k * element_bytes(view.dtype)), 4);
  std::uint64_t address = 0;
  if (ual_status s = device.scratch(slot, bytes, &address, error)) return s;
  if (padded_k != k || padded_outer != outer) {
    if (ual_status s = ual::gpu::fill_f32(device, address, static_cast<std::int64_t>(bytes / 4), 0.0f, error)) return s;
  }
  ual_gpu_view source = view;
  source.scale_inv = 1.0f;
  ual_gpu_view target = view;
  target.data = address;
  target.scale_inv = 1.0f;
  target.strides[0] = padded_outer * padded_k;
  target.strides[outer_dim] = padded_k;
  target.strides[contraction_dim] = 1;
  if (ual_status s = ual::gpu::convert_to(device, source, target, 1.0f, true, error)) return s;
  target.shape[contraction_dim] = padded_k;
  target.shape[outer_dim] = padded_outer;
  *result = target;
  return UAL_STATUS_OK;
}

bool allow_tf32() {
  const char* value = std::getenv("UAL_CUDA_ALLOW_TF32");
  return value != nullptr && std::strcmp(value, "1") == 0;
}

ual_status zero_amax(ual_device& device, const GemmOperands& g, ual_error* error) {
  return ual::gpu::fill_f32(device, g.amax.data, 1, 0.0f, error);
}


// Sets call.a / call.b (and the ops) from the operands, copying an operand K-major into scratch (slots 0 and 1)
// when its strides have no cuBLASLt reading or break FP8's rules. canonical: copy both, K padded to a multiple of 16
// and every pointer 256-byte aligned: the form cuBLASLt supports for every dtype, tried when a heuristic finds no
// algorithm for the operands as given.
ual_status prepare_operands(ual_device& device, const GemmOperands& g, bool canonical, MatmulCall& call,
                            ual_error* error) {
  const bool fp8 = is_fp8(g.a.dtype);
  const std::int64_t padded_k =
      fp8 || canonical ? static_cast<std::int64_t>(round_up(static_cast<std::uint64_t>(g.k), 16)) : g.k;
  const std::int64_t alignment = fp8 ? 16 : 1;
  const bool copy_all = canonical || padded_k != g.k;
  call.k = static_cast<std::uint64_t>(padded_k);
  // cuBLASLt's A = our B (outer N = dim 2, contraction K = dim 1); its B = our A (outer M = dim 1, K = dim 2).
  cublasOperation_t op_a{}, op_b{};
  ual_gpu_view b_view = g.b, a_view = g.a;
  // FP8 kernels also want cuBLASLt's m (our N) a multiple of 16 (PyTorch's scaled_mm checks the same): the canonical
  // copy of B gets zero rows up to it, and the product gets the extra columns, which the epilogue never reads.
  const std::int64_t padded_n =
      fp8 && canonical ? static_cast<std::int64_t>(round_up(static_cast<std::uint64_t>(g.n), 16)) : g.n;
  call.m = static_cast<std::uint64_t>(padded_n);
  if (copy_all || !map_operand(b_view, 2, 1, fp8, alignment, &call.a, &op_a)) {
    if (ual_status s = make_k_contiguous(device, g.b, 2, 1, padded_k, padded_n, 0, &b_view, error)) return s;
    map_operand(b_view, 2, 1, fp8, alignment, &call.a, &op_a);
  }
  if (copy_all || !map_operand(a_view, 1, 2, fp8, alignment, &call.b, &op_b)) {
    if (ual_status s = make_k_contiguous(device, g.a, 1, 2, padded_k, g.m, 1, &a_view, error)) return s;
    map_operand(a_view, 1, 2, fp8, alignment, &call.b, &op_b);
  }
  // map_operand's op reads the stored matrix as the logical one cuBLASLt needs for its "A" (N x K): a K-contiguous
  // store is K x N, transposed. For its "B" (K x M) a K-contiguous store is already K x M: the op flips.
  call.op_a = op_a;
  call.op_b = op_b == CUBLAS_OP_T ? CUBLAS_OP_N : CUBLAS_OP_T;
  return UAL_STATUS_OK;
}

// cuBLASLt writes P = alpha * scales * (A x B) as f32 into scratch slot 2, rows `leading` apart (a multiple of 16
// elements: FP8 kernels need 16-byte-multiple leading dimensions for every matrix, D included).
ual_status product_matmul(ual_device& device, const GemmOperands& g, MatmulCall call, std::uint64_t* product,
                          std::int64_t* leading, ual_error* error) {
  *leading = static_cast<std::int64_t>(round_up(call.m, 16));  // call.m: N, or N padded for FP8
  const std::uint64_t elements = static_cast<std::uint64_t>(g.batch * g.m * *leading);
  if (ual_status s = device.scratch(2, elements * 4, product, error)) return s;
  if (g.k == 0) return ual::gpu::fill_f32(device, *product, static_cast<std::int64_t>(elements), 0.0f, error);
  call.c = LibraryMatrix{};
  call.beta = 0.0f;
  call.bias = 0;
  call.epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  call.d.address = *product;
  call.d.type = CUDA_R_32F;
  call.d.rows = call.m;
  call.d.columns = static_cast<std::uint64_t>(g.m);
  call.d.leading = *leading;
  call.d.batch_stride = g.batch > 1 ? g.m * *leading : 0;
  return run_matmul(device, call, error);
}

}  // namespace

ual_status gemm_op(ual_device* device, const ual_op& op, bool check_only, ual_error* error) {
  GemmOperands g;
  if (ual_status s = read_operands(*device, op, g, error)) return s;
  if (ual_status s = check_types(*device, g, error)) return s;
  if (check_only) return UAL_STATUS_OK;
  if (g.has_amax) {
    if (ual_status s = zero_amax(*device, g, error)) return s;
  }
  if (g.batch == 0 || g.m == 0 || g.n == 0) return UAL_STATUS_OK;

  const bool fp8 = is_fp8(g.a.dtype);
  MatmulCall call;
  call.batch = static_cast<int>(g.batch);
  call.m = static_cast<std::uint64_t>(g.n);
  call.n = static_cast<std::uint64_t>(g.m);
  call.fp8 = fp8;
  call.fast_accumulation = fp8 && !g.split_accumulator;
  call.compute = !fp8 && g.a.dtype == UAL_DTYPE_F32 && allow_tf32() ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  call.alpha = g.alpha;
  if (fp8) {
    std::uint64_t scales = 0;
    if (ual_status s = device->scratch(3, 256, &scales, error)) return s;
    call.a_scale = scales;       // our B's scale_inv: cuBLASLt's A
    call.b_scale = scales + 16;  // our A's scale_inv
    if (ual_status s = ual::gpu::fill_f32(*device, call.a_scale, 1, g.b.scale_inv, error)) return s;
    if (ual_status s = ual::gpu::fill_f32(*device, call.b_scale, 1, g.a.scale_inv, error)) return s;
  }
  if (g.k > 0) {
    if (ual_status s = prepare_operands(*device, g, false, call, error)) return s;
  }

  // Direct path: D (and C) column-major readable, epilogue expressible in cuBLASLt, dtype combination supported.
  LibraryMatrix d_matrix, c_matrix;
  cublasOperation_t d_op{}, c_op{};
  const bool d_direct = map_operand(g.d, 1, 2, false, 1, &d_matrix, &d_op) && d_op == CUBLAS_OP_T;
  const bool c_direct = !g.has_c || g.beta == 0.0f ||
                        (map_operand(g.c, 1, 2, false, 1, &c_matrix, &c_op) && c_op == CUBLAS_OP_T &&
                         g.c.dtype == g.d.dtype);
  // FP8 D directly only from FP8 inputs, OCP formats, no bias or activation, C absent (the host allows none), with
  // cuBLASLt's D scale and amax; anything else is the product path, whose epilogue kernel encodes any FP8 format.
  const bool fp8_output = is_fp8(g.d.dtype);
  cudaDataType_t d_type{};
  const bool fp8_output_direct = fp8_output && fp8 && cuda_type(g.d.dtype, &d_type) && !g.has_bias &&
                                 g.epilogue == UAL_EPILOGUE_NONE && g.n % 16 == 0 && g.d.strides[1] % 16 == 0 &&
                                 g.d.data % 16 == 0;
  const bool types_direct =
      fp8_output ? fp8_output_direct : (fp8 || g.a.dtype == g.d.dtype || g.d.dtype == UAL_DTYPE_F32);
  // cuBLASLt's bias has D's type (FP8 with f32 D wants bf16: left to the product path) and one vector for all of
  // a batch only through BIAS_BATCH_STRIDE, which the plugin does not set: batched bias takes the product path.
  const bool bias_direct = !g.has_bias || (g.bias.dtype == g.d.dtype && g.batch == 1 && g.bias.strides[0] == 1 &&
                                           !(fp8 && g.d.dtype == UAL_DTYPE_F32));
  const bool epilogue_direct = g.epilogue != UAL_EPILOGUE_SILU;
  if (g.k > 0 && d_direct && c_direct && types_direct && bias_direct && epilogue_direct) {
    MatmulCall direct = call;
    direct.d = d_matrix;  // N x M column-major (map_operand read D's dim 2 as the contiguous one: rows = N)
    if (g.has_c && g.beta != 0.0f) {
      direct.c = c_matrix;
      direct.beta = g.beta;
    }
    if (g.has_bias) {
      direct.bias = g.bias.data;
      cuda_type(g.bias.dtype, &direct.bias_type);
      direct.epilogue = g.epilogue == UAL_EPILOGUE_GELU ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_BIAS;
    } else if (g.epilogue == UAL_EPILOGUE_GELU) {
      direct.epilogue = CUBLASLT_EPILOGUE_GELU;
    }
    if (fp8_output) {
      std::uint64_t scales = 0;
      if (ual_status s = device->scratch(3, 256, &scales, error)) return s;
      direct.d_scale = scales + 32;
      if (ual_status s = ual::gpu::fill_f32(*device, direct.d_scale, 1, 1.0f / g.d.scale_inv, error)) return s;
      if (g.has_amax) direct.d_amax = g.amax.data;
      // cuBLASLt wants a bf16 C beside an FP8 D even with beta = 0; aliasing D with another type is refused
      // (CUBLAS_STATUS_INVALID_VALUE on an H200), so C is a scratch matrix of D's layout that is never read.
      std::uint64_t placeholder = 0;
      const std::uint64_t c_bytes =
          2 * static_cast<std::uint64_t>((g.batch - 1) * d_matrix.batch_stride + g.m * d_matrix.leading);
      if (ual_status s = device->scratch(2, c_bytes, &placeholder, error)) return s;
      direct.c = d_matrix;
      direct.c.type = CUDA_R_16BF;
      direct.c.address = placeholder;
      direct.beta = 0.0f;
    }
    const ual_status s = run_matmul(*device, direct, error);
    if (s == UAL_STATUS_OK) {
      return g.has_amax && !fp8_output ? ual::gpu::amax_of(*device, g.d, g.amax.data, error) : s;
    }
    // An FP8 D that cuBLASLt refuses at the call (not at the heuristic) still has the product path.
    if (s != UAL_STATUS_UNSUPPORTED && !(fp8_output && s == UAL_STATUS_INVALID_ARGUMENT)) return s;
    // No algorithm for the fused form (FP8 D layouts, odd alignments): the product path needs only the plainest.
  }

  // Product path, with the operands as prepared, then (no algorithm for them) in the canonical form.
  std::uint64_t product = 0;
  std::int64_t leading = 0;
  ual_status s = product_matmul(*device, g, call, &product, &leading, error);
  if (s == UAL_STATUS_UNSUPPORTED) {
    if (ual_status p = prepare_operands(*device, g, true, call, error)) return p;
    s = product_matmul(*device, g, call, &product, &leading, error);
  }
  if (s != UAL_STATUS_OK) return s;
  ual_gpu_gemm_epilogue_params epilogue{};
  epilogue.product = product;
  epilogue.product_leading = static_cast<int32_t>(leading);
  if (g.has_c) epilogue.c = g.c;
  if (g.has_bias) epilogue.bias = g.bias;
  epilogue.d = g.d;
  epilogue.amax = 0;
  epilogue.batch = g.batch;
  epilogue.m = g.m;
  epilogue.n = g.n;
  epilogue.beta = g.has_c ? g.beta : 0.0f;
  epilogue.d_scale = fp8_output ? 1.0f / g.d.scale_inv : 1.0f;
  epilogue.activation = g.epilogue;
  // An FP8 D's amax is of the values before scaling (the kernel takes it); other dtypes' is of D as stored.
  if (fp8_output && g.has_amax) epilogue.amax = g.amax.data;
  if (ual_status e = ual::gpu::gemm_epilogue(*device, epilogue, error)) return e;
  return g.has_amax && !fp8_output ? ual::gpu::amax_of(*device, g.d, g.amax.data, error) : UAL_STATUS_OK;
}

}  // namespace ual::cuda
