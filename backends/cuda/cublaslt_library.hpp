// cuBLASLt, opened at run time (libcublasLt.so.13, .12 or .11, or $UAL_CUBLASLT_LIBRARY): the library GEMM of the
// CUDA plugin. Types and prototypes come from the toolkit's cublasLt.h (headers only; nothing links it). Entry
// points used, as documented in the cuBLASLt API reference (docs.nvidia.com/cuda/cublas, "Using the cuBLASLt API"):
// handle, matmul/matrix-layout/preference descriptors, heuristic algorithm query and cublasLtMatmul.
#pragma once

#include <cublasLt.h>

#include <string>

#include "ual/backend_abi.h"

namespace ual::cuda {

#define UAL_CUBLASLT_SYMBOLS(X)                                                                                 \
  X(cublasLtCreate) X(cublasLtDestroy) X(cublasLtGetVersion) X(cublasLtGetStatusName) X(cublasLtGetStatusString) \
  X(cublasLtMatmulDescCreate) X(cublasLtMatmulDescDestroy) X(cublasLtMatmulDescSetAttribute)                    \
  X(cublasLtMatrixLayoutCreate) X(cublasLtMatrixLayoutDestroy) X(cublasLtMatrixLayoutSetAttribute)             \
  X(cublasLtMatmulPreferenceCreate) X(cublasLtMatmulPreferenceDestroy) X(cublasLtMatmulPreferenceSetAttribute) \
  X(cublasLtMatmulAlgoGetHeuristic) X(cublasLtMatmul)

struct CublasLtLibrary {
  void* handle = nullptr;
  std::string path;
  std::size_t version = 0;  // cublasLtGetVersion(): 130000 for 13.0.0
#define UAL_CUBLASLT_MEMBER(name) decltype(&::name) name = nullptr;
  UAL_CUBLASLT_SYMBOLS(UAL_CUBLASLT_MEMBER)
#undef UAL_CUBLASLT_MEMBER

  std::string describe(cublasStatus_t status) const;  // "CUBLAS_STATUS_NOT_SUPPORTED (the functionality ...)"
};

// UNAVAILABLE with the names tried when no cuBLASLt loads; the plugin still runs its own kernels then.
ual_status open_cublaslt(CublasLtLibrary& library, ual_error* error);
void close_cublaslt(CublasLtLibrary& library);

}  // namespace ual::cuda
