// A UAL_OP_GEMM checked and unpacked into plain views (dtypes, extents, element strides, host pointers), so the
// oneDNN path works on named matrices instead of ual_tensor arrays. Checking is complete enough that nothing later
// can read or write outside a buffer: every rejection names the operand (A, B, C, bias, D, amax).
#pragma once

#include <cstdint>
#include <string>

#include "backends/cpu/cpu_buffer.hpp"
#include "ual/backend_abi.h"
#include "ual/result.hpp"

namespace ual::cpu {

// One [batch, rows, cols] operand. A batch_stride of 0 broadcasts one matrix to every batch.
struct MatrixView {
  ual_dtype dtype = UAL_DTYPE_F32;
  std::int64_t batch = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::int64_t batch_stride = 0;
  std::int64_t row_stride = 0;
  std::int64_t col_stride = 0;
  void* data = nullptr;  // element [0, 0, 0]
  ual_buffer* buffer = nullptr;
  float scale_inv = 1.0f;
};

struct VectorView {
  ual_dtype dtype = UAL_DTYPE_F32;
  std::int64_t size = 0;
  std::int64_t stride = 0;
  void* data = nullptr;
};

struct GemmProblem {
  std::int64_t batch = 0;
  std::int64_t m = 0;
  std::int64_t n = 0;
  std::int64_t k = 0;
  MatrixView a;  // [batch, m, k]
  MatrixView b;  // [batch, k, n]
  MatrixView d;  // [batch, m, n]
  bool has_c = false;
  MatrixView c;  // [batch, m, n], dtype of d
  bool has_bias = false;
  VectorView bias;         // [n]
  float* amax = nullptr;   // [1] f32 or absent
  float alpha = 1.0f;
  float beta = 0.0f;
  ual_epilogue epilogue = UAL_EPILOGUE_NONE;
};

const char* dtype_name(ual_dtype dtype) noexcept;
// is_fp8, dtype_size, fp8_format: backends/cpu/cpu_buffer.hpp.

// ErrorCode::invalid_argument with a sentence naming the operand for anything run_gemm cannot take.
Result<GemmProblem> check_gemm(const ual_op& op);

// True when the address ranges of the two views share a byte (conservative: gaps between strides count).
bool views_overlap(const MatrixView& first, const MatrixView& second) noexcept;
// True when the two views are the same elements in the same order (C passed as D for an in-place beta).
bool same_view(const MatrixView& first, const MatrixView& second) noexcept;

}  // namespace ual::cpu
