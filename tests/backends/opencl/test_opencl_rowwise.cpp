// SOFTMAX, RMS_NORM and LAYER_NORM against double-precision references.
//
// Error bounds, per element:
//   SOFTMAX:    |got - ref| <= (4e-6 + half ulp of y) * ref + half the smallest subnormal step of y + 1e-12
//               (relative: exp and the row sum in f32; tiny probabilities land on f16's subnormal grid)
//   RMS_NORM:   |got - ref| <= (1e-5 + half ulp of y) * |x| * r * |gamma|          r = 1 / sqrt(mean(x^2) + eps)
//   LAYER_NORM: |got - ref| <= (1e-5 + half ulp of y) * ((|x| + |mean|) * r * |gamma| + |beta|)
//                                                                                 r = 1 / sqrt(var + eps)
#include "opencl_harness.hpp"

namespace ual::opencl::test {
namespace {

struct RowCase {
  std::vector<int64_t> shape;
  std::vector<int64_t> x_strides;  // empty: row-major
};

std::vector<RowCase> row_cases() {
  return {{{1, 1}, {}},       {{3, 7}, {}},           {{5, 257}, {}},      {{2, 3, 1031}, {}},
          {{13, 11}, {1, 13}},  // transposed: the row is strided
          {{4, 5}, {16, 2}},    // padded, strided
          {{0, 8}, {}},         {{3, 4093}, {}},      {{17}, {}}};
}

TEST(OpenClRowwise, SoftmaxMatchesDoubleReference) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(21);
  for (const RowCase& c : row_cases()) {
    for (ual_dtype x_type : {UAL_DTYPE_F32, UAL_DTYPE_BF16}) {
      for (ual_dtype y_type : {UAL_DTYPE_F32, UAL_DTYPE_F16}) {
        HostTensor x = make_host_tensor(x_type, c.shape, c.x_strides, 1);
        fill_uniform(x, rng, -6.0F, 6.0F);
        DeviceTensor xd(x);
        DeviceTensor y(make_host_tensor(y_type, c.shape));
        ASSERT_EQ(run_op(UAL_OP_SOFTMAX, {xd.view()}, {y.view()}, nullptr), UAL_STATUS_OK);
        const HostTensor got = y.download();
        const int64_t cols = c.shape.back();
        const int64_t rows = cols > 0 ? x.count() / cols : 0;
        double worst = 0.0;
        for (int64_t r = 0; r < rows; ++r) {
          double row_max = -1e300, sum = 0.0;
          for (int64_t j = 0; j < cols; ++j) row_max = std::max(row_max, double(x.get(r * cols + j)));
          for (int64_t j = 0; j < cols; ++j) sum += std::exp(double(x.get(r * cols + j)) - row_max);
          for (int64_t j = 0; j < cols; ++j) {
            const double ref = std::exp(double(x.get(r * cols + j)) - row_max) / sum;
            const double bound = (4e-6 + unit_roundoff(y_type)) * ref + absolute_roundoff(y_type) + 1e-12;
            worst = std::max(worst, std::fabs(got.get(r * cols + j) - ref) / bound);
          }
        }
        EXPECT_LE(worst, 1.0) << "shape size " << x.count() << " cols " << cols;
      }
    }
  }
}

void check_norm(ual_op_kind kind, bool with_beta, std::mt19937& rng) {
  for (const RowCase& c : row_cases()) {
    for (ual_dtype x_type : {UAL_DTYPE_F32, UAL_DTYPE_F16}) {
      for (ual_dtype y_type : {UAL_DTYPE_F32, UAL_DTYPE_BF16}) {
        const int64_t cols = c.shape.back();
        HostTensor x = make_host_tensor(x_type, c.shape, c.x_strides, 2);
        fill_uniform(x, rng, -3.0F, 5.0F);  // a nonzero mean
        HostTensor gamma = make_host_tensor(UAL_DTYPE_BF16, {cols}, {3});
        HostTensor beta = make_host_tensor(UAL_DTYPE_F32, {cols});
        fill_uniform(gamma, rng, 0.5F, 1.5F);
        fill_uniform(beta, rng, -1.0F, 1.0F);
        DeviceTensor xd(x), gd(gamma), bd(beta);
        DeviceTensor y(make_host_tensor(y_type, c.shape, {}, 1));
        const ual_norm_params params{UAL_BACKEND_ABI_VERSION, 1e-5F};
        std::vector<ual_tensor> inputs = {xd.view(), gd.view()};
        if (kind == UAL_OP_LAYER_NORM) inputs.push_back(with_beta ? bd.view() : absent_tensor());
        ASSERT_EQ(run_op(kind, inputs, {y.view()}, &params), UAL_STATUS_OK);
        const HostTensor got = y.download();
        const int64_t rows = cols > 0 ? x.count() / cols : 0;
        const double tol = 1e-5 + unit_roundoff(y_type);
        double worst = 0.0;
        for (int64_t r = 0; r < rows; ++r) {
          double mean = 0.0, squares = 0.0;
          for (int64_t j = 0; j < cols; ++j) mean += x.get(r * cols + j);
          mean /= double(cols);
          for (int64_t j = 0; j < cols; ++j) {
            const double v = x.get(r * cols + j) - (kind == UAL_OP_LAYER_NORM ? mean : 0.0);
            squares += v * v;
          }
          const double inverse = 1.0 / std::sqrt(squares / double(cols) + 1e-5);
          for (int64_t j = 0; j < cols; ++j) {
            const double v = x.get(r * cols + j);
            const double shift = kind == UAL_OP_LAYER_NORM ? mean : 0.0;
            const double b = (kind == UAL_OP_LAYER_NORM && with_beta) ? beta.get(j) : 0.0;
            const double ref = (v - shift) * inverse * gamma.get(j) + b;
            const double scale = (std::fabs(v) + std::fabs(shift)) * inverse * std::fabs(gamma.get(j)) + std::fabs(b);
            worst = std::max(worst, std::fabs(got.get(r * cols + j) - ref) / (tol * scale + 1e-30));
          }
        }
        EXPECT_LE(worst, 1.0) << "kind " << int(kind) << " shape size " << x.count() << " cols " << cols;
        expect_padding_untouched(y.host, got);
      }
    }
  }
}

TEST(OpenClRowwise, RmsNormMatchesDoubleReference) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(22);
  check_norm(UAL_OP_RMS_NORM, false, rng);
}

TEST(OpenClRowwise, LayerNormWithAndWithoutBetaMatchesDoubleReference) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(23);
  check_norm(UAL_OP_LAYER_NORM, true, rng);
  check_norm(UAL_OP_LAYER_NORM, false, rng);
}

}  // namespace
}  // namespace ual::opencl::test
