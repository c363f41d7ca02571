// One cublasLtMatmul call described in plain numbers (column-major, cuBLASLt's view), run with the device's cached
// heuristic algorithm, workspace and stream. The GEMM op (op_gemm.cpp) decides what to ask for; this file only
// speaks cuBLASLt.
#pragma once

#include <cublasLt.h>

#include "plugin_objects.hpp"

namespace ual::cuda {

struct LibraryMatrix {
  std::uint64_t address = 0;
  cudaDataType_t type = CUDA_R_32F;
  std::uint64_t rows = 0, columns = 0;  // as stored (before op)
  std::int64_t leading = 0;             // column-major leading dimension, elements
  std::int64_t batch_stride = 0;        // elements
};

struct MatmulCall {
  int batch = 1;
  std::uint64_t m = 0, n = 0, k = 0;  // cuBLASLt's m (rows of D), n (columns of D), k
  LibraryMatrix a, b, c, d;           // c.address == 0: no C (beta must be 0)
  cublasOperation_t op_a = CUBLAS_OP_N, op_b = CUBLAS_OP_N;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  float alpha = 1.0f, beta = 0.0f;
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_DEFAULT;
  std::uint64_t bias = 0;  // device pointer, with bias_type, when the epilogue adds a bias
  cudaDataType_t bias_type = CUDA_R_32F;
  std::uint64_t a_scale = 0, b_scale = 0;  // FP8: device float pointers (A_SCALE_POINTER, B_SCALE_POINTER)
  std::uint64_t d_scale = 0;  // FP8 D: device float 1 / D.scale_inv (D_SCALE_POINTER)
  std::uint64_t d_amax = 0;   // FP8 D: device float receiving max |D| before scaling (AMAX_D_POINTER)
  bool fp8 = false;
  bool fast_accumulation = false;  // FP8 only: CUBLASLT_MATMUL_DESC_FAST_ACCUM
};

// UNSUPPORTED when cuBLASLt has no algorithm for the combination (its heuristic returns none), with the types named;
// DEVICE_ERROR when the call itself fails. `what` names the op in messages ("GEMM").
ual_status run_matmul(ual_device& device, const MatmulCall& call, ual_error* error);

const char* data_type_name(cudaDataType_t type);

}  // namespace ual::cuda
