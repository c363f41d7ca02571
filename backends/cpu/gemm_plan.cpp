#include "backends/cpu/gemm_plan.hpp"

#include <cstring>

namespace ual::cpu {
namespace {

// Strides of an extent-1 dimension mean nothing; canonical values keep the cache key and oneDNN's layout checks
// independent of them.
MatrixLayout canonical_layout(const MatrixView& view, std::int64_t batch_extent, ual_dtype dtype) {
  MatrixLayout layout;
  layout.dtype = dtype;
  layout.dims[0] = batch_extent;
  layout.dims[1] = view.rows;
  layout.dims[2] = view.cols;
  std::int64_t row_stride = view.row_stride;
  std::int64_t col_stride = view.col_stride;
  if (view.cols == 1) col_stride = 1;
  if (view.rows == 1) row_stride = col_stride == 1 ? view.cols : 1;
  const std::int64_t span = (view.rows - 1) * row_stride + (view.cols - 1) * col_stride + 1;
  layout.strides[0] = batch_extent == 1 ? span : view.batch_stride;
  layout.strides[1] = row_stride;
  layout.strides[2] = col_stride;
  return layout;
}

// gemm-based oneDNN matmuls need each matrix row- or column-major with a leading dimension at least the other
// extent, and batches that do not overlap; anything else (zero or interleaved strides) is packed first.
bool gemm_friendly(const MatrixLayout& layout) {
  const std::int64_t rows = layout.dims[1];
  const std::int64_t cols = layout.dims[2];
  const std::int64_t row_stride = layout.strides[1];
  const std::int64_t col_stride = layout.strides[2];
  const bool matrix_ok = (col_stride == 1 && row_stride >= cols) || (row_stride == 1 && col_stride >= rows);
  const std::int64_t span = (rows - 1) * row_stride + (cols - 1) * col_stride + 1;
  return matrix_ok && (layout.dims[0] == 1 || layout.strides[0] >= span);
}

// A packed copy keeps the source's orientation, so widening reads it sequentially and the gemm sees the same
// transpose it would have seen in place.
MatrixLayout packed_layout(const MatrixView& view, std::int64_t batch_extent, ual_dtype dtype) {
  const bool column_major = view.rows > 1 && view.cols > 1 && view.row_stride == 1 && view.col_stride != 1;
  MatrixLayout layout;
  layout.dtype = dtype;
  layout.dims[0] = batch_extent;
  layout.dims[1] = view.rows;
  layout.dims[2] = view.cols;
  layout.strides[0] = view.rows * view.cols;
  layout.strides[1] = column_major ? 1 : view.cols;
  layout.strides[2] = column_major ? view.rows : 1;
  return layout;
}

}  // namespace

const char* compute_name(ComputeType type) noexcept {
  switch (type) {
    case ComputeType::bf16: return "bf16";
    case ComputeType::f16: return "f16";
    case ComputeType::f32: break;
  }
  return "f32";
}

ual_dtype compute_dtype(ComputeType type) noexcept {
  switch (type) {
    case ComputeType::bf16: return UAL_DTYPE_BF16;
    case ComputeType::f16: return UAL_DTYPE_F16;
    case ComputeType::f32: break;
  }
  return UAL_DTYPE_F32;
}

GemmPlan plan_gemm(const GemmProblem& problem, bool native_bf16, bool native_f16, PlanOptions options) {
  GemmPlan plan;
  const ual_dtype input = problem.a.dtype;
  if (!options.force_f32) {
    // FP8 widens exactly to bf16 (3 or 2 mantissa bits, exponents within bf16's range), so a native bf16 matmul
    // computes an FP8 GEMM on half the scratch of f32. f16 does not fit bf16 exactly and goes to f32 instead.
    if ((input == UAL_DTYPE_BF16 || is_fp8(input)) && native_bf16) plan.compute = ComputeType::bf16;
    if (input == UAL_DTYPE_F16 && native_f16) plan.compute = ComputeType::f16;
  }
  const ual_dtype compute = compute_dtype(plan.compute);

  const bool broadcast_a = problem.batch > 1 && problem.a.batch_stride == 0;
  const bool broadcast_b = problem.batch > 1 && problem.b.batch_stride == 0;
  // oneDNN's dst batch is the broadcast of src's and weights' batches; with both at 1 it would be 1 as well.
  plan.per_batch = broadcast_a && broadcast_b;
  const std::int64_t batch_d = plan.per_batch ? 1 : problem.batch;

  plan.a = canonical_layout(problem.a, broadcast_a ? 1 : problem.batch, compute);
  plan.pack_a = options.force_pack || problem.a.dtype != compute || !gemm_friendly(plan.a);
  if (plan.pack_a) plan.a = packed_layout(problem.a, plan.a.dims[0], compute);
  plan.b = canonical_layout(problem.b, broadcast_b ? 1 : problem.batch, compute);
  plan.pack_b = options.force_pack || problem.b.dtype != compute || !gemm_friendly(plan.b);
  if (plan.pack_b) plan.b = packed_layout(problem.b, plan.b.dims[0], compute);

  // D is written in place when the primitive can produce its dtype and layout and nothing it overlaps is read
  // after D's first write: C in another view of the same bytes, or A / B.
  const bool d_dtype_native = problem.d.dtype == UAL_DTYPE_F32 || problem.d.dtype == compute;
  const bool c_aliases = problem.has_c && !same_view(problem.c, problem.d) && views_overlap(problem.c, problem.d);
  const bool d_aliases_input = views_overlap(problem.a, problem.d) || views_overlap(problem.b, problem.d);
  plan.d = canonical_layout(problem.d, batch_d, problem.d.dtype);
  plan.stage_d = options.force_pack || options.force_stage_d || !d_dtype_native || c_aliases || d_aliases_input ||
                 !gemm_friendly(plan.d);
  if (plan.stage_d) {
    plan.d = packed_layout(problem.d, batch_d, UAL_DTYPE_F32);
    plan.d.strides[1] = problem.n;  // staging is always row-major
    plan.d.strides[2] = 1;
  }

  plan.sum = problem.has_c && problem.beta != 0.0f;
  plan.beta = plan.sum ? problem.beta : 0.0f;
  plan.bias = problem.has_bias;
  plan.epilogue = problem.epilogue;
  return plan;
}

std::string plan_key(const GemmPlan& plan) {
  std::string key;
  const auto append = [&key](const auto& value) {
    key.append(reinterpret_cast<const char*>(&value), sizeof(value));
  };
  append(plan.compute);
  append(plan.pack_a);
  append(plan.pack_b);
  append(plan.stage_d);
  append(plan.per_batch);
  for (const MatrixLayout* layout : {&plan.a, &plan.b, &plan.d}) {
    append(layout->dims);
    append(layout->strides);
    append(layout->dtype);
  }
  append(plan.sum);
  append(plan.beta);
  append(plan.bias);
  append(plan.epilogue);
  return key;
}

}  // namespace ual::cpu
