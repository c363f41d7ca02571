// The GPU reference of `ual bench gemm`: the same GEMM through cuBLASLt called directly (driver API + cuBLASLt, both
// opened at run time with the CUDA plugin's own loaders), same shapes, layouts, data distribution and timing method
// as ual::gemm on cuda:<n>, so the ratio measures what ual adds on top of the vendor library.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ual/result.hpp"
#include "ual/tensor.hpp"

namespace ual::cli {

struct DirectCublasLtOptions {
  int device_ordinal = 0;
  std::int64_t m = 0, n = 0, k = 0;
  DType dtype = DType::bf16;  // f32, f16, bf16, fp8_e4m3, fp8_e5m2 (A and B)
  DType output = DType::bf16;
  bool transpose_b = false;         // B stored [N, K] (FP8 needs it: Hopper's TN rule)
  bool split_accumulator = true;    // FP8 only: false = CUBLASLT_MATMUL_DESC_FAST_ACCUM
  int repeats = 5;
};

struct DirectCublasLtTiming {
  std::vector<double> seconds;  // per GEMM, each followed by a stream synchronize (as ual's timing)
  std::string library;          // "cuBLASLt 130000 (libcublasLt.so.13)"
};

// unavailable when this build has no CUDA headers or the machine no driver / cuBLASLt.
Result<DirectCublasLtTiming> time_cublaslt_direct(const DirectCublasLtOptions& options);

}  // namespace ual::cli
