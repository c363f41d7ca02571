// The direct oneDNN reference that `ual bench gemm` times in the same run as ual's own GEMM: one plain row-major
// matmul built straight from oneDNN, so the report can show what ual's dispatch, caching and widening cost.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ual/result.hpp"

namespace ual::cli {

struct DirectGemmOptions {
  std::string dtype = "f32";  // A and B: "f32" or "bf16"
  std::string output_dtype;   // D: "f32" or "bf16"; empty = dtype
  std::int64_t m = 1024;
  std::int64_t n = 1024;
  std::int64_t k = 1024;
  int warmup = 2;
  int repeats = 5;
};

struct DirectGemmTiming {
  std::vector<double> seconds;  // one per timed repetition, execute + wait
  std::string implementation;   // oneDNN's impl_info_str(), e.g. "gemm:jit"
};

// D[M,N] = A[M,K] x B[K,N], all row-major, on OpenMP's threads (omp_set_num_threads / OMP_NUM_THREADS).
// ErrorCode::unavailable when oneDNN has no matmul for the dtype on this CPU (bf16 without AVX512_BF16 / AMX in
// oneDNN 2.x); invalid_argument for an unknown dtype or a non-positive size.
Result<DirectGemmTiming> time_onednn_direct_gemm(const DirectGemmOptions& options);

}  // namespace ual::cli
