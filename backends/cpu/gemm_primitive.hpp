// oneDNN matmul primitives for GEMM plans: one CPU engine for the process, a least-recently-used cache of created
// primitives keyed by the plan (so a repeated shape never re-JITs), and the probes that say whether this CPU has a
// native (non-reference) bf16 / f16 matmul.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <oneapi/dnnl/dnnl.hpp>

#include "backends/cpu/gemm_plan.hpp"

namespace ual::cpu {

struct GemmPrimitive {
  GemmPlan plan;            // the plan it was built for: may be a fallback rung of the requested one
  dnnl::matmul primitive;
  std::string implementation;  // primitive_desc::impl_info_str(), e.g. "gemm:jit"
  int bias_argument = 0;       // DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1 when plan.bias
  dnnl::memory::desc a_desc;   // plan.a, plan.b, plan.d and the [1, 1, N] f32 bias as oneDNN descriptors
  dnnl::memory::desc b_desc;
  dnnl::memory::desc d_desc;
  dnnl::memory::desc bias_desc;
};

dnnl::engine& cpu_engine();
// oneDNN streams are not meant to be shared between threads that execute at the same time, and the host may drive
// two CPU devices from two threads, so each thread gets its own stream on the one engine.
dnnl::stream& cpu_stream();

bool native_bf16_matmul();  // probed once
bool native_f16_matmul();

// The cached primitive for this problem, created on a miss. On the way it walks the fallback rungs (requested ->
// D staged -> all packed -> f32 packed) until oneDNN gives a non-reference implementation.
// Throws dnnl::error / std::bad_alloc.
std::shared_ptr<const GemmPrimitive> gemm_primitive_for(const GemmProblem& problem);

std::uint64_t gemm_primitive_creations_count() noexcept;

}  // namespace ual::cpu
