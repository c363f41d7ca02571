// GEMM on every device against a double-precision reference on the same rounded inputs.
// Error bound per element (normalized by the magnitudes that enter it):
//   |D - ref| <= (K·2^-22 + u_D) · (|α·sa·sb|·Σ_k|a_ik·b_kj| + |β·c_ij| + |bias_j|) · 1.2 + u_D·|ref|
// with u_D the unit roundoff of D's dtype: f32 accumulation may lose up to about one rounding per product (K·2^-23,
// doubled for margin), D is rounded once, and the 1.2 covers the GELU/SiLU epilogue's slope.
#include <tuple>

#include "conformance.hpp"

namespace conformance {
namespace {

using ual::DType;

struct GemmCase {
  std::int64_t batch, m, n, k;
  bool transpose_a, transpose_b;
  DType a_dtype, b_dtype, d_dtype;
  float alpha = 1.0f, beta = 0.0f;
  bool bias = false;
  ual::Epilogue epilogue = ual::Epilogue::none;
  bool padded = false;        // leading dimensions padded beyond the matrix (non-contiguous views)
  bool broadcast_b = false;   // rank-2 B shared by every batch
};

std::string describe(const GemmCase& c) {
  return fmt::format("batch {} {}x{}x{} ta={} tb={} {}x{}->{} alpha={} beta={} bias={} epilogue={} padded={} "
                     "broadcast_b={}",
                     c.batch, c.m, c.n, c.k, c.transpose_a, c.transpose_b, ual::to_string(c.a_dtype),
                     ual::to_string(c.b_dtype), ual::to_string(c.d_dtype), c.alpha, c.beta, c.bias,
                     ual::to_string(c.epilogue), c.padded, c.broadcast_b);
}

double epilogue(ual::Epilogue kind, double x) {
  if (kind == ual::Epilogue::gelu)
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  if (kind == ual::Epilogue::silu) return x / (1.0 + std::exp(-x));
  return x;
}

// Shape as stored: [batch,] rows x cols, transposed storage when asked.
std::vector<std::int64_t> stored_shape(std::int64_t batch, std::int64_t rows, std::int64_t cols, bool transpose,
                                       bool batched) {
  std::vector<std::int64_t> shape;
  if (batched) shape.push_back(batch);
  shape.push_back(transpose ? cols : rows);
  shape.push_back(transpose ? rows : cols);
  return shape;
}

std::vector<std::int64_t> padded_strides(const std::vector<std::int64_t>& shape, std::int64_t padding) {
  std::vector<std::int64_t> strides(shape.size());
  const std::int64_t row = shape.back() + padding;
  strides.back() = 1;
  strides[shape.size() - 2] = row;
  if (shape.size() == 3) strides[0] = row * shape[1] + padding;
  return strides;
}

void run_case(const ual::ComputeDevice& device, const GemmCase& c) {
  SCOPED_TRACE(describe(c));
  const bool fp8 = ual::is_fp8(c.a_dtype);
  const float range = fp8 ? 100.0f : 1.0f;
  const float scale_a = fp8 ? 0.125f : 1.0f, scale_b = fp8 ? 0.5f : 1.0f;
  const auto a_shape = stored_shape(c.batch, c.m, c.k, c.transpose_a, true);
  const auto b_shape = stored_shape(c.batch, c.k, c.n, c.transpose_b, !c.broadcast_b);
  HostTensor a_host = random_tensor(c.a_dtype, a_shape, 11, range, scale_a);
  HostTensor b_host = random_tensor(c.b_dtype, b_shape, 12, range, scale_b);
  HostTensor c_host = random_tensor(c.d_dtype, {c.batch, c.m, c.n}, 13);
  HostTensor bias_host = random_tensor(DType::f32, {c.n}, 14);
  ual::Tensor a = upload(device, a_host, c.padded ? padded_strides(a_shape, 3) : std::vector<std::int64_t>{}, 5);
  ual::Tensor b = upload(device, b_host, c.padded ? padded_strides(b_shape, 2) : std::vector<std::int64_t>{}, 1);
  ual::Tensor c_tensor = upload(device, c_host);
  ual::Tensor bias = upload(device, bias_host);
  ual::Tensor d = zeros(device, c.d_dtype, {c.batch, c.m, c.n});
  // An FP8 D stores v / scale_inv: 128 keeps these sums (|v| up to about 3e4) inside E4M3's 448 (saturation
  // would be a different test).
  if (ual::is_fp8(c.d_dtype)) d = d.with_scale_inv(128.0f);
  ual::Tensor amax = zeros(device, DType::f32, {1});
  ual::GemmOptions options;
  options.transpose_a = c.transpose_a;
  options.transpose_b = c.transpose_b;
  options.alpha = c.alpha;
  options.beta = c.beta;
  options.c = c.beta != 0.0f ? &c_tensor : nullptr;
  options.bias = c.bias ? &bias : nullptr;
  options.epilogue = c.epilogue;
  options.amax = &amax;
  UAL_RUN_OR_SKIP(ual::gemm(a, b, d, options));

  const std::vector<double> actual = read_values(d);
  const double scale = static_cast<double>(c.alpha);  // scale_inv is already inside the decoded values
  const double u = unit_roundoff(c.d_dtype);
  double reference_amax = 0;
  std::size_t failures = 0;
  for (std::int64_t batch = 0; batch < c.batch; ++batch)
    for (std::int64_t i = 0; i < c.m; ++i)
      for (std::int64_t j = 0; j < c.n; ++j) {
        double sum = 0, magnitude = 0;
        for (std::int64_t p = 0; p < c.k; ++p) {
          const std::int64_t a_index =
              batch * c.m * c.k + (c.transpose_a ? p * c.m + i : i * c.k + p);
          const std::int64_t b_batch = c.broadcast_b ? 0 : batch * c.k * c.n;
          const std::int64_t b_index = b_batch + (c.transpose_b ? j * c.k + p : p * c.n + j);
          const double product = a_host.values[a_index] * b_host.values[b_index];
          sum += product;
          magnitude += std::fabs(product);
        }
        const std::size_t out = static_cast<std::size_t>((batch * c.m + i) * c.n + j);
        double pre = scale * sum;
        double bound_base = std::fabs(scale) * magnitude;
        if (c.beta != 0.0f) {
          pre += c.beta * c_host.values[out];
          bound_base += std::fabs(c.beta * c_host.values[out]);
        }
        if (c.bias) {
          pre += bias_host.values[static_cast<std::size_t>(j)];
          bound_base += std::fabs(bias_host.values[static_cast<std::size_t>(j)]);
        }
        const double expected = epilogue(c.epilogue, pre);
        double bound = (static_cast<double>(c.k) * std::ldexp(1.0, -22) + u) * bound_base * 1.2 +
                       u * std::fabs(expected) + 1e-30;
        // NVIDIA's FP8 tensor cores accumulate with about 14 bits inside each promotion interval, whatever
        // use_split_accumulator says (DeepSeek-V3 technical report, section 3.3.2); measured on an H200 through
        // cuBLASLt: 6e-5 of the sum of |terms| at K = 64. ual cannot change the hardware's precision.
        if (fp8 && device.info().backend == "cuda") bound += std::ldexp(1.0, -13) * bound_base;
        reference_amax = std::max(reference_amax, std::fabs(actual[out]));
        if (!(std::fabs(actual[out] - expected) <= bound) && failures++ < 5)
          ADD_FAILURE() << "D[" << batch << "," << i << "," << j << "] = " << actual[out] << ", expected " << expected
                        << " (bound " << bound << ")";
      }
  EXPECT_EQ(failures, 0u);
  // amax is of D: as stored, or (as cuBLASLt does for FP8 output) of the f32 value just before the final rounding.
  EXPECT_NEAR(read_values(amax)[0], reference_amax, 2 * u * reference_amax) << "amax is the largest |D|";
}

class Gemm : public DeviceTest {};

TEST_P(Gemm, FloatDtypesEdgeShapesAndTransposes) {
  const std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> shapes = {
      {1, 1, 1}, {17, 13, 29}, {64, 64, 64}, {65, 33, 130}, {5, 7, 1}};
  for (auto [m, n, k] : shapes)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) run_case(device_, {1, m, n, k, ta, tb, DType::f32, DType::f32, DType::f32});
  for (DType input : {DType::bf16, DType::f16})
    for (DType output : {DType::f32, input}) run_case(device_, {2, 19, 23, 37, false, true, input, input, output});
}

TEST_P(Gemm, LargeK) { run_case(device_, {1, 8, 9, 4096, false, false, DType::f32, DType::f32, DType::f32}); }

TEST_P(Gemm, ScalesBetaBiasAndEpilogues) {
  for (auto epilogue : {ual::Epilogue::none, ual::Epilogue::gelu, ual::Epilogue::silu}) {
    GemmCase c{2, 31, 17, 24, false, false, DType::f32, DType::f32, DType::f32, 0.75f, 0.5f, true, epilogue};
    run_case(device_, c);
  }
  run_case(device_, {1, 12, 10, 16, true, false, DType::bf16, DType::bf16, DType::bf16, -1.5f, 2.0f, true,
                     ual::Epilogue::gelu});
}

TEST_P(Gemm, StridedPaddedAndBroadcastOperands) {
  GemmCase c{3, 13, 11, 20, false, false, DType::f32, DType::f32, DType::f32};
  c.padded = true;
  run_case(device_, c);
  c.transpose_a = c.transpose_b = true;
  run_case(device_, c);
  c.padded = false;
  c.broadcast_b = true;
  run_case(device_, c);
}

TEST_P(Gemm, Fp8WithScaleInv) {
  for (auto [a, b] : {std::pair{DType::fp8_e4m3, DType::fp8_e4m3}, std::pair{DType::fp8_e4m3, DType::fp8_e5m2},
                      std::pair{DType::fp8_e4m3fnuz, DType::fp8_e5m2fnuz}})
    for (DType output : {DType::f32, DType::bf16})
      run_case(device_, {1, 33, 40, 64, false, true, a, b, output, 0.5f});
  // FP8 output (Transformer Engine's FP8 GEMM): N = 40 and N = 48 (cuBLASLt's own FP8 D path needs N % 16 == 0).
  for (std::int64_t n : {40, 48})
    run_case(device_, {1, 33, n, 64, false, true, DType::fp8_e4m3, DType::fp8_e4m3, DType::fp8_e4m3, 0.5f});
}

TEST_P(Gemm, ZeroSizes) {
  run_case(device_, {1, 0, 5, 3, false, false, DType::f32, DType::f32, DType::f32});
  run_case(device_, {1, 4, 5, 0, false, false, DType::f32, DType::f32, DType::f32, 1.0f, 0.5f, true});
  run_case(device_, {0, 4, 5, 3, false, false, DType::f32, DType::f32, DType::f32});
}

INSTANTIATE_TEST_SUITE_P(Devices, Gemm, testing::ValuesIn(device_ids()), device_test_name);

}  // namespace
}  // namespace conformance
