// GEMM against a double-precision reference over edge shapes, strides, dtypes, epilogues and batches.
//
// Error bound, per element of D: |got - ref| <= tol * scale, with
//   scale = |alpha'| * sum_k |A[m,k] * B[k,n]| + |beta * C[m,n]| + |bias[n]|   (alpha' = alpha * scale_inv's)
//   tol   = 2^-24 * (K + 16)  (f32 accumulation of K products, the alpha/beta/bias steps and the epilogue's few ulp)
//         + the output dtype's half ulp (f32 2^-24, f16 2^-11, bf16 2^-8).
// The reference reads the same stored (already rounded) inputs, so input quantization is not part of the error.
#include "opencl_harness.hpp"

namespace ual::opencl::test {
namespace {

struct GemmCase {
  int64_t batch, m, n, k;
  bool a_transposed = false;  // A stored column-major ([M, K] with strides {.., 1, M})
  bool b_transposed = false;
  int64_t a_batch = -1;  // 1: one A for every batch (batch stride 0)
  bool with_c = false;
  bool with_bias = false;
  ual_epilogue epilogue = UAL_EPILOGUE_NONE;
  float alpha = 1.0F, beta = 0.0F;
};

HostTensor matrix(ual_dtype dtype, int64_t batch, int64_t rows, int64_t cols, bool transposed, int64_t pad) {
  if (!transposed) return make_host_tensor(dtype, {batch, rows, cols}, {rows * (cols + pad), cols + pad, 1}, pad);
  return make_host_tensor(dtype, {batch, rows, cols}, {cols * (rows + pad), 1, rows + pad}, pad);
}

double gelu(double x) { return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))); }

void check_gemm(const GemmCase& c, ual_dtype a_type, ual_dtype b_type, ual_dtype d_type, std::mt19937& rng) {
  SCOPED_TRACE(testing::Message() << "batch " << c.batch << " M " << c.m << " N " << c.n << " K " << c.k << " A "
                                  << int(a_type) << " B " << int(b_type) << " D " << int(d_type) << " epilogue "
                                  << int(c.epilogue));
  // a_batch == 1: one A for every batch, as shape [batch, M, K] with batch stride 0.
  HostTensor a = matrix(a_type, c.a_batch == 1 ? 1 : c.batch, c.m, c.k, c.a_transposed, 3);
  if (c.a_batch == 1) {
    a.shape[0] = c.batch;
    a.strides[0] = 0;
  }
  HostTensor b = matrix(b_type, c.batch, c.k, c.n, c.b_transposed, 0);
  const float range = fp8_format(a_type) ? 4.0F : 1.0F;
  fill_uniform(a, rng, -range, range);
  fill_uniform(b, rng, -range, range);
  a.scale_inv = fp8_format(a_type) ? 0.5F : 1.0F;
  b.scale_inv = fp8_format(b_type) ? 0.25F : 1.0F;
  HostTensor cm = matrix(UAL_DTYPE_BF16, c.batch, c.m, c.n, false, 2);
  HostTensor bias = make_host_tensor(UAL_DTYPE_F32, {c.n}, {2});
  fill_uniform(cm, rng, -1.0F, 1.0F);
  fill_uniform(bias, rng, -1.0F, 1.0F);
  DeviceTensor ad(a), bd(b), cd(cm), biasd(bias);
  DeviceTensor d(matrix(d_type, c.batch, c.m, c.n, false, 1));
  DeviceTensor amax(make_host_tensor(UAL_DTYPE_F32, {1}, {}, 1));

  const ual_gemm_params params{UAL_BACKEND_ABI_VERSION, c.alpha, c.beta, c.epilogue, 1};
  std::vector<ual_tensor> inputs = {ad.view(), bd.view(), c.with_c ? cd.view() : absent_tensor(),
                                    c.with_bias ? biasd.view() : absent_tensor()};
  ASSERT_EQ(run_op(UAL_OP_GEMM, inputs, {d.view(), amax.view()}, &params), UAL_STATUS_OK);
  const HostTensor got = d.download();
  const double alpha = double(c.alpha) * (fp8_format(a_type) ? a.scale_inv : 1.0F) *
                       (fp8_format(b_type) ? b.scale_inv : 1.0F);
  const double tol = std::ldexp(1.0, -24) * double(c.k + 16) + unit_roundoff(d_type);
  double worst = 0.0;
  double ref_amax = 0.0;
  for (int64_t batch = 0; batch < c.batch; ++batch) {
    for (int64_t m = 0; m < c.m; ++m) {
      for (int64_t n = 0; n < c.n; ++n) {
        double sum = 0.0, magnitude = 0.0;
        for (int64_t k = 0; k < c.k; ++k) {
          const double product = double(a.get((batch * c.m + m) * c.k + k)) *
                                 double(b.get((batch * c.k + k) * c.n + n));
          sum += product;
          magnitude += std::fabs(product);
        }
        double ref = alpha * sum;
        double scale = std::fabs(alpha) * magnitude;
        if (c.with_c && c.beta != 0.0F) {
          const double cv = double(c.beta) * cm.get((batch * c.m + m) * c.n + n);
          ref += cv;
          scale += std::fabs(cv);
        }
        if (c.with_bias) {
          ref += bias.get(n);
          scale += std::fabs(bias.get(n));
        }
        if (c.epilogue == UAL_EPILOGUE_GELU) ref = gelu(ref);
        if (c.epilogue == UAL_EPILOGUE_SILU) ref = ref / (1.0 + std::exp(-ref));
        ref_amax = std::max(ref_amax, std::fabs(ref));
        const double error = std::fabs(double(got.get((batch * c.m + m) * c.n + n)) - ref);
        worst = std::max(worst, scale > 0 ? error / (tol * scale) : (error == 0 ? 0.0 : 1e30));
      }
    }
  }
  EXPECT_LE(worst, 1.0) << "normalized error";
  expect_padding_untouched(d.host, got);
  const double amax_tol = (tol + 1e-6) * std::max(ref_amax, 1.0);
  EXPECT_NEAR(amax.download().get(0), ref_amax, amax_tol);
}

TEST(OpenClGemm, EdgeShapesInF32) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(1);
  const std::vector<GemmCase> cases = {
      {1, 1, 1, 1},     {1, 7, 13, 5},     {1, 64, 64, 16},  {1, 65, 63, 17},  {1, 127, 61, 131},
      {2, 3, 129, 67},  {1, 1, 1, 3001},   {1, 5, 300, 1},   {1, 0, 5, 7},     {1, 5, 0, 7},
      {0, 5, 5, 5},     {1, 31, 37, 0}};
  for (const GemmCase& c : cases) check_gemm(c, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32, rng);
}

TEST(OpenClGemm, TransposedStridesBatchBroadcastAndEpilogues) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(2);
  std::vector<GemmCase> cases;
  GemmCase c{3, 45, 71, 83};
  c.a_transposed = true;
  cases.push_back(c);
  c.a_transposed = false;
  c.b_transposed = true;
  cases.push_back(c);
  c.a_transposed = true;
  c.a_batch = 1;
  c.with_c = true;
  c.beta = 0.5F;
  c.alpha = -1.5F;
  cases.push_back(c);
  c.with_bias = true;
  c.epilogue = UAL_EPILOGUE_GELU;
  cases.push_back(c);
  c.epilogue = UAL_EPILOGUE_SILU;
  cases.push_back(c);
  GemmCase k_zero{2, 9, 11, 0};
  k_zero.with_c = true;
  k_zero.beta = 2.0F;
  k_zero.with_bias = true;
  cases.push_back(k_zero);  // D = beta * C + bias
  for (const GemmCase& each : cases) check_gemm(each, UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32, rng);
}

TEST(OpenClGemm, SixteenBitAndFp8InputsAndOutputs) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(4);
  const ual_dtype inputs[] = {UAL_DTYPE_F16, UAL_DTYPE_BF16, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2,
                              UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E5M2FNUZ, UAL_DTYPE_F32};
  GemmCase c{2, 33, 70, 45};
  c.b_transposed = true;
  c.with_bias = true;
  for (std::size_t i = 0; i < std::size(inputs); ++i) {
    // Every A type, each with a different B type (A and B may differ), into each output type in turn.
    const ual_dtype a_type = inputs[i];
    const ual_dtype b_type = inputs[(i + 3) % std::size(inputs)];
    const ual_dtype d_type = i % 3 == 0 ? UAL_DTYPE_F32 : i % 3 == 1 ? UAL_DTYPE_F16 : UAL_DTYPE_BF16;
    check_gemm(c, a_type, b_type, d_type, rng);
    check_gemm(c, a_type, a_type, UAL_DTYPE_F32, rng);
  }
}

TEST(OpenClGemm, LargeK) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(6);
  check_gemm({1, 17, 19, 16411}, UAL_DTYPE_F32, UAL_DTYPE_BF16, UAL_DTYPE_F32, rng);
}

}  // namespace
}  // namespace ual::opencl::test
