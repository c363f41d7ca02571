// Hot-path math on tensors: GEMM (with Transformer Engine's FP8 scaling), FP8 quantize/dequantize, softmax, norms,
// activations and elementwise add/mul. An op runs on the device that holds its tensors; every operand must be on
// that one device (copy with Tensor::to). Shapes, dtypes and devices are checked before any work starts and an error
// names the operand. Ops are queued in order on the device; read results with Tensor::read / to_vector, which wait.
#pragma once

#include <cstdint>
#include <span>

#include "ual/export.hpp"
#include "ual/result.hpp"
#include "ual/tensor.hpp"

namespace ual {

enum class Epilogue {
  none,
  gelu,  // tanh approximation, as cuBLASLt's CUBLASLT_EPILOGUE_GELU and Transformer Engine use
  silu
};
UAL_API const char* to_string(Epilogue epilogue) noexcept;

enum class OpKind { gemm, quantize, dequantize, softmax, rms_norm, layer_norm, gelu, silu, add, mul };
UAL_API const char* to_string(OpKind kind) noexcept;

struct GemmOptions {
  // A is [M, K] or [batch, M, K] (stored [K, M] / [batch, K, M] when transposed); B is [K, N] or [batch, K, N]
  // ([N, K] when transposed); D is [M, N] or [batch, M, N]. A rank-2 operand of a batched GEMM is broadcast.
  bool transpose_a = false;
  bool transpose_b = false;
  float alpha = 1.0f;
  float beta = 0.0f;        // needs c
  const Tensor* c = nullptr;  // same shape and dtype as D; may be D itself
  const Tensor* bias = nullptr;  // [N], f32 or D's dtype
  Epilogue epilogue = Epilogue::none;
  const Tensor* amax = nullptr;  // [1] f32: receives max |D| (NaN ignored), as cuBLASLt's AMAX_D_POINTER
  // Transformer Engine's use_split_accumulator (FP8 only): full-precision accumulation instead of Hopper's fast
  // accumulation mode. Devices without such a mode ignore it.
  bool use_split_accumulator = true;
};

// D = epilogue(alpha * scale_inv_a * scale_inv_b * op(A) x op(B) + beta * C + bias), f32 accumulation.
// Inputs f32, f16, bf16 (A and B the same) or FP8 (any two FP8 formats; scale_inv from the tensors), D f32/f16/bf16
// or FP8 (Transformer Engine's FP8 output: D stores fp8(v / D.scale_inv), saturating, amax is of v before scaling;
// no C, bias f32). The OpenCL backend has no FP8 D.
UAL_API Status gemm(const Tensor& a, const Tensor& b, const Tensor& d, const GemmOptions& options = {});

// One GEMM per triple, on one device (the pointer-array batched form of cuBLAS, for operands that do not share
// strides). Every triple is validated before the first one runs.
UAL_API Status gemm_batched(std::span<const Tensor> a, std::span<const Tensor> b, std::span<const Tensor> d,
                            const GemmOptions& options = {});

struct QuantizeOptions {
  bool saturate = true;  // false: values beyond the format's range become Inf / NaN (ual::fp8::Overflow::nonfinite)
  const Tensor* amax = nullptr;  // [1] f32: receives max |input| (NaN ignored)
};

// output = fp8(input * scale); output's scale_inv becomes 1 / scale. input f32/f16/bf16, output an FP8 dtype, same
// shape.
UAL_API Status quantize(const Tensor& input, Tensor& output, float scale, const QuantizeOptions& options = {});
// output = input * input.scale_inv(), output f32/f16/bf16.
UAL_API Status dequantize(const Tensor& input, const Tensor& output);

// Row-wise over the last dimension. f32, f16 and bf16, arithmetic in f32.
UAL_API Status softmax(const Tensor& x, const Tensor& y);
UAL_API Status rms_norm(const Tensor& x, const Tensor& gamma, const Tensor& y, float epsilon = 1e-6f);
// beta may be null (no shift).
UAL_API Status layer_norm(const Tensor& x, const Tensor& gamma, const Tensor* beta, const Tensor& y,
                          float epsilon = 1e-5f);

UAL_API Status gelu(const Tensor& x, const Tensor& y);  // tanh approximation
UAL_API Status silu(const Tensor& x, const Tensor& y);
// b broadcasts against a NumPy-style (trailing dimensions; size-1 or missing dimensions repeat).
UAL_API Status add(const Tensor& a, const Tensor& b, const Tensor& y);
UAL_API Status mul(const Tensor& a, const Tensor& b, const Tensor& y);

}  // namespace ual
