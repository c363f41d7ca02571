// How one GEMM problem maps onto a oneDNN matmul: which type the primitive computes in, which operands it reads in
// place and which are first widened or packed into scratch, whether D is staged in f32, and the memory layouts the
// primitive sees. The plan is everything the primitive depends on, so its serialisation is the cache key.
#pragma once

#include <cstdint>
#include <string>

#include "backends/cpu/gemm_problem.hpp"

namespace ual::cpu {

enum class ComputeType { f32, bf16, f16 };
const char* compute_name(ComputeType type) noexcept;
ual_dtype compute_dtype(ComputeType type) noexcept;

// A 3-D memory descriptor in plain numbers: dims {batch, rows, cols} and element strides.
struct MatrixLayout {
  std::int64_t dims[3] = {0, 0, 0};
  std::int64_t strides[3] = {0, 0, 0};
  ual_dtype dtype = UAL_DTYPE_F32;
};

struct GemmPlan {
  ComputeType compute = ComputeType::f32;
  bool pack_a = false;  // A is widened / packed into scratch laid out as layout_a (else read in place)
  bool pack_b = false;
  bool stage_d = false;    // the primitive writes a packed f32 scratch, then copy_matrix stores it into D
  bool per_batch = false;  // A and B both broadcast over batch > 1: a batch-1 primitive runs once per batch
  MatrixLayout a;          // what the primitive reads / writes (batch extent 1 for a broadcast operand)
  MatrixLayout b;
  MatrixLayout d;
  bool sum = false;  // beta * C through a sum post-op (C present and beta != 0)
  float beta = 0.0f;
  bool bias = false;  // f32 [1, 1, N] binary-add post-op
  ual_epilogue epilogue = UAL_EPILOGUE_NONE;
};

// Fallback rungs: each one gives up a faster option for one oneDNN is likelier to take.
struct PlanOptions {
  bool force_stage_d = false;  // stage D in f32 (gemm:jit in oneDNN 2.6 takes no column-major D)
  bool force_pack = false;     // pack every input and stage D, whatever their strides
  bool force_f32 = false;      // compute in f32 even when a native bf16 / f16 matmul exists
};

// native_bf16 / native_f16: whether oneDNN has a non-reference matmul for that type on this CPU.
GemmPlan plan_gemm(const GemmProblem& problem, bool native_bf16, bool native_f16, PlanOptions options);
std::string plan_key(const GemmPlan& plan);

}  // namespace ual::cpu
