// The elementwise kernels' reference: plain loops, the formulas of elementwise.hpp evaluated in double and rounded
// once to float (then to f16 / bf16 with ual::fp8's round-to-nearest-even, as everywhere in the library). Double
// has 29 more bits than float, so row sums of up to millions of terms and exp / division carry no visible error:
// every result is within about one float rounding of the exact value, which is what lets the conformance suite
// use these as the oracle for every device. Speed is not a goal here.
#include <cmath>
#include <cstddef>
#include <limits>

#include "backends/cpu/kernels/elementwise_impl.hpp"
#include "ual/fp8.hpp"

namespace ual::cpu::detail {
namespace {

double load(ConstView view, std::size_t i) {
  switch (view.type) {
    case ElementType::f32: return static_cast<const float*>(view.data)[i];
    case ElementType::bf16: return fp8::to_float(static_cast<const fp8::bfloat16*>(view.data)[i]);
    case ElementType::f16: return fp8::to_float(static_cast<const fp8::float16*>(view.data)[i]);
  }
  return 0.0;
}

// The one rounding to float, then (for 16-bit outputs) float -> 16 bits, as elementwise.hpp specifies.
void store(MutableView view, std::size_t i, double value) {
  const auto f = static_cast<float>(value);
  switch (view.type) {
    case ElementType::f32: static_cast<float*>(view.data)[i] = f; break;
    case ElementType::bf16: static_cast<fp8::bfloat16*>(view.data)[i] = fp8::to_bfloat16(f); break;
    case ElementType::f16: static_cast<fp8::float16*>(view.data)[i] = fp8::to_float16(f); break;
  }
}

ConstView row_of(ConstView view, std::size_t offset) {
  const std::size_t size = view.type == ElementType::f32 ? 4 : 2;
  return {static_cast<const char*>(view.data) + offset * size, view.type};
}
MutableView row_of(MutableView view, std::size_t offset) {
  const std::size_t size = view.type == ElementType::f32 ? 4 : 2;
  return {static_cast<char*>(view.data) + offset * size, view.type};
}

// Every pass over a row reads element c before writing element c and never reads it again after the write that
// replaces it with an output, so x == y (same element size) works.
template <class RowFn>
void for_each_row(ConstView x, MutableView y, std::size_t rows, std::size_t cols, RowFn row_fn) {
  for (std::size_t r = 0; r < rows; ++r) row_fn(row_of(x, r * cols), row_of(y, r * cols));
}

void softmax_rows(ConstView x, MutableView y, std::size_t rows, std::size_t cols) {
  for_each_row(x, y, rows, cols, [cols](ConstView xr, MutableView yr) {
    // NaN-propagating max: a NaN anywhere makes every exp(x - max) NaN, so the whole row is NaN.
    double max = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < cols; ++c) {
      const double v = load(xr, c);
      if (v > max || std::isnan(v)) max = std::isnan(max) ? max : v;
    }
    double sum = 0.0;
    for (std::size_t c = 0; c < cols; ++c) sum += std::exp(load(xr, c) - max);
    // Stored only after the sums: the exps are recomputed rather than kept, so in-place works for any types.
    for (std::size_t c = 0; c < cols; ++c) store(yr, c, std::exp(load(xr, c) - max) / sum);
  });
}

void rms_norm_rows(ConstView x, ConstView gamma, MutableView y, std::size_t rows, std::size_t cols, float epsilon) {
  for_each_row(x, y, rows, cols, [&](ConstView xr, MutableView yr) {
    double sum_sq = 0.0;
    for (std::size_t c = 0; c < cols; ++c) sum_sq += load(xr, c) * load(xr, c);
    const double inv_rms = 1.0 / std::sqrt(sum_sq / double(cols) + double(epsilon));
    for (std::size_t c = 0; c < cols; ++c) store(yr, c, load(xr, c) * inv_rms * load(gamma, c));
  });
}

void layer_norm_rows(ConstView x, ConstView gamma, ConstView beta, MutableView y, std::size_t rows,
                     std::size_t cols, float epsilon) {
  for_each_row(x, y, rows, cols, [&](ConstView xr, MutableView yr) {
    double sum = 0.0;
    for (std::size_t c = 0; c < cols; ++c) sum += load(xr, c);
    const double mean = sum / double(cols);
    // Two passes: the variance of the deviations, which cannot cancel catastrophically as E[x^2] - mean^2 can.
    double sum_sq = 0.0;
    for (std::size_t c = 0; c < cols; ++c) sum_sq += (load(xr, c) - mean) * (load(xr, c) - mean);
    const double inv_std = 1.0 / std::sqrt(sum_sq / double(cols) + double(epsilon));
    for (std::size_t c = 0; c < cols; ++c) {
      const double shift = beta.data == nullptr ? 0.0 : load(beta, c);
      store(yr, c, (load(xr, c) - mean) * inv_std * load(gamma, c) + shift);
    }
  });
}

// 0.5 x (1 + tanh(u)) == x / (1 + e^(-2u)) exactly (1 + tanh(u) = 2 / (1 + e^(-2u))). The second form has no
// cancellation for very negative x, where 1 + tanh(u) rounds to 0 even in double (from x < -5.7) while the true
// value is still a normal float down to x ~ -10.
double gelu_value(double x) {
  constexpr double kSqrt2OverPi = 0.79788456080286535588;
  const double u = kSqrt2OverPi * (x + 0.044715 * x * x * x);
  return x / (1.0 + std::exp(-2.0 * u));
}

double silu_value(double x) { return x / (1.0 + std::exp(-x)); }

template <double (*Fn)(double)>
void unary(ConstView x, MutableView y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) store(y, i, Fn(load(x, i)));
}

// Sums and products of two floats are exact in double, so rounding them to float is the f32 operation itself.
void add(ConstView a, ConstView b, MutableView y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) store(y, i, load(a, i) + load(b, i));
}
void mul(ConstView a, ConstView b, MutableView y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) store(y, i, load(a, i) * load(b, i));
}

void exp_f32(const float* x, float* y, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) y[i] = static_cast<float>(std::exp(double(x[i])));
}

}  // namespace

const ElementwiseKernels& scalar_elementwise_kernels() noexcept {
  static const ElementwiseKernels kernels{"scalar",          &softmax_rows,      &rms_norm_rows, &layer_norm_rows,
                                          &unary<gelu_value>, &unary<silu_value>, &add,           &mul,
                                          &exp_f32};
  return kernels;
}

}  // namespace ual::cpu::detail
