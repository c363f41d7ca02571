// The CPU backend's elementwise kernels (backends/cpu/kernels/elementwise.hpp): the scalar reference against
// hand-computed values and independent formulas, then the AVX2 kernels against the scalar reference on random data
// of many sizes and every type combination, the vector exp on its own, and argument errors.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "backends/cpu/kernels/elementwise.hpp"
#include "elementwise_test_support.hpp"
#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"

namespace ual::cpu {
namespace {

using test::kAllTypes;
using test::Tensor;

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();

void expect_near_rel(float got, double want, double rel, const char* what) {
  EXPECT_LE(std::fabs(double(got) - want), rel * std::fabs(want)) << what << ": got " << got << ", want " << want;
}

// --- (1) the scalar reference -----------------------------------------------------------------------------------

TEST(ElementwiseScalar, SoftmaxKnownRowAndShiftInvariance) {
  // softmax([1, 2, 3]) = e^k / (e + e^2 + e^3); adding 1000 to every entry must not change it (max subtracted,
  // no overflow), nor must a row of huge values.
  const double denominator = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  for (float offset : {0.0f, 1000.0f, -1000.0f}) {
    Tensor x(ElementType::f32, {1 + offset, 2 + offset, 3 + offset});
    Tensor y(ElementType::f32, 3);
    ASSERT_TRUE(softmax_rows(x.view(), y.mutable_view(), 1, 3, Isa::scalar));
    for (int k = 0; k < 3; ++k) expect_near_rel(y.at(k), std::exp(k + 1.0) / denominator, 1e-7, "softmax");
  }
  Tensor huge(ElementType::f32, {3e38f, 3e38f, -3e38f});
  Tensor y(ElementType::f32, 3);
  ASSERT_TRUE(softmax_rows(huge.view(), y.mutable_view(), 1, 3, Isa::scalar));
  EXPECT_EQ(y.at(0), 0.5f);
  EXPECT_EQ(y.at(1), 0.5f);
  EXPECT_EQ(y.at(2), 0.0f);
}

TEST(ElementwiseScalar, SoftmaxInfinitiesAndNan) {
  // Rows: -inf entries (weight 0), all -inf (NaN, as PyTorch), a NaN (whole row NaN), a single column (1).
  Tensor x(ElementType::f32, {-kInf, 0.0f, -kInf, 0.0f,  //
                              -kInf, -kInf, -kInf, -kInf,  //
                              1.0f, kNan, 2.0f, 3.0f});
  Tensor y(ElementType::f32, 12);
  ASSERT_TRUE(softmax_rows(x.view(), y.mutable_view(), 3, 4, Isa::scalar));
  EXPECT_EQ(y.at(0), 0.0f);
  EXPECT_EQ(y.at(1), 0.5f);
  EXPECT_EQ(y.at(2), 0.0f);
  EXPECT_EQ(y.at(3), 0.5f);
  for (int c = 4; c < 12; ++c) EXPECT_TRUE(std::isnan(y.at(c))) << c;

  Tensor single(ElementType::bf16, {-7.0f, 42.0f});
  Tensor ones(ElementType::f16, 2);
  ASSERT_TRUE(softmax_rows(single.view(), ones.mutable_view(), 2, 1, Isa::scalar));
  EXPECT_EQ(ones.at(0), 1.0f);
  EXPECT_EQ(ones.at(1), 1.0f);
}

TEST(ElementwiseScalar, RmsNormKnownValues) {
  // [3, 4]: mean of squares 12.5, so y = x / sqrt(12.5 + eps) * gamma.
  Tensor x(ElementType::f32, {3.0f, 4.0f});
  Tensor gamma(ElementType::f32, {2.0f, 0.5f});
  Tensor y(ElementType::f32, 2);
  ASSERT_TRUE(rms_norm_rows(x.view(), gamma.view(), y.mutable_view(), 1, 2, 0.0f, Isa::scalar));
  expect_near_rel(y.at(0), 3.0 / std::sqrt(12.5) * 2.0, 1e-7, "rms[0]");
  expect_near_rel(y.at(1), 4.0 / std::sqrt(12.5) * 0.5, 1e-7, "rms[1]");
  ASSERT_TRUE(rms_norm_rows(x.view(), gamma.view(), y.mutable_view(), 1, 2, 0.5f, Isa::scalar));
  expect_near_rel(y.at(0), 3.0 / std::sqrt(13.0) * 2.0, 1e-7, "rms eps[0]");
  // cols = 1: x / sqrt(x^2 + eps) = sign(x) for eps = 0.
  Tensor one(ElementType::bf16, {-5.0f});
  Tensor g1(ElementType::f16, {1.0f});
  Tensor y1(ElementType::f32, 1);
  ASSERT_TRUE(rms_norm_rows(one.view(), g1.view(), y1.mutable_view(), 1, 1, 0.0f, Isa::scalar));
  EXPECT_EQ(y1.at(0), -1.0f);
}

TEST(ElementwiseScalar, LayerNormKnownValues) {
  // [1, 2, 3, 4]: mean 2.5, biased variance 1.25.
  Tensor x(ElementType::f32, {1.0f, 2.0f, 3.0f, 4.0f});
  Tensor gamma(ElementType::f32, {1.0f, 2.0f, -1.0f, 0.5f});
  Tensor beta(ElementType::bf16, {0.0f, 1.0f, -2.0f, 0.25f});
  Tensor y(ElementType::f32, 4);
  ASSERT_TRUE(layer_norm_rows(x.view(), gamma.view(), beta.view(), y.mutable_view(), 1, 4, 0.0f, Isa::scalar));
  const double inv_std = 1.0 / std::sqrt(1.25);
  const double expected[] = {-1.5 * inv_std, -0.5 * inv_std * 2 + 1, 0.5 * inv_std * -1 - 2,
                             1.5 * inv_std * 0.5 + 0.25};
  for (int c = 0; c < 4; ++c) expect_near_rel(y.at(c), expected[c], 2e-7, "layer_norm");
  // beta null == beta 0.
  Tensor y_no_beta(ElementType::f32, 4);
  ASSERT_TRUE(layer_norm_rows(x.view(), gamma.view(), ConstView{nullptr, ElementType::f32}, y_no_beta.mutable_view(),
                              1, 4, 0.0f, Isa::scalar));
  expect_near_rel(y_no_beta.at(1), -0.5 * inv_std * 2, 2e-7, "layer_norm without beta");
  // A constant row normalizes to 0 (then + beta), for any epsilon > 0.
  Tensor flat(ElementType::f32, {7.0f, 7.0f, 7.0f, 7.0f});
  ASSERT_TRUE(layer_norm_rows(flat.view(), gamma.view(), beta.view(), y.mutable_view(), 1, 4, 1e-5f, Isa::scalar));
  for (int c = 0; c < 4; ++c) EXPECT_EQ(y.at(c), beta.at(c));
}

double gelu_tanh_formula(double x) {
  return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
}

TEST(ElementwiseScalar, GeluAndSiluAtKnownPoints) {
  const std::vector<float> points = {-4.0f, -3.0f, -1.0f, -0.5f, -1e-3f, 0.0f, 1e-3f, 0.5f, 1.0f, 2.0f, 3.0f, 8.0f};
  Tensor x(ElementType::f32, points);
  Tensor g(ElementType::f32, points.size()), s(ElementType::f32, points.size());
  ASSERT_TRUE(gelu(x.view(), g.mutable_view(), points.size(), Isa::scalar));
  ASSERT_TRUE(silu(x.view(), s.mutable_view(), points.size(), Isa::scalar));
  for (std::size_t i = 0; i < points.size(); ++i) {
    // The literal tanh formula in double is accurate for x >= -4 (1 + tanh(u) >= 1e-7 there).
    expect_near_rel(g.at(i), gelu_tanh_formula(points[i]), 1e-7, "gelu");
    expect_near_rel(s.at(i), points[i] / (1.0 + std::exp(-double(points[i]))), 1e-7, "silu");
  }
  EXPECT_NEAR(g.at(8), 0.841191990607, 1e-7);  // GELU-tanh(1), as PyTorch gelu(approximate="tanh")
  EXPECT_NEAR(s.at(8), 0.731058578630, 1e-7);  // 1 / (1 + e^-1)
}

TEST(ElementwiseScalar, GeluVeryNegativeKeepsRelativeAccuracy) {
  // From x ~ -6 the literal formula loses digits in double (1 + tanh(u) ~ 1e-11), at x = -8 it gives 0; the true
  // value (about -3e-21 at -8, -2e-37 at -10, computed here in long double) is a normal float that the reference
  // must give.
  for (float v : {-6.0f, -8.0f, -10.0f}) {
    Tensor x(ElementType::f32, {v});
    Tensor y(ElementType::f32, 1);
    ASSERT_TRUE(gelu(x.view(), y.mutable_view(), 1, Isa::scalar));
    const long double lx = v;
    const long double u = std::sqrt(2.0L / 3.14159265358979323846L) * (lx + 0.044715L * lx * lx * lx);
    const long double exact = lx / (1.0L + std::exp(-2.0L * u));
    ASSERT_GT(std::fabs(exact), FLT_MIN);
    expect_near_rel(y.at(0), double(exact), 1e-7, "gelu very negative");
  }
}

TEST(ElementwiseScalar, SpecialValuesOfUnaryOps) {
  Tensor x(ElementType::f32, {kInf, -kInf, kNan, -0.0f});
  Tensor g(ElementType::f32, 4), s(ElementType::f32, 4);
  ASSERT_TRUE(gelu(x.view(), g.mutable_view(), 4, Isa::scalar));
  ASSERT_TRUE(silu(x.view(), s.mutable_view(), 4, Isa::scalar));
  for (const Tensor* t : {&g, &s}) {
    EXPECT_EQ(t->at(0), kInf);
    EXPECT_TRUE(std::isnan(t->at(1)));  // -inf * 0, as the formula in any precision
    EXPECT_TRUE(std::isnan(t->at(2)));
    EXPECT_EQ(t->at(3), 0.0f);
  }
}

TEST(ElementwiseScalar, SixteenBitOutputsAreRoundedFromTheFloatResult) {
  // add is exact in f32 here; the bf16 / f16 outputs must be ual::fp8's round-to-nearest-even of the float sum.
  const std::vector<float> a = {1.0f, 1.0f + 0x1p-8f, 65519.0f, 65520.0f, 3e-8f, -2.5f};
  const std::vector<float> b = {0x1p-9f, 0x1p-9f, 0.0f, 0.0f, 0.0f, 0x1p-12f};
  Tensor ta(ElementType::f32, a), tb(ElementType::f32, b);
  for (ElementType out : {ElementType::bf16, ElementType::f16}) {
    Tensor y(out, a.size());
    ASSERT_TRUE(add(ta.view(), tb.view(), y.mutable_view(), a.size(), Isa::scalar));
    for (std::size_t i = 0; i < a.size(); ++i) {
      const float sum = a[i] + b[i];
      const std::uint16_t want = out == ElementType::bf16 ? fp8::to_bfloat16(sum).bits : fp8::to_float16(sum).bits;
      EXPECT_EQ(y.bits(i), want) << i;
    }
  }
}

TEST(ElementwiseScalar, EmptyInputsDoNothing) {
  // rows = 0, count = 0: nothing read or written, null pointers fine.
  const ConstView none{nullptr, ElementType::f32};
  const MutableView out{nullptr, ElementType::f32};
  for (Isa isa : {Isa::scalar, Isa::automatic}) {
    EXPECT_TRUE(softmax_rows(none, out, 0, 5, isa));
    EXPECT_TRUE(softmax_rows(none, out, 5, 0, isa));
    Tensor gamma(ElementType::f32, 5);
    EXPECT_TRUE(rms_norm_rows(none, gamma.view(), out, 0, 5, 1e-5f, isa));
    EXPECT_TRUE(layer_norm_rows(none, gamma.view(), none, out, 0, 5, 1e-5f, isa));
    EXPECT_TRUE(gelu(none, out, 0, isa));
    EXPECT_TRUE(silu(none, out, 0, isa));
    EXPECT_TRUE(add(none, none, out, 0, isa));
    EXPECT_TRUE(mul(none, none, out, 0, isa));
  }
}

// --- in place (x == y), every ISA -------------------------------------------------------------------------------

TEST(ElementwiseInPlace, SameResultAsOutOfPlace) {
  for (Isa isa : test::isas_to_test()) {
    for (ElementType type : kAllTypes) {
      SCOPED_TRACE(::testing::Message() << fp8::to_string(isa) << " " << test::name(type));
      const std::size_t rows = 3, cols = 37;
      const Tensor x = test::random_tensor(type, rows * cols, -4.0f, 4.0f, 11);
      const Tensor gamma = test::random_tensor(type, cols, 0.5f, 1.5f, 12);
      const Tensor beta = test::random_tensor(type, cols, -1.0f, 1.0f, 13);
      auto check = [&](auto op) {
        Tensor separate(type, rows * cols);
        Tensor in_place = x;
        ASSERT_TRUE(op(x.view(), separate.mutable_view()));
        ASSERT_TRUE(op(in_place.view(), in_place.mutable_view()));
        for (std::size_t i = 0; i < rows * cols; ++i) ASSERT_EQ(in_place.bits(i), separate.bits(i)) << i;
      };
      check([&](ConstView in, MutableView out) { return softmax_rows(in, out, rows, cols, isa); });
      check([&](ConstView in, MutableView out) {
        return rms_norm_rows(in, gamma.view(), out, rows, cols, 1e-5f, isa);
      });
      check([&](ConstView in, MutableView out) {
        return layer_norm_rows(in, gamma.view(), beta.view(), out, rows, cols, 1e-5f, isa);
      });
      check([&](ConstView in, MutableView out) { return gelu(in, out, rows * cols, isa); });
      check([&](ConstView in, MutableView out) { return silu(in, out, rows * cols, isa); });
      check([&](ConstView in, MutableView out) { return add(in, in, out, rows * cols, isa); });
      check([&](ConstView in, MutableView out) { return mul(in, in, out, rows * cols, isa); });
    }
  }
}

// --- errors ------------------------------------------------------------------------------------------------------

void expect_error(const Status& status, ErrorCode code, const char* needle) {
  ASSERT_FALSE(status.ok()) << "expected an error mentioning " << needle;
  EXPECT_EQ(status.error().code, code) << status.error().message;
  EXPECT_NE(status.error().message.find(needle), std::string::npos) << status.error().message;
}

TEST(ElementwiseErrors, NullOperandsAreNamed) {
  Tensor x(ElementType::f32, 8), gamma(ElementType::f32, 4), y(ElementType::f32, 8);
  const ConstView null_in{nullptr, ElementType::f32};
  const MutableView null_out{nullptr, ElementType::f32};
  expect_error(softmax_rows(null_in, y.mutable_view(), 2, 4), ErrorCode::invalid_argument, "x.data is null");
  expect_error(softmax_rows(x.view(), null_out, 2, 4), ErrorCode::invalid_argument, "y.data is null");
  expect_error(rms_norm_rows(x.view(), null_in, y.mutable_view(), 2, 4, 1e-5f), ErrorCode::invalid_argument,
               "gamma.data is null");
  expect_error(layer_norm_rows(x.view(), null_in, null_in, y.mutable_view(), 2, 4, 1e-5f),
               ErrorCode::invalid_argument, "gamma.data is null");
  expect_error(gelu(null_in, y.mutable_view(), 8), ErrorCode::invalid_argument, "gelu: x.data is null");
  expect_error(silu(x.view(), null_out, 8), ErrorCode::invalid_argument, "silu: y.data is null");
  expect_error(add(x.view(), null_in, y.mutable_view(), 8), ErrorCode::invalid_argument, "b.data is null");
  expect_error(mul(null_in, x.view(), y.mutable_view(), 8), ErrorCode::invalid_argument, "a.data is null");
}

TEST(ElementwiseErrors, BadArgumentsWriteNothing) {
  Tensor x(ElementType::f32, 8), gamma(ElementType::f32, 4);
  Tensor y(ElementType::f32, std::vector<float>(8, 42.0f));
  expect_error(rms_norm_rows(x.view(), gamma.view(), y.mutable_view(), 2, 4, -1.0f), ErrorCode::invalid_argument,
               "epsilon");
  expect_error(layer_norm_rows(x.view(), gamma.view(), ConstView{nullptr, ElementType::f32}, y.mutable_view(), 2, 4,
                               kNan),
               ErrorCode::invalid_argument, "epsilon");
  expect_error(gelu(ConstView{x.view().data, static_cast<ElementType>(7)}, y.mutable_view(), 8),
               ErrorCode::invalid_argument, "x.type = 7");
  expect_error(softmax_rows(x.view(), y.mutable_view(), SIZE_MAX / 2, 4), ErrorCode::invalid_argument, "overflows");
  // Partial overlap: y starts one element into x; and f32 y over bf16 x at the same address (twice the bytes).
  Tensor buffer(ElementType::f32, 16);
  auto* base = static_cast<float*>(buffer.mutable_view().data);
  expect_error(silu(ConstView{base, ElementType::f32}, MutableView{base + 1, ElementType::f32}, 8),
               ErrorCode::invalid_argument, "overlap");
  expect_error(add(ConstView{base, ElementType::f32}, ConstView{base, ElementType::bf16},
                   MutableView{base, ElementType::f32}, 8),
               ErrorCode::invalid_argument, "b and y overlap");
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(y.at(i), 42.0f);
}

TEST(ElementwiseErrors, IsaTheCpuLacksIsUnavailable) {
  Tensor x(ElementType::f32, {1.0f, 2.0f}), y(ElementType::f32, 2);
  for (Isa isa : {Isa::avx2, Isa::avx512}) {
    const Status status = silu(x.view(), y.mutable_view(), 2, isa);
    if (fp8::isa_supported(isa)) {
      // avx512 has no kernels of its own yet and runs the AVX2 ones.
      EXPECT_TRUE(status.ok()) << fp8::to_string(isa);
    } else {
      expect_error(status, ErrorCode::unavailable, "not supported by this CPU");
    }
  }
}

}  // namespace
}  // namespace ual::cpu
