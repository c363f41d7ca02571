// The CPU backend's own row-wise and elementwise kernels (softmax, RMS norm, layer norm, GELU, SiLU, add, mul) on
// contiguous row-major data of f32, f16 or bf16, arithmetic in f32. Each has a scalar reference and vector versions
// picked at run time by CPU feature (same Isa enum as the FP8 kernels); the scalar one is the oracle the conformance
// suite compares every device against.
//
// Semantics (rows x cols, row-major; "row" = the last dimension):
//   softmax:     y[r,c] = exp(x[r,c] - max_r) / sum_c exp(x[r,c] - max_r)            (a row of -inf gives NaN, as
//                PyTorch does; NaN in a row propagates to that row)
//   rms_norm:    y[r,c] = x[r,c] / sqrt(mean_c(x^2) + epsilon) * gamma[c]
//   layer_norm:  y[r,c] = (x[r,c] - mean_r) / sqrt(var_r + epsilon) * gamma[c] + beta[c]   (biased variance;
//                beta may be null = 0)
//   gelu:        y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))                 (tanh approximation)
//   silu:        y = x / (1 + exp(-x))
//   add / mul:   y[i] = a[i] op b[i]
// f16 / bf16 outputs are rounded to nearest even from the f32 result. Inputs and outputs may alias exactly
// (x == y) but must not partially overlap. Kernels are single-threaded over the given rows / elements; callers
// split work across threads.
#pragma once

#include <cstddef>

#include "ual/fp8_kernels.hpp"  // ual::fp8::Isa
#include "ual/result.hpp"

namespace ual::cpu {

enum class ElementType { f32, f16, bf16 };

using Isa = ual::fp8::Isa;

struct ConstView {
  const void* data;
  ElementType type;
};
struct MutableView {
  void* data;
  ElementType type;
};

// Errors (ErrorCode::invalid_argument / unavailable): null data with a nonzero size, an Isa the CPU lacks.
// Also invalid_argument, each naming the operand: a type that is not an ElementType, an input that partially
// overlaps y, rows x cols overflowing size_t, epsilon NaN or negative. Errors are reported before anything is
// written. Isa::avx512 on a CPU that has it runs the AVX2 kernels (there are no AVX-512 versions yet).
Status softmax_rows(ConstView x, MutableView y, std::size_t rows, std::size_t cols, Isa isa = Isa::automatic);
Status rms_norm_rows(ConstView x, ConstView gamma, MutableView y, std::size_t rows, std::size_t cols, float epsilon,
                     Isa isa = Isa::automatic);
// beta.data == nullptr: no shift.
Status layer_norm_rows(ConstView x, ConstView gamma, ConstView beta, MutableView y, std::size_t rows,
                       std::size_t cols, float epsilon, Isa isa = Isa::automatic);
Status gelu(ConstView x, MutableView y, std::size_t count, Isa isa = Isa::automatic);
Status silu(ConstView x, MutableView y, std::size_t count, Isa isa = Isa::automatic);
Status add(ConstView a, ConstView b, MutableView y, std::size_t count, Isa isa = Isa::automatic);
Status mul(ConstView a, ConstView b, MutableView y, std::size_t count, Isa isa = Isa::automatic);

}  // namespace ual::cpu
