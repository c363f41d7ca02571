#include "cublaslt_matmul.hpp"

#include "../common/plugin_status.hpp"

namespace ual::cuda {
namespace {

using ual::plugin::fail;

// cuBLAS documentation, cublasLtMatmul: "a workspace of 32 MiB is recommended for Hopper" (4 MiB suffices before);
// one size for every device keeps the cache key simple.
constexpr std::uint64_t kWorkspaceBytes = 32ull << 20;

// RAII holders so that every early return destroys the descriptors.
struct Descriptors {
  const CublasLtLibrary* lt = nullptr;
  cublasLtMatmulDesc_t operation = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr, d = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  ~Descriptors() {
    if (preference != nullptr) lt->cublasLtMatmulPreferenceDestroy(preference);
    for (cublasLtMatrixLayout_t layout : {a, b, c, d}) {
      if (layout != nullptr) lt->cublasLtMatrixLayoutDestroy(layout);
    }
    if (operation != nullptr) lt->cublasLtMatmulDescDestroy(operation);
  }
};

cublasStatus_t make_layout(const CublasLtLibrary& lt, const LibraryMatrix& matrix, int batch,
                           cublasLtMatrixLayout_t* layout) {
  cublasStatus_t s = lt.cublasLtMatrixLayoutCreate(layout, matrix.type, matrix.rows, matrix.columns, matrix.leading);
  if (s != CUBLAS_STATUS_SUCCESS || batch == 1) return s;
  const int32_t count = batch;
  const int64_t stride = matrix.batch_stride;
  s = lt.cublasLtMatrixLayoutSetAttribute(*layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
  if (s != CUBLAS_STATUS_SUCCESS) return s;
  return lt.cublasLtMatrixLayoutSetAttribute(*layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                             sizeof stride);
}

GemmKey key_of(const MatmulCall& call) {
  return {call.batch,        static_cast<int64_t>(call.m), static_cast<int64_t>(call.n),
          static_cast<int64_t>(call.k), call.a.type,  call.b.type,
          call.c.address != 0 ? call.c.type : -1, call.d.type, call.a.leading,
          call.b.leading,    call.c.leading,             call.d.leading,
          call.a.batch_stride, call.b.batch_stride,      call.c.batch_stride,
          call.d.batch_stride, call.op_a,                call.op_b,
          call.compute,      call.epilogue,              call.bias != 0 ? call.bias_type : -1,
          call.fast_accumulation ? 1 : 0,
          // Alignment classes of the pointers: an algorithm chosen for 16-byte-aligned operands may require it.
          static_cast<int64_t>((call.a.address | call.b.address | call.d.address | call.c.address) & 15),
          call.beta != 0.0f ? 1 : 0, call.d_scale != 0 ? 1 : 0, call.d_amax != 0 ? 1 : 0};
}

ual_status lt_failure(ual_device& device, ual_error* error, cublasStatus_t status, const char* step) {
  const ual_status code = status == CUBLAS_STATUS_NOT_SUPPORTED ? UAL_STATUS_UNSUPPORTED
                          : status == CUBLAS_STATUS_ALLOC_FAILED ? UAL_STATUS_OUT_OF_MEMORY
                          : status == CUBLAS_STATUS_INVALID_VALUE ? UAL_STATUS_INVALID_ARGUMENT
                                                                  : UAL_STATUS_DEVICE_ERROR;
  return fail(error, code, "%s GEMM: %s failed: %s", device.label().c_str(), step,
              device.backend->cublaslt.describe(status).c_str());
}

}  // namespace

const char* data_type_name(cudaDataType_t type) {
  switch (type) {
    case CUDA_R_32F: return "f32";
    case CUDA_R_16F: return "f16";
    case CUDA_R_16BF: return "bf16";
    case CUDA_R_8F_E4M3: return "e4m3";
    case CUDA_R_8F_E5M2: return "e5m2";
    default: return "other";
  }
}

ual_status run_matmul(ual_device& device, const MatmulCall& call, ual_error* error) {
  const CublasLtLibrary& lt = device.backend->cublaslt;
  const CudaDriver& cu = *device.cu;
  if (device.lt == nullptr) {
    if (cublasStatus_t s = lt.cublasLtCreate(&device.lt); s != CUBLAS_STATUS_SUCCESS) {
      return lt_failure(device, error, s, "cublasLtCreate");
    }
  }
  if (device.workspace == 0) {
    if (const CUresult r = cu.cuMemAlloc_v2(&device.workspace, kWorkspaceBytes); r != CUDA_SUCCESS) {
      return device.driver_failure(error, r, "allocating the 32 MiB cuBLASLt workspace");
    }
    device.workspace_bytes = kWorkspaceBytes;
  }

  Descriptors descriptors;
  descriptors.lt = &lt;
  const cudaDataType_t scale_type = CUDA_R_32F;
  cublasStatus_t s = lt.cublasLtMatmulDescCreate(&descriptors.operation, call.compute, scale_type);
  if (s != CUBLAS_STATUS_SUCCESS) return lt_failure(device, error, s, "cublasLtMatmulDescCreate");
  auto set = [&](cublasLtMatmulDescAttributes_t attribute, const void* value, std::size_t bytes) {
    if (s == CUBLAS_STATUS_SUCCESS) {
      s = lt.cublasLtMatmulDescSetAttribute(descriptors.operation, attribute, value, bytes);
    }
  };
  set(CUBLASLT_MATMUL_DESC_TRANSA, &call.op_a, sizeof call.op_a);
  set(CUBLASLT_MATMUL_DESC_TRANSB, &call.op_b, sizeof call.op_b);
  if (call.epilogue != CUBLASLT_EPILOGUE_DEFAULT) set(CUBLASLT_MATMUL_DESC_EPILOGUE, &call.epilogue, sizeof call.epilogue);
  if (call.bias != 0) {
    const void* bias = reinterpret_cast<const void*>(call.bias);
    set(CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias);
    set(CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &call.bias_type, sizeof call.bias_type);
  }
  if (call.fp8) {
    const void* a_scale = reinterpret_cast<const void*>(call.a_scale);
    const void* b_scale = reinterpret_cast<const void*>(call.b_scale);
    set(CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &a_scale, sizeof a_scale);
    set(CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &b_scale, sizeof b_scale);
    const int8_t fast = call.fast_accumulation ? 1 : 0;
    set(CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast);
  }
  if (call.d_scale != 0) {
    const void* d_scale = reinterpret_cast<const void*>(call.d_scale);
    set(CUBLASLT_MATMUL_DESC_D_SCALE_POINTER, &d_scale, sizeof d_scale);
  }
  if (call.d_amax != 0) {
    void* d_amax = reinterpret_cast<void*>(call.d_amax);
    set(CUBLASLT_MATMUL_DESC_AMAX_D_POINTER, &d_amax, sizeof d_amax);
  }
  if (s != CUBLAS_STATUS_SUCCESS) return lt_failure(device, error, s, "cublasLtMatmulDescSetAttribute");

  // Without C, cuBLASLt still wants a C layout: D's, except that an FP8 D needs a 16-bit C type (cuBLASLt's FP8
  // type table: C is BF16 or FP16 for an FP8 D); beta is 0, so C is never read.
  LibraryMatrix c_layout = call.c.address != 0 ? call.c : call.d;
  if (call.c.address == 0 && (call.d.type == CUDA_R_8F_E4M3 || call.d.type == CUDA_R_8F_E5M2)) {
    c_layout.type = CUDA_R_16BF;
  }
  if ((s = make_layout(lt, call.a, call.batch, &descriptors.a)) != CUBLAS_STATUS_SUCCESS ||
      (s = make_layout(lt, call.b, call.batch, &descriptors.b)) != CUBLAS_STATUS_SUCCESS ||
      (s = make_layout(lt, c_layout, call.batch, &descriptors.c)) != CUBLAS_STATUS_SUCCESS ||
      (s = make_layout(lt, call.d, call.batch, &descriptors.d)) != CUBLAS_STATUS_SUCCESS) {
    return lt_failure(device, error, s, "cublasLtMatrixLayoutCreate");
  }

  const GemmKey key = key_of(call);
  std::optional<cublasLtMatmulAlgo_t> algorithm = device.algorithms.find(key);
  if (!algorithm) {
    s = lt.cublasLtMatmulPreferenceCreate(&descriptors.preference);
    const uint64_t workspace = device.workspace_bytes;
    if (s == CUBLAS_STATUS_SUCCESS) {
      s = lt.cublasLtMatmulPreferenceSetAttribute(descriptors.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                  &workspace, sizeof workspace);
    }
    if (s != CUBLAS_STATUS_SUCCESS) return lt_failure(device, error, s, "cublasLtMatmulPreference");
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    s = lt.cublasLtMatmulAlgoGetHeuristic(device.lt, descriptors.operation, descriptors.a, descriptors.b,
                                          descriptors.c, descriptors.d, descriptors.preference, 1, &result, &found);
    if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
      return fail(error, UAL_STATUS_UNSUPPORTED,
                  "%s GEMM: cuBLASLt has no algorithm for A %s (%s) x B %s (%s) -> D %s, m=%llu n=%llu k=%llu "
                  "batch=%d%s",
                  device.label().c_str(), data_type_name(call.a.type), call.op_a == CUBLAS_OP_T ? "T" : "N",
                  data_type_name(call.b.type), call.op_b == CUBLAS_OP_T ? "T" : "N", data_type_name(call.d.type),
                  static_cast<unsigned long long>(call.m), static_cast<unsigned long long>(call.n),
                  static_cast<unsigned long long>(call.k), call.batch,
                  s != CUBLAS_STATUS_SUCCESS ? (" (" + lt.describe(s) + ")").c_str() : "");
    }
    algorithm = result.algo;
    device.algorithms.store(key, result.algo);
  }

  const float* beta = &call.beta;
  const void* c_pointer = reinterpret_cast<const void*>(call.c.address != 0 ? call.c.address : call.d.address);
  s = lt.cublasLtMatmul(device.lt, descriptors.operation, &call.alpha, reinterpret_cast<const void*>(call.a.address),
                        descriptors.a, reinterpret_cast<const void*>(call.b.address), descriptors.b, beta, c_pointer,
                        descriptors.c, reinterpret_cast<void*>(call.d.address), descriptors.d, &*algorithm,
                        reinterpret_cast<void*>(device.workspace), device.workspace_bytes,
                        reinterpret_cast<cudaStream_t>(device.stream));
  if (s != CUBLAS_STATUS_SUCCESS) return lt_failure(device, error, s, "cublasLtMatmul");
  return UAL_STATUS_OK;
}

}  // namespace ual::cuda
