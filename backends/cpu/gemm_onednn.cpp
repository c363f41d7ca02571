#include "backends/cpu/gemm_onednn.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backends/cpu/gemm_convert.hpp"
#include "backends/cpu/gemm_primitive.hpp"

namespace ual::cpu {
namespace {

void fill_error(ual_error* error, ual_status code, std::string_view message) noexcept {
  if (error == nullptr) return;
  error->code = code;
  const std::size_t length = std::min(message.size(), std::size_t{UAL_ERROR_MESSAGE_SIZE - 1});
  std::memcpy(error->message, message.data(), length);
  error->message[length] = '\0';
}

// Widened and packed operands live in per-thread buffers that only grow, so a training loop's repeated GEMMs do
// not page-fault fresh scratch on every call.
struct Scratch {
  std::vector<float> a;
  std::vector<float> b;
  std::vector<float> d;
  std::vector<float> bias;
};

void* reserve(std::vector<float>& buffer, std::int64_t elements, ual_dtype dtype) {
  const auto floats = static_cast<std::size_t>((elements * static_cast<std::int64_t>(dtype_size(dtype)) + 3) / 4);
  if (buffer.size() < floats) buffer.resize(floats);
  return buffer.data();
}

MatrixView layout_view(const MatrixLayout& layout, void* data) {
  MatrixView view;
  view.dtype = layout.dtype;
  view.batch = layout.dims[0];
  view.rows = layout.dims[1];
  view.cols = layout.dims[2];
  view.batch_stride = layout.strides[0];
  view.row_stride = layout.strides[1];
  view.col_stride = layout.strides[2];
  view.data = data;
  return view;
}

// A packed, widened copy of A or B in the primitive's layout (a broadcast operand is copied once).
const void* prepare_input(const MatrixView& source, bool pack, const MatrixLayout& layout,
                          std::vector<float>& scratch) {
  if (!pack) return source.data;
  void* data = reserve(scratch, layout.dims[0] * layout.dims[1] * layout.dims[2], layout.dtype);
  MatrixView from = source;
  from.batch = layout.dims[0];
  copy_matrix(from, layout_view(layout, data));
  return data;
}

const float* prepare_bias(const GemmProblem& problem, std::vector<float>& scratch) {
  const VectorView& bias = problem.bias;
  if (bias.dtype == UAL_DTYPE_F32 && (bias.stride == 1 || bias.size == 1)) return static_cast<const float*>(bias.data);
  float* data = static_cast<float*>(reserve(scratch, bias.size, UAL_DTYPE_F32));
  for (std::int64_t i = 0; i < bias.size; ++i) data[i] = load_as_float(bias.dtype, bias.data, i * bias.stride);
  return data;
}

// Row-major f32 [batch, m, n] holding every batch of D (also when the primitive itself runs one batch at a time).
MatrixView staging_view(const GemmProblem& problem, std::vector<float>& scratch) {
  MatrixView view;
  view.dtype = UAL_DTYPE_F32;
  view.batch = problem.batch;
  view.rows = problem.m;
  view.cols = problem.n;
  view.batch_stride = problem.m * problem.n;
  view.row_stride = problem.n;
  view.col_stride = 1;
  view.data = reserve(scratch, problem.batch * problem.m * problem.n, UAL_DTYPE_F32);
  return view;
}

float apply_epilogue(ual_epilogue epilogue, float x) {
  switch (epilogue) {
    case UAL_EPILOGUE_GELU: {
      const float inner = 0.7978845608028654f * (x + 0.044715f * x * x * x);  // sqrt(2 / pi)
      return 0.5f * x * (1.0f + std::tanh(inner));
    }
    case UAL_EPILOGUE_SILU: return x / (1.0f + std::exp(-x));
    case UAL_EPILOGUE_NONE: break;
  }
  return x;
}

// Staged f32 values into D. For an FP8 D, amax is of the values before scaling and rounding (Transformer Engine's
// amax of the GEMM output, cuBLASLt's AMAX_D_POINTER), so it is taken here, from the staging.
void store_staged(const GemmProblem& problem, const MatrixView& staging) {
  if (is_fp8(problem.d.dtype) && problem.amax != nullptr) *problem.amax = max_abs(staging);
  copy_matrix(staging, problem.d);
}

// K = 0: A x B is an empty sum, so D = epilogue(beta * C + bias). oneDNN refuses zero-K matmuls.
void run_empty_k(const GemmProblem& problem, Scratch& scratch) {
  MatrixView staging = staging_view(problem, scratch.d);
  auto* values = static_cast<float*>(staging.data);
  const std::int64_t count = problem.batch * problem.m * problem.n;
  // beta = 0 does not read C (BLAS rule), so NaN in an unused C cannot leak into D.
  if (problem.has_c && problem.beta != 0.0f) {
    copy_matrix(problem.c, staging);
    for (std::int64_t i = 0; i < count; ++i) values[i] *= problem.beta;
  } else {
    std::fill(values, values + count, 0.0f);
  }
  const float* bias = problem.has_bias ? prepare_bias(problem, scratch.bias) : nullptr;
  for (std::int64_t i = 0; i < count; ++i) {
    const float x = values[i] + (bias != nullptr ? bias[i % problem.n] : 0.0f);
    values[i] = apply_epilogue(problem.epilogue, x);
  }
  store_staged(problem, staging);
}

void run_matmul(const GemmProblem& problem, const GemmPrimitive& prepared, Scratch& scratch) {
  const GemmPlan& plan = prepared.plan;
  const void* a = prepare_input(problem.a, plan.pack_a, plan.a, scratch.a);
  const void* b = prepare_input(problem.b, plan.pack_b, plan.b, scratch.b);

  // The sum post-op adds beta * (what D holds), so C goes into the primitive's destination first.
  char* d = static_cast<char*>(problem.d.data);
  std::int64_t d_batch_bytes = problem.d.batch_stride * static_cast<std::int64_t>(dtype_size(problem.d.dtype));
  MatrixView staging;
  if (plan.stage_d) {
    staging = staging_view(problem, scratch.d);
    if (plan.sum) copy_matrix(problem.c, staging);
    d = static_cast<char*>(staging.data);
    d_batch_bytes = problem.m * problem.n * static_cast<std::int64_t>(sizeof(float));
  } else if (plan.sum && !same_view(problem.c, problem.d)) {
    copy_matrix(problem.c, problem.d);
  }

  // FP8 scale_invs fold into oneDNN's runtime output scale with alpha; other dtypes carry 1 by the ABI.
  double scale = problem.alpha;
  if (is_fp8(problem.a.dtype)) scale *= problem.a.scale_inv;
  if (is_fp8(problem.b.dtype)) scale *= problem.b.scale_inv;
  float output_scale = static_cast<float>(scale);

  dnnl::engine& engine = cpu_engine();
  dnnl::stream& stream = cpu_stream();
  dnnl::memory scale_memory({{1}, dnnl::memory::data_type::f32, {1}}, engine, &output_scale);
  dnnl::memory bias_memory;
  if (plan.bias) {
    bias_memory = dnnl::memory(prepared.bias_desc, engine, const_cast<float*>(prepare_bias(problem, scratch.bias)));
  }
  dnnl::memory a_memory(prepared.a_desc, engine, const_cast<void*>(a));
  dnnl::memory b_memory(prepared.b_desc, engine, const_cast<void*>(b));
  const std::int64_t launches = plan.per_batch ? problem.batch : 1;
  for (std::int64_t launch = 0; launch < launches; ++launch) {
    dnnl::memory d_memory(prepared.d_desc, engine, d + launch * d_batch_bytes);
    std::unordered_map<int, dnnl::memory> arguments{{DNNL_ARG_SRC, a_memory},
                                                    {DNNL_ARG_WEIGHTS, b_memory},
                                                    {DNNL_ARG_DST, d_memory},
                                                    {DNNL_ARG_ATTR_OUTPUT_SCALES, scale_memory}};
    if (plan.bias) arguments.emplace(prepared.bias_argument, bias_memory);
    prepared.primitive.execute(stream, arguments);
  }
  stream.wait();
  if (plan.stage_d) store_staged(problem, staging);
}

ual_status run_checked(const GemmProblem& problem) {
  const bool empty = problem.batch == 0 || problem.m == 0 || problem.n == 0;
  if (!empty) {
    thread_local Scratch scratch;
    if (problem.k == 0) {
      run_empty_k(problem, scratch);
    } else {
      run_matmul(problem, *gemm_primitive_for(problem), scratch);
    }
  }
  if (problem.amax != nullptr && (empty || !is_fp8(problem.d.dtype))) *problem.amax = max_abs(problem.d);
  return UAL_STATUS_OK;
}

}  // namespace

ual_status run_gemm(const ual_op& op, ual_error* error) noexcept {
  try {
    auto problem = check_gemm(op);
    if (!problem) {
      fill_error(error, UAL_STATUS_INVALID_ARGUMENT, problem.error().message);
      return UAL_STATUS_INVALID_ARGUMENT;
    }
    return run_checked(*problem);
  } catch (const dnnl::error& failure) {
    const ual_status code = failure.status == dnnl_out_of_memory ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_INTERNAL;
    fill_error(error, code, std::string("GEMM: oneDNN matmul failed: ") + failure.what());
    return code;
  } catch (const std::bad_alloc&) {
    fill_error(error, UAL_STATUS_OUT_OF_MEMORY, "GEMM: out of host memory for widening / staging scratch");
    return UAL_STATUS_OUT_OF_MEMORY;
  } catch (const std::exception& failure) {
    fill_error(error, UAL_STATUS_INTERNAL, std::string("GEMM: ") + failure.what());
    return UAL_STATUS_INTERNAL;
  } catch (...) {
    fill_error(error, UAL_STATUS_INTERNAL, "GEMM: unknown exception");
    return UAL_STATUS_INTERNAL;
  }
}

std::int32_t supports_gemm(const ual_op& op, ual_error* why) noexcept {
  try {
    auto problem = check_gemm(op);
    if (problem) return 1;
    fill_error(why, UAL_STATUS_INVALID_ARGUMENT, problem.error().message);
  } catch (...) {
    fill_error(why, UAL_STATUS_INTERNAL, "GEMM: could not check the op (out of memory)");
  }
  return 0;
}

std::uint64_t gemm_primitive_creations() noexcept { return gemm_primitive_creations_count(); }

std::string gemm_path_description(const ual_op& op) {
  try {
    auto problem = check_gemm(op);
    if (!problem) return "invalid: " + problem.error().message;
    if (problem->batch == 0 || problem->m == 0 || problem->n == 0) return "empty D: nothing to compute";
    if (problem->k == 0) return "K = 0: D = epilogue(beta * C + bias), no matmul";
    const auto prepared = gemm_primitive_for(*problem);
    const GemmPlan& plan = prepared->plan;
    const ual_dtype compute = compute_dtype(plan.compute);
    std::string text;
    if (problem->a.dtype != compute || problem->b.dtype != compute) {
      text += dtype_name(problem->a.dtype);
      if (problem->b.dtype != problem->a.dtype) text += std::string(" x ") + dtype_name(problem->b.dtype);
      text += std::string("->") + compute_name(plan.compute) + " widening + ";
    }
    text += std::string("onednn ") + compute_name(plan.compute) + " " + prepared->implementation;
    // Packing an operand that needs no widening means its strides were not a gemm layout: worth seeing in a bench.
    if (plan.pack_a && problem->a.dtype == compute) text += ", A packed";
    if (plan.pack_b && problem->b.dtype == compute) text += ", B packed";
    if (plan.stage_d) {
      text += problem->d.dtype == UAL_DTYPE_F32 ? std::string(", D staged")
                                                : std::string(" + f32->") + dtype_name(problem->d.dtype) + " store";
    }
    if (plan.per_batch) text += " (one launch per batch)";
    return text;
  } catch (const std::exception& failure) {
    return std::string("error: ") + failure.what();
  }
}

}  // namespace ual::cpu
