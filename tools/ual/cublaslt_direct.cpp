#include "cublaslt_direct.hpp"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "ual/fp8.hpp"

#ifdef UAL_CLI_CUBLASLT_REFERENCE
#include "backends/cuda/cublaslt_library.hpp"
#include "backends/cuda/cuda_driver.hpp"
#endif

namespace ual::cli {

#ifndef UAL_CLI_CUBLASLT_REFERENCE

Result<DirectCublasLtTiming> time_cublaslt_direct(const DirectCublasLtOptions&) {
  return make_error(ErrorCode::unavailable, "this ual was built without the CUDA toolkit's headers");
}

#else

namespace {

using namespace ual::cuda;

// Owns everything the reference creates, released in reverse order on every path.
struct Session {
  CudaDriver cu;
  CublasLtLibrary lt;
  CUdevice device = 0;
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  std::vector<CUdeviceptr> allocations;
  cublasLtHandle_t handle = nullptr;
  cublasLtMatmulDesc_t operation = nullptr;
  cublasLtMatrixLayout_t layouts[3] = {nullptr, nullptr, nullptr};
  cublasLtMatmulPreference_t preference = nullptr;
  ~Session() {
    if (preference != nullptr) lt.cublasLtMatmulPreferenceDestroy(preference);
    for (auto* layout : layouts)
      if (layout != nullptr) lt.cublasLtMatrixLayoutDestroy(layout);
    if (operation != nullptr) lt.cublasLtMatmulDescDestroy(operation);
    if (handle != nullptr) lt.cublasLtDestroy(handle);
    if (context != nullptr) {
      cu.cuCtxSetCurrent(context);
      for (CUdeviceptr pointer : allocations) cu.cuMemFree_v2(pointer);
      if (stream != nullptr) cu.cuStreamDestroy_v2(stream);
      cu.cuDevicePrimaryCtxRelease_v2(device);
    }
    close_cublaslt(lt);
    close_cuda_driver(cu);
  }
};

Error cuda_error(const Session& session, const char* step, CUresult result) {
  return Error{ErrorCode::unavailable, fmt::format("cuBLASLt reference: {} failed: {}", step, session.cu.describe(result))};
}
Error lt_error(const Session& session, const char* step, cublasStatus_t status) {
  return Error{ErrorCode::unavailable, fmt::format("cuBLASLt reference: {} failed: {}", step, session.lt.describe(status))};
}

cudaDataType_t cuda_type(DType dtype) {
  switch (dtype) {
    case DType::f16: return CUDA_R_16F;
    case DType::bf16: return CUDA_R_16BF;
    case DType::fp8_e4m3: return CUDA_R_8F_E4M3;
    case DType::fp8_e5m2: return CUDA_R_8F_E5M2;
    default: return CUDA_R_32F;
  }
}

// Uniform [-1, 1] values as ual's bench makes them (bench_command.cpp random_matrix), encoded in `dtype`.
std::vector<std::uint8_t> random_bytes(DType dtype, std::int64_t count, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
  const std::size_t size = dtype == DType::f32 ? 4 : (dtype == DType::bf16 || dtype == DType::f16) ? 2 : 1;
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count) * size);
  for (std::int64_t i = 0; i < count; ++i) {
    const float value = distribution(generator);
    std::uint8_t* out = bytes.data() + static_cast<std::size_t>(i) * size;
    if (dtype == DType::f32) {
      std::memcpy(out, &value, 4);
    } else if (dtype == DType::bf16 || dtype == DType::f16) {
      const std::uint16_t bits = dtype == DType::bf16 ? fp8::to_bfloat16(value).bits : fp8::to_float16(value).bits;
      std::memcpy(out, &bits, 2);
    } else {
      *out = fp8::encode(value, dtype == DType::fp8_e4m3 ? fp8::Format::e4m3 : fp8::Format::e5m2);
    }
  }
  return bytes;
}

}  // namespace

Result<DirectCublasLtTiming> time_cublaslt_direct(const DirectCublasLtOptions& options) {
  Session s;
  ual_error error{};
  if (open_cuda_driver(s.cu, &error) != UAL_STATUS_OK) return make_error(ErrorCode::unavailable, error.message);
  if (open_cublaslt(s.lt, &error) != UAL_STATUS_OK) return make_error(ErrorCode::unavailable, error.message);
  if (CUresult r = s.cu.cuDeviceGet(&s.device, options.device_ordinal); r != CUDA_SUCCESS)
    return cuda_error(s, "cuDeviceGet", r);
  if (CUresult r = s.cu.cuDevicePrimaryCtxRetain(&s.context, s.device); r != CUDA_SUCCESS)
    return cuda_error(s, "cuDevicePrimaryCtxRetain", r);
  if (CUresult r = s.cu.cuCtxSetCurrent(s.context); r != CUDA_SUCCESS) return cuda_error(s, "cuCtxSetCurrent", r);
  if (CUresult r = s.cu.cuStreamCreate(&s.stream, CU_STREAM_NON_BLOCKING); r != CUDA_SUCCESS)
    return cuda_error(s, "cuStreamCreate", r);

  const bool fp8 = is_fp8(options.dtype);
  const auto upload = [&](DType dtype, std::int64_t count, std::uint32_t seed, CUdeviceptr* pointer) -> Status {
    const auto bytes = random_bytes(dtype, count, seed);
    if (CUresult r = s.cu.cuMemAlloc_v2(pointer, bytes.size()); r != CUDA_SUCCESS) return cuda_error(s, "cuMemAlloc", r);
    s.allocations.push_back(*pointer);
    if (CUresult r = s.cu.cuMemcpyHtoDAsync_v2(*pointer, bytes.data(), bytes.size(), s.stream); r != CUDA_SUCCESS)
      return cuda_error(s, "cuMemcpyHtoD", r);
    if (CUresult r = s.cu.cuStreamSynchronize(s.stream); r != CUDA_SUCCESS) return cuda_error(s, "cuStreamSynchronize", r);
    return ok_status();
  };
  CUdeviceptr a = 0, b = 0, d = 0, workspace = 0, scales = 0;
  if (auto status = upload(options.dtype, options.m * options.k, 1, &a); !status) return status.error();
  if (auto status = upload(options.dtype, options.k * options.n, 2, &b); !status) return status.error();
  const std::int64_t d_bytes = options.m * options.n * (options.output == DType::f32 ? 4 : 2);
  if (CUresult r = s.cu.cuMemAlloc_v2(&d, static_cast<std::size_t>(d_bytes)); r != CUDA_SUCCESS) return cuda_error(s, "cuMemAlloc", r);
  s.allocations.push_back(d);
  const std::uint64_t workspace_bytes = 32ull << 20;  // as the plugin: cuBLAS docs' recommendation for Hopper
  if (CUresult r = s.cu.cuMemAlloc_v2(&workspace, workspace_bytes); r != CUDA_SUCCESS) return cuda_error(s, "cuMemAlloc", r);
  s.allocations.push_back(workspace);
  const float unit_scales[2] = {1.0f, 1.0f};
  if (CUresult r = s.cu.cuMemAlloc_v2(&scales, sizeof unit_scales); r != CUDA_SUCCESS) return cuda_error(s, "cuMemAlloc", r);
  s.allocations.push_back(scales);
  s.cu.cuMemcpyHtoDAsync_v2(scales, unit_scales, sizeof unit_scales, s.stream);
  s.cu.cuStreamSynchronize(s.stream);

  // Row-major D [M, N] = A [M, K] x B: column-major D^T = B^T x A^T (cuBLASLt's A is our B, its B our A).
  const cudaDataType_t in = cuda_type(options.dtype), out = cuda_type(options.output);
  cublasStatus_t st = s.lt.cublasLtCreate(&s.handle);
  if (st != CUBLAS_STATUS_SUCCESS) return lt_error(s, "cublasLtCreate", st);
  st = s.lt.cublasLtMatmulDescCreate(&s.operation, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  if (st != CUBLAS_STATUS_SUCCESS) return lt_error(s, "cublasLtMatmulDescCreate", st);
  const cublasOperation_t op_a = options.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N, op_b = CUBLAS_OP_N;
  s.lt.cublasLtMatmulDescSetAttribute(s.operation, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof op_a);
  s.lt.cublasLtMatmulDescSetAttribute(s.operation, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof op_b);
  if (fp8) {
    const void* scale_pointer = reinterpret_cast<const void*>(scales);
    s.lt.cublasLtMatmulDescSetAttribute(s.operation, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &scale_pointer, sizeof scale_pointer);
    s.lt.cublasLtMatmulDescSetAttribute(s.operation, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &scale_pointer, sizeof scale_pointer);
    const int8_t fast = options.split_accumulator ? 0 : 1;
    s.lt.cublasLtMatmulDescSetAttribute(s.operation, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast);
  }
  const auto m = static_cast<std::uint64_t>(options.m), n = static_cast<std::uint64_t>(options.n),
             k = static_cast<std::uint64_t>(options.k);
  if (options.transpose_b) {
    st = s.lt.cublasLtMatrixLayoutCreate(&s.layouts[0], in, k, n, options.k);  // B stored [N, K]: K x N col-major
  } else {
    st = s.lt.cublasLtMatrixLayoutCreate(&s.layouts[0], in, n, k, options.n);  // B [K, N]: N x K col-major
  }
  if (st == CUBLAS_STATUS_SUCCESS) st = s.lt.cublasLtMatrixLayoutCreate(&s.layouts[1], in, k, m, options.k);
  if (st == CUBLAS_STATUS_SUCCESS) st = s.lt.cublasLtMatrixLayoutCreate(&s.layouts[2], out, n, m, options.n);
  if (st != CUBLAS_STATUS_SUCCESS) return lt_error(s, "cublasLtMatrixLayoutCreate", st);
  st = s.lt.cublasLtMatmulPreferenceCreate(&s.preference);
  if (st == CUBLAS_STATUS_SUCCESS)
    st = s.lt.cublasLtMatmulPreferenceSetAttribute(s.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                   &workspace_bytes, sizeof workspace_bytes);
  if (st != CUBLAS_STATUS_SUCCESS) return lt_error(s, "cublasLtMatmulPreference", st);
  cublasLtMatmulHeuristicResult_t heuristic{};
  int found = 0;
  st = s.lt.cublasLtMatmulAlgoGetHeuristic(s.handle, s.operation, s.layouts[0], s.layouts[1], s.layouts[2],
                                           s.layouts[2], s.preference, 1, &heuristic, &found);
  if (st != CUBLAS_STATUS_SUCCESS || found == 0) return lt_error(s, "cublasLtMatmulAlgoGetHeuristic", st);

  DirectCublasLtTiming timing;
  timing.library = fmt::format("cuBLASLt {} ({})", s.lt.version, s.lt.path);
  const float alpha = 1.0f, beta = 0.0f;
  for (int i = -2; i < options.repeats; ++i) {  // two warm-up runs, as ual's timing
    const auto start = std::chrono::steady_clock::now();
    st = s.lt.cublasLtMatmul(s.handle, s.operation, &alpha, reinterpret_cast<const void*>(b), s.layouts[0],
                             reinterpret_cast<const void*>(a), s.layouts[1], &beta, reinterpret_cast<void*>(d),
                             s.layouts[2], reinterpret_cast<void*>(d), s.layouts[2], &heuristic.algo,
                             reinterpret_cast<void*>(workspace), workspace_bytes,
                             reinterpret_cast<cudaStream_t>(s.stream));
    if (st != CUBLAS_STATUS_SUCCESS) return lt_error(s, "cublasLtMatmul", st);
    if (CUresult r = s.cu.cuStreamSynchronize(s.stream); r != CUDA_SUCCESS) return cuda_error(s, "cuStreamSynchronize", r);
    if (i >= 0) timing.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return timing;
}

#endif

}  // namespace ual::cli
