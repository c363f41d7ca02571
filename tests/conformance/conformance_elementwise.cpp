// Softmax, norms, activations, add/mul and FP8 quantize/dequantize on every device, against scalar references:
// double-precision formulas for the float ops (bound: a few units of the output's roundoff, scaled by the row's
// magnitude where a reduction is involved), and ual::fp8::encode/decode for FP8, which must match bit for bit.
#include "conformance.hpp"

namespace conformance {
namespace {

using ual::DType;

struct RowShape {
  std::int64_t rows, cols;
};
const std::vector<RowShape> row_shapes = {{1, 1}, {3, 7}, {5, 1000}, {2, 4097}, {64, 33}};

double output_bound(DType dtype, double magnitude) {
  // 8 roundings of the output's precision (f32 keeps a floor of 2^-20 for transcendental approximations).
  const double u = std::max(unit_roundoff(dtype), std::ldexp(1.0, -20));
  return 8 * u * magnitude + 1e-30;
}

void expect_close(const std::vector<double>& actual, const std::vector<double>& expected,
                  const std::vector<double>& magnitude, DType dtype, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double bound = output_bound(dtype, magnitude[i]);
    const bool both_nan = std::isnan(actual[i]) && std::isnan(expected[i]);
    if (!both_nan && !(std::fabs(actual[i] - expected[i]) <= bound) && failures++ < 5)
      ADD_FAILURE() << what << " [" << i << "]: " << actual[i] << ", expected " << expected[i] << " (bound " << bound
                    << ")";
  }
  EXPECT_EQ(failures, 0u) << what;
}

class Elementwise : public DeviceTest {};

TEST_P(Elementwise, Softmax) {
  for (auto [rows, cols] : row_shapes)
    for (DType dtype : {DType::f32, DType::bf16, DType::f16}) {
      HostTensor x = random_tensor(dtype, {rows, cols}, 21, 8.0f);
      ual::Tensor input = upload(device_, x);
      ual::Tensor output = zeros(device_, dtype, {rows, cols});
      UAL_RUN_OR_SKIP(ual::softmax(input, output));
      std::vector<double> expected(x.values.size()), magnitude(x.values.size(), 1.0);
      for (std::int64_t r = 0; r < rows; ++r) {
        double top = -INFINITY, sum = 0;
        for (std::int64_t c = 0; c < cols; ++c) top = std::max(top, x.values[r * cols + c]);
        for (std::int64_t c = 0; c < cols; ++c) sum += std::exp(x.values[r * cols + c] - top);
        for (std::int64_t c = 0; c < cols; ++c) {
          expected[r * cols + c] = std::exp(x.values[r * cols + c] - top) / sum;
          magnitude[r * cols + c] = expected[r * cols + c] + 1.0 / cols;
        }
      }
      expect_close(read_values(output), expected, magnitude, dtype, fmt::format("softmax {}x{} {}", rows, cols,
                                                                                ual::to_string(dtype)));
    }
}

TEST_P(Elementwise, RmsNormAndLayerNorm) {
  for (auto [rows, cols] : row_shapes)
    for (DType dtype : {DType::f32, DType::bf16}) {
      HostTensor x = random_tensor(dtype, {rows, cols}, 31, 3.0f);
      HostTensor gamma = random_tensor(DType::f32, {cols}, 32);
      HostTensor beta = random_tensor(DType::f32, {cols}, 33);
      ual::Tensor input = upload(device_, x), g = upload(device_, gamma), b = upload(device_, beta);
      ual::Tensor rms = zeros(device_, dtype, {rows, cols}), layer = zeros(device_, dtype, {rows, cols});
      UAL_RUN_OR_SKIP(ual::rms_norm(input, g, rms, 1e-6f));
      UAL_RUN_OR_SKIP(ual::layer_norm(input, g, &b, layer, 1e-5f));
      std::vector<double> rms_expected(x.values.size()), layer_expected(x.values.size()),
          magnitude(x.values.size());
      for (std::int64_t r = 0; r < rows; ++r) {
        double squares = 0, mean = 0, variance = 0;
        for (std::int64_t c = 0; c < cols; ++c) {
          squares += x.values[r * cols + c] * x.values[r * cols + c];
          mean += x.values[r * cols + c];
        }
        mean /= cols;
        for (std::int64_t c = 0; c < cols; ++c) variance += std::pow(x.values[r * cols + c] - mean, 2);
        variance /= cols;
        const double rms_scale = 1.0 / std::sqrt(squares / cols + 1e-6), layer_scale = 1.0 / std::sqrt(variance + 1e-5);
        for (std::int64_t c = 0; c < cols; ++c) {
          const std::size_t i = static_cast<std::size_t>(r * cols + c);
          rms_expected[i] = x.values[i] * rms_scale * gamma.values[c];
          layer_expected[i] = (x.values[i] - mean) * layer_scale * gamma.values[c] + beta.values[c];
          magnitude[i] = 4 * (std::fabs(x.values[i]) * std::max(rms_scale, layer_scale) + 1) *
                         (std::fabs(gamma.values[c]) + std::fabs(beta.values[c]) + 1e-3);
        }
      }
      const std::string shape = fmt::format("{}x{} {}", rows, cols, ual::to_string(dtype));
      expect_close(read_values(rms), rms_expected, magnitude, dtype, "rms_norm " + shape);
      expect_close(read_values(layer), layer_expected, magnitude, dtype, "layer_norm " + shape);
    }
}

TEST_P(Elementwise, ActivationsOnStridedInput) {
  for (std::int64_t count : {1, 7, 1000, 4097})
    for (DType dtype : {DType::f32, DType::bf16, DType::f16}) {
      HostTensor x = random_tensor(dtype, {count}, 41, 6.0f);
      // Every other element of a buffer twice the size: a non-contiguous view.
      ual::Tensor input = upload(device_, x, {2}, 3);
      ual::Tensor gelu = zeros(device_, dtype, {count}), silu = zeros(device_, dtype, {count});
      UAL_RUN_OR_SKIP(ual::gelu(input, gelu));
      UAL_RUN_OR_SKIP(ual::silu(input, silu));
      std::vector<double> gelu_expected, silu_expected, magnitude;
      for (double v : x.values) {
        gelu_expected.push_back(0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v))));
        silu_expected.push_back(v / (1.0 + std::exp(-v)));
        magnitude.push_back(std::fabs(v) + 1e-3);
      }
      const std::string what = fmt::format("{} {}", count, ual::to_string(dtype));
      expect_close(read_values(gelu), gelu_expected, magnitude, dtype, "gelu " + what);
      expect_close(read_values(silu), silu_expected, magnitude, dtype, "silu " + what);
    }
}

TEST_P(Elementwise, AddAndMulWithBroadcasting) {
  const std::int64_t rows = 37, cols = 129;
  for (DType dtype : {DType::f32, DType::bf16}) {
    HostTensor a = random_tensor(dtype, {rows, cols}, 51, 4.0f);
    for (std::vector<std::int64_t> b_shape : {std::vector<std::int64_t>{rows, cols}, {cols}, {1, cols}, {rows, 1}}) {
      HostTensor b = random_tensor(dtype, b_shape, 52, 4.0f);
      ual::Tensor left = upload(device_, a), right = upload(device_, b);
      ual::Tensor sum = zeros(device_, dtype, {rows, cols}), product = zeros(device_, dtype, {rows, cols});
      UAL_RUN_OR_SKIP(ual::add(left, right, sum));
      UAL_RUN_OR_SKIP(ual::mul(left, right, product));
      std::vector<double> sum_expected, product_expected, sum_magnitude, product_magnitude;
      for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) {
          const double x = a.values[r * cols + c];
          const double y = b_shape.size() == 2 && b_shape[0] == rows && b_shape[1] == cols ? b.values[r * cols + c]
                           : b_shape.size() == 2 && b_shape[1] == 1                       ? b.values[r]
                                                                                          : b.values[c];
          sum_expected.push_back(x + y);
          product_expected.push_back(x * y);
          sum_magnitude.push_back(std::fabs(x) + std::fabs(y));
          product_magnitude.push_back(std::fabs(x * y));
        }
      const std::string what = fmt::format("b {} {}", b_shape.size() == 1 ? std::to_string(b_shape[0]) :
                                           fmt::format("{}x{}", b_shape[0], b_shape[1]), ual::to_string(dtype));
      expect_close(read_values(sum), sum_expected, sum_magnitude, dtype, "add " + what);
      expect_close(read_values(product), product_expected, product_magnitude, dtype, "mul " + what);
    }
  }
}

TEST_P(Elementwise, ZeroSizeTensors) {
  ual::Tensor empty = zeros(device_, DType::f32, {0, 5});
  UAL_RUN_OR_SKIP(ual::gelu(empty, empty));
  UAL_RUN_OR_SKIP(ual::add(empty, empty, empty));
  UAL_RUN_OR_SKIP(ual::softmax(empty, empty));
}

// Values that exercise every rounding path of the FP8 casts: ties, subnormals, the largest finite values and just
// beyond, infinities, NaN, signed zeros, and random values over the whole range.
std::vector<float> fp8_probe_values() {
  std::vector<float> values = {0.0f, -0.0f, 1.0f, -1.0f, 448.0f, 464.0f, 480.0f, 57344.0f, 61440.0f, 1e9f,
                               -1e9f, INFINITY, -INFINITY, NAN, 0.0009765625f, 0.001953125f, 0.0029296875f,
                               1.0625f, 1.125f, 1.1875f, 240.0f, 248.0f, 3.0e-5f, 7.62939453125e-6f, -2.5f};
  std::mt19937 generator(61);
  std::uniform_real_distribution<float> exponent(-20.0f, 17.0f);
  for (int i = 0; i < 4000; ++i)
    values.push_back((i % 2 ? -1.0f : 1.0f) * std::exp2(exponent(generator)));
  return values;
}

class Fp8 : public DeviceTest {};

TEST_P(Fp8, QuantizeIsBitExactWithTheScalarCasts) {
  const std::vector<float> values = fp8_probe_values();
  const auto count = static_cast<std::int64_t>(values.size());
  ual::Tensor input = device_.upload(std::span<const float>(values), DType::f32, {count}).value();
  for (DType dtype : {DType::fp8_e4m3, DType::fp8_e5m2, DType::fp8_e4m3fnuz, DType::fp8_e5m2fnuz})
    for (bool saturate : {true, false})
      for (float scale : {1.0f, 0.375f}) {
        ual::Tensor output = zeros(device_, dtype, {count});
        ual::Tensor amax = zeros(device_, DType::f32, {1});
        UAL_RUN_OR_SKIP(ual::quantize(input, output, scale, {saturate, &amax}));
        std::vector<std::uint8_t> bits(values.size());
        ASSERT_TRUE(output.read(std::as_writable_bytes(std::span<std::uint8_t>(bits))));
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
          const std::uint8_t expected = ual::fp8::encode(values[i] * scale, ual::fp8_format(dtype),
                                                         saturate ? ual::fp8::Overflow::saturate
                                                                  : ual::fp8::Overflow::nonfinite);
          if (bits[i] != expected && mismatches++ < 5)
            ADD_FAILURE() << ual::to_string(dtype) << " saturate=" << saturate << " scale=" << scale << ": "
                          << values[i] << " -> 0x" << std::hex << int(bits[i]) << ", expected 0x" << int(expected);
        }
        EXPECT_EQ(mismatches, 0u);
        EXPECT_EQ(read_values(amax)[0], INFINITY) << "the probe values include ±Inf";
        EXPECT_FLOAT_EQ(output.scale_inv(), 1.0f / scale);
      }
}

TEST_P(Fp8, DequantizeMatchesDecodeTimesScaleInv) {
  std::vector<std::uint8_t> every_byte(256);
  for (int i = 0; i < 256; ++i) every_byte[i] = static_cast<std::uint8_t>(i);
  for (DType dtype : {DType::fp8_e4m3, DType::fp8_e5m2, DType::fp8_e4m3fnuz, DType::fp8_e5m2fnuz})
    for (DType output_dtype : {DType::f32, DType::bf16}) {
      ual::Tensor input = device_.upload(std::span<const std::uint8_t>(every_byte), dtype, {256}).value();
      input = input.with_scale_inv(0.25f);
      ual::Tensor output = zeros(device_, output_dtype, {256});
      UAL_RUN_OR_SKIP(ual::dequantize(input, output));
      const std::vector<double> actual = read_values(output);
      for (int i = 0; i < 256; ++i) {
        const float exact = ual::fp8::decode(static_cast<std::uint8_t>(i), ual::fp8_format(dtype)) * 0.25f;
        const double expected = output_dtype == DType::bf16 ? ual::fp8::to_float(ual::fp8::to_bfloat16(exact)) : exact;
        if (std::isnan(expected)) {
          EXPECT_TRUE(std::isnan(actual[i])) << ual::to_string(dtype) << " byte " << i;
        } else {
          EXPECT_EQ(actual[i], expected) << ual::to_string(dtype) << " byte " << i;
        }
      }
    }
}

INSTANTIATE_TEST_SUITE_P(Devices, Elementwise, testing::ValuesIn(device_ids()), device_test_name);
INSTANTIATE_TEST_SUITE_P(Devices, Fp8, testing::ValuesIn(device_ids()), device_test_name);

}  // namespace
}  // namespace conformance
