// The AVX2 elementwise kernels against the scalar reference (which elementwise_kernels_test.cpp checks against
// independent formulas): random data, sizes around every vector and unroll boundary, every type combination.
//
// Error bounds, per element, with ref the scalar result and got the AVX2 one:
//   |got - ref| <= tol * scale + ulp16(ref) + FLT_MIN
// scale is |ref|, except for layer_norm, where it is |ref| + |gamma[c]| + |beta[c]|: the normalized value is
// accurate to tol absolutely (unit variance), and y = x_hat gamma + beta may cancel to near 0.
// ulp16 is one unit of a 16-bit output (2^-7 |ref| for bf16, 2^-10 |ref| + 2^-24 for f16): the two float results
// can round to neighbouring 16-bit values. FLT_MIN: results below the normal range (the vector exp's subnormal
// results carry an absolute, not relative, error of up to 1 ulp of 2^-149, scaled by |x| in GELU / SiLU).
// tol, with the maxima measured on f32 outputs (AMD EPYC, AVX2; 1 ulp of float is at most 2^-23 = 1.2e-7 relative):
//   softmax:    1e-5   (measured 2.2e-6 relative). Dominated by x - max, rounded in float: half an ulp of |x - max|
//                      is an absolute error of e^(x - max)'s argument, up to 3.8e-6 at x - max = -87 (beyond that
//                      the result is below FLT_MIN); then exp (1 ulp), float row sums over 32 lanes, 1 / sum.
//   rms_norm:   2e-6   (measured 2.4e-7): float sum of squares over 32 lanes, then two roundings.
//   layer_norm: 5e-6   (measured 1.1e-6 of the normalized scale): float sums, corrected two-pass mean.
//   silu:       1e-6   (measured 2.2e-7 for |y| >= 1e-30): exp, one add, one multiply, one divide.
//   gelu:       1e-6 + |z| 2^-22 with z = 2 sqrt(2/pi) (x + 0.044715 x^3)  (measured 0.54 of the bound, 8.8e-6
//               relative at x ~ -10): z is rounded in float (a few ulp relative), and for z < 0 the result is
//               ~x e^z, whose relative error is the absolute error of z.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <vector>

#include "backends/cpu/kernels/elementwise.hpp"
#include "backends/cpu/kernels/elementwise_impl.hpp"
#include "elementwise_test_support.hpp"
#include "ual/fp8_kernels.hpp"

namespace ual::cpu {
namespace {

using test::kAllTypes;
using test::Tensor;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr std::size_t kSizes[] = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 127, 1000, 4097};

#define SKIP_WITHOUT_AVX2()                                                                              \
  if (!fp8::isa_supported(Isa::avx2)) GTEST_SKIP() << "this CPU lacks AVX2 / FMA / F16C / BMI2 (detected: " \
                                                   << fp8::to_string(fp8::detected_isa()) << ")"

double ulp16(ElementType type, double ref) {
  switch (type) {
    case ElementType::f32: return 0.0;
    case ElementType::bf16: return std::fabs(ref) * 0x1p-7;
    case ElementType::f16: return std::fabs(ref) * 0x1p-10 + 0x1p-24;
  }
  return 0.0;
}

// The largest errors seen per test over f32 outputs, for the record: as a fraction of the allowed error, and
// relative to |ref| where |ref| >= 1e-30 (below that, subnormal intermediates dominate, see the top of the file).
struct Worst {
  double of_bound = 0.0;
  double relative = 0.0;
  void print(const char* what) const {
    std::printf("[ measured ] %s, f32 out: max error %.3g of the bound; max relative error %.3g\n", what, of_bound,
                relative);
  }
};

// tol_scale(i) = tol * scale for element i (see the top of the file). Compares every element of got with ref.
void compare(const Tensor& got, const Tensor& ref, const std::function<double(std::size_t)>& tol_scale,
             Worst& worst) {
  ASSERT_EQ(got.size(), ref.size());
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const double r = ref.at(i), g = got.at(i);
    if (std::isnan(r)) {  // f32 NaN payloads may differ; 16-bit outputs are canonical, compared by add / mul
      ASSERT_TRUE(std::isnan(g)) << "element " << i << ": got " << g << ", want NaN";
      continue;
    }
    if (std::isinf(r)) {
      ASSERT_EQ(g, r) << "element " << i;
      continue;
    }
    const double allowed = tol_scale(i) + ulp16(ref.type(), r) + FLT_MIN;
    ASSERT_LE(std::fabs(g - r), allowed) << "element " << i << ": got " << g << ", want " << r;
    if (ref.type() != ElementType::f32) continue;  // there one 16-bit rounding flip takes most of the bound
    worst.of_bound = std::max(worst.of_bound, std::fabs(g - r) / allowed);
    if (std::fabs(r) >= 1e-30) worst.relative = std::max(worst.relative, std::fabs(g - r) / std::fabs(r));
  }
}

std::size_t rows_for(std::size_t cols) { return cols > 1000 ? 2 : 3; }

TEST(ElementwiseAvx2, SoftmaxMatchesScalar) {
  SKIP_WITHOUT_AVX2();
  Worst worst;
  for (std::size_t cols : kSizes) {
    for (float range : {30.0f, 120.0f}) {
      for (ElementType tx : kAllTypes) {
        for (ElementType ty : kAllTypes) {
          SCOPED_TRACE(::testing::Message() << "cols " << cols << " range " << range << " x " << test::name(tx)
                                            << " y " << test::name(ty));
          const std::size_t rows = rows_for(cols), n = rows * cols;
          Tensor x = test::random_tensor(tx, n, -range, range, unsigned(cols * 7 + std::size_t(tx)));
          if (cols > 2) {  // masked positions, as attention masks write them
            x.set(cols, -kInf);
            x.set(cols + cols / 2, -kInf);
          }
          Tensor ref(ty, n), got(ty, n);
          ASSERT_TRUE(softmax_rows(x.view(), ref.mutable_view(), rows, cols, Isa::scalar));
          ASSERT_TRUE(softmax_rows(x.view(), got.mutable_view(), rows, cols, Isa::avx2));
          compare(got, ref, [&](std::size_t i) { return 1e-5 * std::fabs(ref.at(i)); }, worst);
        }
      }
    }
  }
  worst.print("softmax");
}

TEST(ElementwiseAvx2, SoftmaxSpecialRows) {
  SKIP_WITHOUT_AVX2();
  // cols 11: one full vector and a tail. Rows: all -inf (NaN), NaN in the tail (NaN row), +inf (NaN where
  // inf - inf, 0 elsewhere, as the formula gives), huge values.
  const std::size_t cols = 11;
  std::vector<float> values(4 * cols, 1.0f);
  for (std::size_t c = 0; c < cols; ++c) values[c] = -kInf;
  values[cols + 9] = kNan;
  values[2 * cols + 3] = kInf;
  for (std::size_t c = 0; c < cols; ++c) values[3 * cols + c] = 3e38f - float(c) * 1e37f;
  const Tensor x(ElementType::f32, values);
  Tensor ref(ElementType::f32, values.size()), got(ElementType::f32, values.size());
  ASSERT_TRUE(softmax_rows(x.view(), ref.mutable_view(), 4, cols, Isa::scalar));
  ASSERT_TRUE(softmax_rows(x.view(), got.mutable_view(), 4, cols, Isa::avx2));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(ref.at(i))) {
      EXPECT_TRUE(std::isnan(got.at(i))) << i;
    } else {
      EXPECT_NEAR(got.at(i), ref.at(i), 1e-6) << i;
    }
  }
  EXPECT_TRUE(std::isnan(ref.at(0)));
  EXPECT_TRUE(std::isnan(ref.at(cols)));
  EXPECT_EQ(ref.at(3 * cols), 1.0f);
}

TEST(ElementwiseAvx2, RmsNormMatchesScalar) {
  SKIP_WITHOUT_AVX2();
  Worst worst;
  const float scales[] = {1.0f, 1e-3f, 300.0f};
  std::size_t case_index = 0;
  for (std::size_t cols : kSizes) {
    for (ElementType tx : kAllTypes) {
      for (ElementType tg : kAllTypes) {
        for (ElementType ty : kAllTypes) {
          const float scale = scales[case_index++ % 3];
          SCOPED_TRACE(::testing::Message() << "cols " << cols << " scale " << scale << " x " << test::name(tx)
                                            << " gamma " << test::name(tg) << " y " << test::name(ty));
          const std::size_t rows = rows_for(cols), n = rows * cols;
          const Tensor x = test::random_tensor(tx, n, -scale, scale, unsigned(case_index));
          const Tensor gamma = test::random_tensor(tg, cols, -2.0f, 2.0f, unsigned(case_index + 1000));
          Tensor ref(ty, n), got(ty, n);
          ASSERT_TRUE(rms_norm_rows(x.view(), gamma.view(), ref.mutable_view(), rows, cols, 1e-6f, Isa::scalar));
          ASSERT_TRUE(rms_norm_rows(x.view(), gamma.view(), got.mutable_view(), rows, cols, 1e-6f, Isa::avx2));
          compare(got, ref, [&](std::size_t i) { return 2e-6 * std::fabs(ref.at(i)); }, worst);
        }
      }
    }
  }
  worst.print("rms_norm");
}

TEST(ElementwiseAvx2, LayerNormMatchesScalar) {
  SKIP_WITHOUT_AVX2();
  Worst worst;
  std::size_t case_index = 0;
  for (std::size_t cols : kSizes) {
    for (ElementType tx : kAllTypes) {
      for (ElementType tg : kAllTypes) {
        for (int beta_kind = -1; beta_kind < 3; ++beta_kind) {  // -1: no beta
          for (ElementType ty : kAllTypes) {
            // Offsets 0 and 100: the second needs the corrected two-pass mean (see elementwise_avx2.cpp).
            const float offset = (case_index++ % 2) * 100.0f;
            SCOPED_TRACE(::testing::Message() << "cols " << cols << " offset " << offset << " x " << test::name(tx)
                                              << " gamma " << test::name(tg) << " beta " << beta_kind << " y "
                                              << test::name(ty));
            const std::size_t rows = rows_for(cols), n = rows * cols;
            const Tensor x = test::random_tensor(tx, n, offset - 1.0f, offset + 1.0f, unsigned(case_index));
            const Tensor gamma = test::random_tensor(tg, cols, -2.0f, 2.0f, unsigned(case_index + 1000));
            const Tensor beta = test::random_tensor(beta_kind < 0 ? ElementType::f32 : kAllTypes[beta_kind], cols,
                                                    -1.0f, 1.0f, unsigned(case_index + 2000));
            const ConstView beta_view = beta_kind < 0 ? ConstView{nullptr, ElementType::f32} : beta.view();
            Tensor ref(ty, n), got(ty, n);
            ASSERT_TRUE(layer_norm_rows(x.view(), gamma.view(), beta_view, ref.mutable_view(), rows, cols, 1e-5f,
                                        Isa::scalar));
            ASSERT_TRUE(layer_norm_rows(x.view(), gamma.view(), beta_view, got.mutable_view(), rows, cols, 1e-5f,
                                        Isa::avx2));
            compare(got, ref, [&](std::size_t i) {
              const std::size_t c = i % cols;
              const double shift = beta_kind < 0 ? 0.0 : std::fabs(beta.at(c));
              return 5e-6 * (std::fabs(ref.at(i)) + std::fabs(gamma.at(c)) + shift);
            }, worst);
          }
        }
      }
    }
  }
  worst.print("layer_norm");
}

TEST(ElementwiseAvx2, NormsOfExtremeRows) {
  SKIP_WITHOUT_AVX2();
  // Rows whose float sums of squares overflow (1e25) or underflow (1e-25), all zeros, a constant: the AVX2 kernels
  // sum those again in double and must agree with the reference, NaN (0 / 0 with epsilon 0) included.
  for (std::size_t cols : {std::size_t{5}, std::size_t{40}, std::size_t{4097}}) {
    for (ElementType tx : {ElementType::f32, ElementType::bf16}) {
      for (float epsilon : {0.0f, 1e-5f}) {
        SCOPED_TRACE(::testing::Message() << "cols " << cols << " x " << test::name(tx) << " eps " << epsilon);
        const std::size_t rows = 4, n = rows * cols;
        const Tensor noise = test::random_tensor(ElementType::f32, cols, -1.0f, 1.0f, unsigned(cols));
        Tensor x(tx, n);
        for (std::size_t c = 0; c < cols; ++c) {
          x.set(c, noise.at(c) * 1e25f);
          x.set(cols + c, noise.at(c) * 1e-25f);
          x.set(2 * cols + c, 0.0f);
          x.set(3 * cols + c, 7.0f);
        }
        const Tensor gamma = test::random_tensor(ElementType::f32, cols, 0.5f, 2.0f, 5);
        const Tensor beta = test::random_tensor(ElementType::f32, cols, -1.0f, 1.0f, 6);
        Worst worst;
        Tensor ref(ElementType::f32, n), got(ElementType::f32, n);
        ASSERT_TRUE(rms_norm_rows(x.view(), gamma.view(), ref.mutable_view(), rows, cols, epsilon, Isa::scalar));
        ASSERT_TRUE(rms_norm_rows(x.view(), gamma.view(), got.mutable_view(), rows, cols, epsilon, Isa::avx2));
        compare(got, ref, [&](std::size_t i) { return 2e-6 * std::fabs(ref.at(i)); }, worst);
        ASSERT_TRUE(layer_norm_rows(x.view(), gamma.view(), beta.view(), ref.mutable_view(), rows, cols, epsilon,
                                    Isa::scalar));
        ASSERT_TRUE(layer_norm_rows(x.view(), gamma.view(), beta.view(), got.mutable_view(), rows, cols, epsilon,
                                    Isa::avx2));
        compare(got, ref, [&](std::size_t i) {
          return 5e-6 * (std::fabs(ref.at(i)) + std::fabs(gamma.at(i % cols)) + std::fabs(beta.at(i % cols)));
        }, worst);
      }
    }
  }
}

// Random values in [low, high] followed by the special values, for the unary ops.
Tensor unary_input(ElementType type, std::size_t n, float low, float high, unsigned seed) {
  Tensor random = test::random_tensor(type, n, low, high, seed);
  const float specials[] = {kInf, -kInf, kNan, 0.0f, -0.0f, 3e38f, -3e38f, 1e-40f, -1e-40f, 65504.0f, -65504.0f};
  Tensor out(type, n + std::size(specials));
  for (std::size_t i = 0; i < n; ++i) out.set(i, random.at(i));
  for (std::size_t k = 0; k < std::size(specials); ++k) out.set(n + k, specials[k]);
  return out;
}

double gelu_z(double x) { return 2.0 * std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x); }

void check_unary(Status (*op)(ConstView, MutableView, std::size_t, Isa), float low, float high,
                 const std::function<double(double x, double ref)>& tol, const char* what) {
  Worst worst;
  for (std::size_t count : kSizes) {
    for (ElementType tx : kAllTypes) {
      for (ElementType ty : kAllTypes) {
        SCOPED_TRACE(::testing::Message() << what << " count " << count << " x " << test::name(tx) << " y "
                                          << test::name(ty));
        const Tensor x = unary_input(tx, count * 3, low, high, unsigned(count + 17 * std::size_t(tx)));
        Tensor ref(ty, x.size()), got(ty, x.size());
        ASSERT_TRUE(op(x.view(), ref.mutable_view(), x.size(), Isa::scalar));
        ASSERT_TRUE(op(x.view(), got.mutable_view(), x.size(), Isa::avx2));
        compare(got, ref, [&](std::size_t i) { return tol(x.at(i), ref.at(i)); }, worst);
      }
    }
  }
  worst.print(what);
}

TEST(ElementwiseAvx2, GeluMatchesScalar) {
  SKIP_WITHOUT_AVX2();
  check_unary(&gelu, -12.0f, 12.0f, [](double x, double ref) {
    return (1e-6 + std::fabs(gelu_z(x)) * 0x1p-22) * std::fabs(ref);
  }, "gelu");
}

TEST(ElementwiseAvx2, SiluMatchesScalar) {
  SKIP_WITHOUT_AVX2();
  check_unary(&silu, -110.0f, 40.0f, [](double, double ref) { return 1e-6 * std::fabs(ref); }, "silu");
}

TEST(ElementwiseAvx2, AddAndMulAreBitExact) {
  SKIP_WITHOUT_AVX2();
  // One float operation each, then the same rounding to 16 bits (canonical NaN included): no tolerance. A float NaN
  // output only has to be NaN: with two NaN operands, either payload may come out.
  for (std::size_t count : kSizes) {
    for (ElementType ta : kAllTypes) {
      for (ElementType tb : kAllTypes) {
        for (ElementType ty : kAllTypes) {
          SCOPED_TRACE(::testing::Message() << "count " << count << " a " << test::name(ta) << " b "
                                            << test::name(tb) << " y " << test::name(ty));
          const Tensor a = unary_input(ta, count, -300.0f, 300.0f, unsigned(count));
          const Tensor b = unary_input(tb, count, -300.0f, 300.0f, unsigned(count + 1));
          for (auto op : {&add, &mul}) {
            Tensor ref(ty, a.size()), got(ty, a.size());
            ASSERT_TRUE(op(a.view(), b.view(), ref.mutable_view(), a.size(), Isa::scalar));
            ASSERT_TRUE(op(a.view(), b.view(), got.mutable_view(), a.size(), Isa::avx2));
            for (std::size_t i = 0; i < a.size(); ++i) {
              if (ty == ElementType::f32 && std::isnan(ref.at(i))) {
                ASSERT_TRUE(std::isnan(got.at(i))) << i;  // which NaN operand's payload wins is unspecified
              } else {
                ASSERT_EQ(got.bits(i), ref.bits(i)) << i;
              }
            }
          }
        }
      }
    }
  }
}

// The vector exp alone, against std::exp in double, over every 97th float in [-104, 89] (2.3 million values):
// at most 2 ulp where the result is a normal float, at most 1 unit of 2^-149 where it is subnormal.
TEST(ElementwiseAvx2Exp, AccuracyOverTheWholeRange) {
  SKIP_WITHOUT_AVX2();
  std::vector<float> x;
  for (std::uint32_t bits = 0; bits <= 0x42B20000U; bits += 97) {  // [0, 89]
    float v = 0.0f;
    __builtin_memcpy(&v, &bits, sizeof v);
    x.push_back(v);
    if (v <= 104.0f) x.push_back(-v);
  }
  std::vector<float> y(x.size());
  detail::avx2_elementwise_kernels().exp_f32(x.data(), y.data(), x.size());
  double worst_normal_ulp = 0.0, worst_subnormal_ulp = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double want = std::exp(double(x[i]));
    if (want > FLT_MAX) {
      ASSERT_EQ(y[i], kInf) << x[i];
    } else if (want >= FLT_MIN) {
      const double ulp = std::ldexp(1.0, std::ilogb(want) - 23);
      worst_normal_ulp = std::max(worst_normal_ulp, std::fabs(y[i] - want) / ulp);
    } else {
      worst_subnormal_ulp = std::max(worst_subnormal_ulp, std::fabs(y[i] - want) / 0x1p-149);
    }
  }
  std::printf("[ measured ] avx2 exp: max %.3f ulp (normal results), %.3f x 2^-149 (subnormal results)\n",
              worst_normal_ulp, worst_subnormal_ulp);
  EXPECT_LE(worst_normal_ulp, 2.0);
  EXPECT_LE(worst_subnormal_ulp, 1.0);
}

TEST(ElementwiseAvx2Exp, SpecialValues) {
  SKIP_WITHOUT_AVX2();
  const std::vector<float> x = {kNan, kInf, -kInf, 0.0f, -0.0f, 88.72f, 88.73f, -87.33f, -103.0f, -104.0f, -200.0f};
  std::vector<float> y(x.size());
  detail::avx2_elementwise_kernels().exp_f32(x.data(), y.data(), x.size());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], kInf);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], 1.0f);
  EXPECT_EQ(y[4], 1.0f);
  EXPECT_TRUE(std::isfinite(y[5]));  // e^88.72 = 3.39e38 < FLT_MAX
  EXPECT_EQ(y[6], kInf);
  EXPECT_GT(y[7], 0.0f);             // just below FLT_MIN: gradual underflow, not 0
  EXPECT_GT(y[8], 0.0f);             // ~1.4e-45, the smallest subnormal
  EXPECT_EQ(y[9], 0.0f);
  EXPECT_EQ(y[10], 0.0f);
}

// GELU's tanh is evaluated through exp (0.5 (1 + tanh u) = sigmoid(2u)); this measures the result against the
// tanh formula in long double over a dense sweep, for the record and with the same bound as above.
TEST(ElementwiseAvx2Exp, GeluAgainstTanhFormulaDense) {
  SKIP_WITHOUT_AVX2();
  std::vector<float> values;
  for (double v = -10.0; v <= 10.0; v += 1.0 / 1024) values.push_back(float(v));
  const Tensor x(ElementType::f32, values);
  Tensor y(ElementType::f32, values.size());
  ASSERT_TRUE(gelu(x.view(), y.mutable_view(), values.size(), Isa::avx2));
  double worst_ratio = 0.0, worst_relative_nonneg_z = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const long double lx = values[i];
    const long double u = std::sqrt(2.0L / 3.14159265358979323846L) * (lx + 0.044715L * lx * lx * lx);
    const auto want = double(lx / (1.0L + std::exp(-2.0L * u)));  // == 0.5 x (1 + tanh u), without cancellation
    if (std::fabs(want) < FLT_MIN) continue;
    const double relative = std::fabs(y.at(i) - want) / std::fabs(want);
    const double z = gelu_z(values[i]);
    worst_ratio = std::max(worst_ratio, relative / (1e-6 + std::fabs(z) * 0x1p-22));
    if (z >= 0) worst_relative_nonneg_z = std::max(worst_relative_nonneg_z, relative);
  }
  std::printf("[ measured ] avx2 gelu vs exact: max relative error %.3g for x >= 0; %.3f of the bound overall\n",
              worst_relative_nonneg_z, worst_ratio);
  EXPECT_LE(worst_ratio, 1.0);
}

}  // namespace
}  // namespace ual::cpu
