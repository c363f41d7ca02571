// rocBLAS (librocblas.so), opened at run time for GEMM. The handful of C entry points and enum values used are
// declared here from rocBLAS's public headers (rocblas-types.h, rocblas-functions.h: github.com/ROCm/rocBLAS,
// library/include/internal/; https://rocm.docs.amd.com/projects/rocBLAS/en/latest/reference/level-3.html
// "rocblas_gemm_strided_batched_ex"), stable from rocBLAS 2 (ROCm 5) to 5 (ROCm 7) for the LP64 build.
#pragma once

#include <cstdint>
#include <string>

#include "hip_library.hpp"

namespace ual::hip {

using rocblas_handle = struct _rocblas_handle*;
using rocblas_int = std::int32_t;
using rocblas_stride = std::int64_t;
using rocblas_status = int;
using rocblas_operation = int;
using rocblas_datatype = int;
using rocblas_gemm_algo = int;

inline constexpr rocblas_status rocblas_status_success = 0;
inline constexpr rocblas_status rocblas_status_memory_error = 5;
inline constexpr rocblas_operation rocblas_operation_none = 111;
inline constexpr rocblas_operation rocblas_operation_transpose = 112;
inline constexpr rocblas_datatype rocblas_datatype_f16_r = 150;
inline constexpr rocblas_datatype rocblas_datatype_f32_r = 151;
inline constexpr rocblas_datatype rocblas_datatype_bf16_r = 168;
inline constexpr rocblas_gemm_algo rocblas_gemm_algo_standard = 0;

extern "C" {
rocblas_status rocblas_create_handle(rocblas_handle* handle);
rocblas_status rocblas_destroy_handle(rocblas_handle handle);
rocblas_status rocblas_set_stream(rocblas_handle handle, hipStream_t stream);
const char* rocblas_status_to_string(rocblas_status status);
rocblas_status rocblas_gemm_strided_batched_ex(
    rocblas_handle handle, rocblas_operation trans_a, rocblas_operation trans_b, rocblas_int m, rocblas_int n,
    rocblas_int k, const void* alpha, const void* a, rocblas_datatype a_type, rocblas_int lda, rocblas_stride stride_a,
    const void* b, rocblas_datatype b_type, rocblas_int ldb, rocblas_stride stride_b, const void* beta, const void* c,
    rocblas_datatype c_type, rocblas_int ldc, rocblas_stride stride_c, void* d, rocblas_datatype d_type,
    rocblas_int ldd, rocblas_stride stride_d, rocblas_int batch_count, rocblas_datatype compute_type,
    rocblas_gemm_algo algo, std::int32_t solution_index, std::uint32_t flags);
}

#define UAL_ROCBLAS_SYMBOLS(X)                                                                                    \
  X(rocblas_create_handle) X(rocblas_destroy_handle) X(rocblas_set_stream) X(rocblas_status_to_string)           \
  X(rocblas_gemm_strided_batched_ex)

struct RocblasLibrary {
  void* handle = nullptr;
  std::string path;
#define UAL_ROCBLAS_MEMBER(name) decltype(&ual::hip::name) name = nullptr;
  UAL_ROCBLAS_SYMBOLS(UAL_ROCBLAS_MEMBER)
#undef UAL_ROCBLAS_MEMBER

  // "rocblas_status_memory_error (5)".
  std::string describe(rocblas_status status) const;
};

// librocblas.so.5, .so.4, .so.3, .so.0 (ROCm 7, 6, 5.x, older), or $UAL_ROCBLAS_LIBRARY. On failure `why` says what
// is missing (GEMM reports it; the other ops do not need rocBLAS) and false is returned.
bool open_rocblas_library(RocblasLibrary& library, std::string& why);
void close_rocblas_library(RocblasLibrary& library);

}  // namespace ual::hip
