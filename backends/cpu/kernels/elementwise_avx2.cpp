// The elementwise kernels for AVX2 + FMA + F16C, 8 floats per vector, compiled with -mavx2 -mfma -mf16c -mbmi2
// (src/CMakeLists.txt) and called only where the CPU has them (elementwise_dispatch.cpp checks isa_supported).
//
// x and y types are template parameters (9 instantiations per kernel; 27 for add / mul), so the inner loops load
// and store without branches. gamma and beta take their type at run time instead (a switch per 8 elements that
// always goes the same way, so it is predicted), which saves 27 x 4 layer-norm instantiations.
//
// Row reductions (max, sums) run in float over 32 lanes (four accumulators, for the add latency); each of the 32
// partial sums covers cols / 32 terms, so for rows up to tens of thousands the sums are good to ~1e-6 relative.
// layer_norm uses the corrected two-pass algorithm (Chan, Golub & LeVeque 1983): a float mean m1 first, then the
// sums of d = x - m1 and d^2, from which mean = m1 + sum(d) / n and var = sum(d^2) / n - (sum(d) / n)^2. The
// correction term removes the float mean's rounding, which matters for rows with a large offset (x = 1000 + noise).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "backends/cpu/kernels/avx2_math.hpp"
#include "backends/cpu/kernels/elementwise_impl.hpp"

namespace ual::cpu::detail {
namespace avx2 {
namespace {

template <class Tag>
UAL_AVX2_INLINE __m256 load(Tag tag, const typename Tag::T* p, std::size_t lanes) {
  return lanes == 8 ? load8(tag, p) : load_partial(tag, p, lanes);
}
template <class Tag>
UAL_AVX2_INLINE void store(Tag tag, typename Tag::T* p, __m256 v, std::size_t lanes) {
  if (lanes == 8) {
    store8(tag, p, v);
  } else {
    store_partial(tag, p, v, lanes);
  }
}

// Zero in lanes >= lanes (tails), where a zero-filled load may not give a neutral term.
UAL_AVX2_INLINE __m256 keep_lanes(__m256 v, std::size_t lanes) {
  return lanes == 8 ? v : _mm256_and_ps(v, lane_mask(lanes));
}

// fn(i, lanes) for blocks of 8 elements, then one partial block (lanes < 8) if n is not a multiple of 8. Inlined,
// the full blocks see lanes == 8 as a constant and lose the tail branches.
template <class Fn>
inline void for_each_block(std::size_t n, Fn fn) {
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) fn(i, std::size_t{8});
  if (i < n) fn(i, n - i);
}

// Sum of term(i, lanes) over the blocks, four accumulators; term returns zero in lanes >= lanes.
template <class Term>
inline float sum_blocks(std::size_t n, Term term) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a0 = _mm256_add_ps(a0, term(i, std::size_t{8}));
    a1 = _mm256_add_ps(a1, term(i + 8, std::size_t{8}));
    a2 = _mm256_add_ps(a2, term(i + 16, std::size_t{8}));
    a3 = _mm256_add_ps(a3, term(i + 24, std::size_t{8}));
  }
  for (; i + 8 <= n; i += 8) a0 = _mm256_add_ps(a0, term(i, std::size_t{8}));
  if (i < n) a1 = _mm256_add_ps(a1, term(i, n - i));
  return hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

// gamma / beta, type chosen at run time (see the top of the file).
UAL_AVX2_INLINE __m256 load_param(ConstView v, std::size_t i, std::size_t lanes) {
  switch (v.type) {
    case ElementType::f32: return load(F32{}, static_cast<const float*>(v.data) + i, lanes);
    case ElementType::bf16: return load(Bf16{}, static_cast<const std::uint16_t*>(v.data) + i, lanes);
    case ElementType::f16: return load(F16{}, static_cast<const std::uint16_t*>(v.data) + i, lanes);
  }
  return _mm256_setzero_ps();
}

template <class X, class Y>
void softmax_row(const typename X::T* x, typename Y::T* y, std::size_t n) {
  // Max ignoring NaN ((v)maxps returns its second operand, the accumulator, when the first is NaN): a NaN still
  // reaches every output through exp(NaN - max) in the sum, so the row becomes NaN as specified.
  const __m256 neg_inf = _mm256_set1_ps(-__builtin_inff());
  __m256 m0 = neg_inf, m1 = neg_inf, m2 = neg_inf, m3 = neg_inf;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    m0 = _mm256_max_ps(load8(X{}, x + i), m0);
    m1 = _mm256_max_ps(load8(X{}, x + i + 8), m1);
    m2 = _mm256_max_ps(load8(X{}, x + i + 16), m2);
    m3 = _mm256_max_ps(load8(X{}, x + i + 24), m3);
  }
  for (; i + 8 <= n; i += 8) m0 = _mm256_max_ps(load8(X{}, x + i), m0);
  if (i < n) m1 = _mm256_max_ps(_mm256_blendv_ps(neg_inf, load_partial(X{}, x + i, n - i), lane_mask(n - i)), m1);
  const __m256 max = _mm256_set1_ps(hmax(_mm256_max_ps(_mm256_max_ps(m0, m1), _mm256_max_ps(m2, m3))));

  // A float output keeps the exps from the sum pass and is scaled in place; a 16-bit output would lose them to
  // rounding, so those recompute exp in the last pass (cheaper than a scratch row, and the row is in L1 anyway).
  constexpr bool kKeepExps = sizeof(typename Y::T) == sizeof(float);
  const float sum = sum_blocks(n, [&](std::size_t j, std::size_t lanes) {
    const __m256 e = keep_lanes(exp8(_mm256_sub_ps(load(X{}, x + j, lanes), max)), lanes);
    if constexpr (kKeepExps) store(Y{}, y + j, e, lanes);
    return e;
  });
  const __m256 inv_sum = _mm256_set1_ps(1.0f / sum);
  for_each_block(n, [&](std::size_t j, std::size_t lanes) {
    if constexpr (kKeepExps) {
      store(Y{}, y + j, _mm256_mul_ps(load(Y{}, y + j, lanes), inv_sum), lanes);
    } else {
      store(Y{}, y + j, _mm256_mul_ps(exp8(_mm256_sub_ps(load(X{}, x + j, lanes), max)), inv_sum), lanes);
    }
  });
}

// Float sums of squares overflow for |x| above ~1e19 and underflow for |x| below ~1e-19 (with epsilon 0 that
// matters). Rows whose float sums leave [2^-100, 2^100] are summed again in double, as the reference does; all-zero,
// constant (layer_norm) and NaN rows fail the same test, and come out as the reference's too. Rare, so a plain loop.
constexpr float kSafeSumMin = 0x1p-100f;
constexpr float kSafeSumMax = 0x1p100f;

// sum of (x - center)^power over the row, power 1 or 2, in double.
template <class X>
double sum_double(const typename X::T* x, std::size_t n, double center, int power) {
  double total = 0.0;
  for_each_block(n, [&](std::size_t j, std::size_t lanes) {
    float values[8];
    _mm256_storeu_ps(values, load(X{}, x + j, lanes));
    for (std::size_t k = 0; k < lanes; ++k) {
      const double d = double(values[k]) - center;
      total += power == 1 ? d : d * d;
    }
  });
  return total;
}

template <class X, class Y>
void rms_norm_row(const typename X::T* x, ConstView gamma, typename Y::T* y, std::size_t n, float epsilon) {
  const float sum_sq = sum_blocks(n, [&](std::size_t j, std::size_t lanes) {
    const __m256 v = load(X{}, x + j, lanes);  // zero-filled tail: a neutral term
    return _mm256_mul_ps(v, v);
  });
  double mean_sq = double(sum_sq) / double(n);
  if (!(sum_sq >= kSafeSumMin && sum_sq <= kSafeSumMax)) mean_sq = sum_double<X>(x, n, 0.0, 2) / double(n);
  const auto inv_rms = static_cast<float>(1.0 / __builtin_sqrt(mean_sq + double(epsilon)));
  const __m256 scale = _mm256_set1_ps(inv_rms);
  for_each_block(n, [&](std::size_t j, std::size_t lanes) {
    const __m256 v = _mm256_mul_ps(load(X{}, x + j, lanes), scale);
    store(Y{}, y + j, _mm256_mul_ps(v, load_param(gamma, j, lanes)), lanes);
  });
}

template <class X, class Y, bool HasBeta>
void layer_norm_row(const typename X::T* x, ConstView gamma, ConstView beta, typename Y::T* y, std::size_t n,
                    float epsilon) {
  const float sum = sum_blocks(n, [&](std::size_t j, std::size_t lanes) { return load(X{}, x + j, lanes); });
  __m256 m1 = _mm256_set1_ps(sum / static_cast<float>(n));
  __m256 d0 = _mm256_setzero_ps(), d1 = d0, q0 = d0, q1 = d0;
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_sub_ps(load8(X{}, x + i), m1);
    const __m256 b = _mm256_sub_ps(load8(X{}, x + i + 8), m1);
    d0 = _mm256_add_ps(d0, a);
    d1 = _mm256_add_ps(d1, b);
    q0 = _mm256_fmadd_ps(a, a, q0);
    q1 = _mm256_fmadd_ps(b, b, q1);
  }
  for_each_block(n - i, [&](std::size_t j, std::size_t lanes) {
    const __m256 a = keep_lanes(_mm256_sub_ps(load(X{}, x + i + j, lanes), m1), lanes);
    d0 = _mm256_add_ps(d0, a);
    q0 = _mm256_fmadd_ps(a, a, q0);
  });
  double mean_shift = double(hsum(_mm256_add_ps(d0, d1))) / double(n);
  const float sum_sq = hsum(_mm256_add_ps(q0, q1));
  double variance = double(sum_sq) / double(n) - mean_shift * mean_shift;
  if (!(sum >= -kSafeSumMax && sum <= kSafeSumMax && sum_sq >= kSafeSumMin && sum_sq <= kSafeSumMax)) {
    const double mean = sum_double<X>(x, n, 0.0, 1) / double(n);
    const auto mean_float = static_cast<float>(mean);
    m1 = _mm256_set1_ps(mean_float);
    mean_shift = mean - double(mean_float);
    variance = sum_double<X>(x, n, mean, 2) / double(n);
  }
  const auto inv_std =
      static_cast<float>(1.0 / __builtin_sqrt((variance > 0.0 ? variance : 0.0) + double(epsilon)));
  // x - mean as (x - m1) - shift, not x - float(m1 + shift): the mean rounded to float is off by up to half an ulp
  // of the offset (4e-6 at 100), which is 2e-5 of the normalized value when the row's deviation is 0.2, while
  // x - m1 is exact whenever x is within a factor 2 of m1 (Sterbenz: the large-offset case) and shift is small, so
  // its rounding is too.
  const __m256 shift = _mm256_set1_ps(static_cast<float>(mean_shift));
  const __m256 scale = _mm256_set1_ps(inv_std);
  for_each_block(n, [&](std::size_t j, std::size_t lanes) {
    const __m256 centered = _mm256_sub_ps(_mm256_sub_ps(load(X{}, x + j, lanes), m1), shift);
    const __m256 normalized = _mm256_mul_ps(centered, scale);
    const __m256 offset = HasBeta ? load_param(beta, j, lanes) : _mm256_setzero_ps();
    store(Y{}, y + j, _mm256_fmadd_ps(normalized, load_param(gamma, j, lanes), offset), lanes);
  });
}

// GELU (tanh form) as x * sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3): 0.5 (1 + tanh(u)) == sigmoid(2u)
// exactly, and the sigmoid form has no cancellation for negative x (times_sigmoid, avx2_math.hpp).
UAL_AVX2_INLINE __m256 gelu8(__m256 x) {
  const __m256 x2 = _mm256_mul_ps(x, x);
  const __m256 inner = _mm256_fmadd_ps(_mm256_set1_ps(0.0713548162726008f), x2, _mm256_set1_ps(1.5957691216057308f));
  return times_sigmoid(x, _mm256_mul_ps(x, inner));
}
UAL_AVX2_INLINE __m256 silu8(__m256 x) { return times_sigmoid(x, x); }

struct Add {
  static __m256 apply(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
};
struct Mul {
  static __m256 apply(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
};

template <class Fn>
inline void with_type(ElementType type, Fn fn) {
  switch (type) {
    case ElementType::f32: fn(F32{}); break;
    case ElementType::bf16: fn(Bf16{}); break;
    case ElementType::f16: fn(F16{}); break;
  }
}

template <class Tag>
const typename Tag::T* data_of(Tag, ConstView v, std::size_t offset = 0) {
  return static_cast<const typename Tag::T*>(v.data) + offset;
}
template <class Tag>
typename Tag::T* data_of(Tag, MutableView v, std::size_t offset = 0) {
  return static_cast<typename Tag::T*>(v.data) + offset;
}

void softmax_rows(ConstView x, MutableView y, std::size_t rows, std::size_t cols) {
  with_type(x.type, [&](auto tx) {
    with_type(y.type, [&](auto ty) {
      for (std::size_t r = 0; r < rows; ++r) {
        softmax_row<decltype(tx), decltype(ty)>(data_of(tx, x, r * cols), data_of(ty, y, r * cols), cols);
      }
    });
  });
}

void rms_norm_rows(ConstView x, ConstView gamma, MutableView y, std::size_t rows, std::size_t cols, float epsilon) {
  with_type(x.type, [&](auto tx) {
    with_type(y.type, [&](auto ty) {
      for (std::size_t r = 0; r < rows; ++r) {
        rms_norm_row<decltype(tx), decltype(ty)>(data_of(tx, x, r * cols), gamma, data_of(ty, y, r * cols), cols,
                                                 epsilon);
      }
    });
  });
}

void layer_norm_rows(ConstView x, ConstView gamma, ConstView beta, MutableView y, std::size_t rows,
                     std::size_t cols, float epsilon) {
  with_type(x.type, [&](auto tx) {
    with_type(y.type, [&](auto ty) {
      using X = decltype(tx);
      using Y = decltype(ty);
      for (std::size_t r = 0; r < rows; ++r) {
        if (beta.data != nullptr) {
          layer_norm_row<X, Y, true>(data_of(tx, x, r * cols), gamma, beta, data_of(ty, y, r * cols), cols, epsilon);
        } else {
          layer_norm_row<X, Y, false>(data_of(tx, x, r * cols), gamma, beta, data_of(ty, y, r * cols), cols,
                                      epsilon);
        }
      }
    });
  });
}

template <__m256 (*Fn)(__m256)>
void unary(ConstView x, MutableView y, std::size_t count) {
  with_type(x.type, [&](auto tx) {
    with_type(y.type, [&](auto ty) {
      const auto* in = data_of(tx, x);
      auto* out = data_of(ty, y);
      for_each_block(count, [&](std::size_t i, std::size_t lanes) {
        store(ty, out + i, Fn(load(tx, in + i, lanes)), lanes);
      });
    });
  });
}

template <class Op>
void binary(ConstView a, ConstView b, MutableView y, std::size_t count) {
  with_type(a.type, [&](auto ta) {
    with_type(b.type, [&](auto tb) {
      with_type(y.type, [&](auto ty) {
        const auto* pa = data_of(ta, a);
        const auto* pb = data_of(tb, b);
        auto* out = data_of(ty, y);
        for_each_block(count, [&](std::size_t i, std::size_t lanes) {
          store(ty, out + i, Op::apply(load(ta, pa + i, lanes), load(tb, pb + i, lanes)), lanes);
        });
      });
    });
  });
}

void exp_f32(const float* x, float* y, std::size_t count) {
  for_each_block(count, [&](std::size_t i, std::size_t lanes) {
    store(F32{}, y + i, exp8(load(F32{}, x + i, lanes)), lanes);
  });
}

}  // namespace
}  // namespace avx2

const ElementwiseKernels& avx2_elementwise_kernels() noexcept {
  static const ElementwiseKernels kernels{"avx2",
                                          &avx2::softmax_rows,
                                          &avx2::rms_norm_rows,
                                          &avx2::layer_norm_rows,
                                          &avx2::unary<avx2::gelu8>,
                                          &avx2::unary<avx2::silu8>,
                                          &avx2::binary<avx2::Add>,
                                          &avx2::binary<avx2::Mul>,
                                          &avx2::exp_f32};
  return kernels;
}

}  // namespace ual::cpu::detail
