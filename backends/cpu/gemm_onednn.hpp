// UAL_OP_GEMM on the CPU backend through oneDNN's matmul: D = epilogue(alpha * sa * sb * (A x B) + beta * C + bias)
// on CpuBuffer-backed tensors, synchronously. f32 runs in place on any row- or column-major strides; bf16, f16 and
// FP8 use oneDNN's native matmul for that type where the CPU has one, else they are widened exactly to f32.
#pragma once

#include <cstdint>
#include <string>

#include "ual/backend_abi.h"

namespace ual::cpu {

// Runs a GEMM op (see backend_abi.h for operands). Errors: UAL_STATUS_INVALID_ARGUMENT naming the operand for
// shapes, dtypes, strides or buffers it cannot take; UAL_STATUS_OUT_OF_MEMORY; UAL_STATUS_INTERNAL when oneDNN
// fails. `error` may be NULL. Never throws.
ual_status run_gemm(const ual_op& op, ual_error* error) noexcept;

// 1 when run_gemm would accept the op, else 0 with the reason in `why` (may be NULL).
std::int32_t supports_gemm(const ual_op& op, ual_error* why) noexcept;

// How many oneDNN primitives this process has created for GEMMs (a repeated shape reuses its cached one).
std::uint64_t gemm_primitive_creations() noexcept;

// The path run_gemm takes for this op, e.g. "onednn f32 gemm:jit" or "fp8 e4m3 x fp8 e5m2 -> f32 widening + onednn
// f32 gemm:jit". Creates (and caches) the primitive if needed; "invalid: <reason>" for an op run_gemm rejects.
std::string gemm_path_description(const ual_op& op);

}  // namespace ual::cpu
