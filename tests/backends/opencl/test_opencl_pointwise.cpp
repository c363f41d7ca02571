// QUANTIZE / DEQUANTIZE bit-exact against ual::fp8, and GELU, SILU, ADD, MUL against double-precision references.
//
// Error bounds (|got - ref| with ref in double from the same stored inputs):
//   ADD, MUL:   <= 2^-23 * (|a| + |b|) resp. |a * b|, plus the output dtype's half ulp * |ref|
//               (f32 2^-24, f16 2^-11, bf16 2^-8) -- one f32 rounding, then the store.
//   GELU, SILU: <= 4e-7 * (|x| + 1), plus the output's half ulp * |ref| (f32 tanh / exp are a few ulp).
#include <bit>
#include <limits>

#include "opencl_harness.hpp"

namespace ual::opencl::test {
namespace {

constexpr ual_dtype kFp8Types[] = {UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2, UAL_DTYPE_FP8_E4M3FNUZ,
                                   UAL_DTYPE_FP8_E5M2FNUZ};

// Values that exercise every rule of the encoders: ties at every magnitude, subnormals of each format, the
// overflow thresholds (448/464/480 for e4m3, 57344/61440 for e5m2, 240/248 for e4m3fnuz), +-0, +-Inf, NaNs of both
// signs (a signalling one too), f32 subnormals, and a spread of random values.
std::vector<float> quantize_inputs() {
  std::vector<float> values = {0.0F, -0.0F, 1.0F, -1.0F, 448.0F, 449.0F, 464.0F, 464.0001F, 480.0F, -464.0F, 240.0F,
                               247.9F, 248.0F, 57344.0F, 61439.0F, 61440.0F, -61440.0F, 65504.0F, 1e30F, -1e30F,
                               std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                               std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                               std::bit_cast<float>(0x7F800001U), std::bit_cast<float>(0x00000001U),
                               -std::bit_cast<float>(0x00000001U), std::bit_cast<float>(0x007FFFFFU)};
  // Every representable fp8 value of every format and the midpoints between neighbours (ties), with nudges.
  for (ual_dtype dtype : kFp8Types) {
    const fp8::Format format = *fp8_format(dtype);
    for (int code = 0; code < 128; ++code) {
      const float v = fp8::decode(static_cast<uint8_t>(code), format);
      const float next = fp8::decode(static_cast<uint8_t>(code + 1), format);
      if (!std::isfinite(v)) continue;
      values.push_back(v);
      values.push_back(-v);
      if (std::isfinite(next)) {
        const float mid = 0.5F * (v + next);
        values.push_back(mid);
        values.push_back(-mid);
        values.push_back(std::nextafter(mid, 0.0F));
        values.push_back(std::nextafter(mid, 1e38F));
      }
    }
  }
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> exponent(-24.0F, 18.0F);
  std::uniform_int_distribution<int> sign(0, 1);
  for (int i = 0; i < 4000; ++i) values.push_back((sign(rng) ? -1.0F : 1.0F) * std::exp2(exponent(rng)));
  return values;
}

float expected_amax(const std::vector<float>& values) {
  float amax = 0.0F;
  for (float v : values) {
    if (!std::isnan(v) && std::fabs(v) > amax) amax = std::fabs(v);
  }
  return amax;
}

TEST(OpenClQuantize, BitExactForAllFormatsScalesAndSaturation) {
  UAL_OPENCL_REQUIRE_DEVICE();
  const std::vector<float> values = quantize_inputs();
  const int64_t n = static_cast<int64_t>(values.size());
  for (ual_dtype input_type : {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16}) {
    HostTensor x = make_host_tensor(input_type, {n});
    for (int64_t i = 0; i < n; ++i) x.set(i, values[static_cast<std::size_t>(i)]);
    std::vector<float> stored(values.size());
    for (int64_t i = 0; i < n; ++i) stored[static_cast<std::size_t>(i)] = x.get(i);
    if (input_type == UAL_DTYPE_F32) {
      // Keep the exact f32 inputs, NaN payloads included (set() goes through float, which keeps them).
      std::memcpy(x.bytes.data(), values.data(), values.size() * 4);
    }
    DeviceTensor x_device(x);
    for (ual_dtype output_type : kFp8Types) {
      const fp8::Format format = *fp8_format(output_type);
      for (float scale : {1.0F, 0.75F, 3.0F}) {
        for (int saturate : {1, 0}) {
          DeviceTensor y(make_host_tensor(output_type, {n}));
          DeviceTensor amax(make_host_tensor(UAL_DTYPE_F32, {1}));
          const ual_quantize_params params{UAL_BACKEND_ABI_VERSION, scale, saturate};
          ASSERT_EQ(run_op(UAL_OP_QUANTIZE, {x_device.view()}, {y.view(), amax.view()}, &params), UAL_STATUS_OK);
          const HostTensor got = y.download();
          const fp8::Overflow overflow = saturate ? fp8::Overflow::saturate : fp8::Overflow::nonfinite;
          int mismatches = 0;
          for (int64_t i = 0; i < n; ++i) {
            const float input = x_device.host.get(i);
            const uint8_t expected = fp8::encode(scale == 1.0F ? input : input * scale, format, overflow);
            if (got.raw(i) != expected && ++mismatches <= 5) {
              ADD_FAILURE() << "x=" << input << " (bits " << std::hex << std::bit_cast<uint32_t>(input) << std::dec
                            << ") scale " << scale << " saturate " << saturate << " format " << fp8::format_info(format).name
                            << ": got 0x" << std::hex << int(got.raw(i)) << " expected 0x" << int(expected);
            }
          }
          EXPECT_EQ(mismatches, 0);
          EXPECT_EQ(amax.download().get(0), expected_amax(stored));
        }
      }
    }
  }
}

TEST(OpenClQuantize, StridedAndEmptyViews) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(3);
  // x transposed ([7, 13] read column-major), y padded rows, offset views.
  HostTensor x = make_host_tensor(UAL_DTYPE_BF16, {7, 13}, {1, 7}, 5);
  fill_uniform(x, rng, -500.0F, 500.0F);
  DeviceTensor xd(x);
  DeviceTensor y(make_host_tensor(UAL_DTYPE_FP8_E4M3, {7, 13}, {16, 1}, 3));
  const ual_quantize_params params{UAL_BACKEND_ABI_VERSION, 0.5F, 1};
  ASSERT_EQ(run_op(UAL_OP_QUANTIZE, {xd.view()}, {y.view()}, &params), UAL_STATUS_OK);
  const HostTensor got = y.download();
  for (int64_t i = 0; i < x.count(); ++i) {
    EXPECT_EQ(got.raw(i), fp8::encode(x.get(i) * 0.5F, fp8::Format::e4m3)) << i;
  }
  expect_padding_untouched(y.host, got);

  DeviceTensor empty_x(make_host_tensor(UAL_DTYPE_F32, {0, 5}));
  DeviceTensor empty_y(make_host_tensor(UAL_DTYPE_FP8_E5M2, {0, 5}));
  DeviceTensor amax(make_host_tensor(UAL_DTYPE_F32, {1}));
  ASSERT_EQ(run_op(UAL_OP_QUANTIZE, {empty_x.view()}, {empty_y.view(), amax.view()}, &params), UAL_STATUS_OK);
  EXPECT_EQ(amax.download().get(0), 0.0F);
}

TEST(OpenClDequantize, BitExactForEveryCodeAndOutputType) {
  UAL_OPENCL_REQUIRE_DEVICE();
  for (ual_dtype input_type : kFp8Types) {
    const fp8::Format format = *fp8_format(input_type);
    HostTensor x = make_host_tensor(input_type, {256});
    for (int code = 0; code < 256; ++code) x.bytes[static_cast<std::size_t>(code)] = static_cast<uint8_t>(code);
    x.scale_inv = 0.375F;
    DeviceTensor xd(x);
    for (ual_dtype output_type : {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16}) {
      DeviceTensor y(make_host_tensor(output_type, {256}));
      ASSERT_EQ(run_op(UAL_OP_DEQUANTIZE, {xd.view()}, {y.view()}, nullptr), UAL_STATUS_OK);
      const HostTensor got = y.download();
      for (int code = 0; code < 256; ++code) {
        HostTensor expected = make_host_tensor(output_type, {1});
        expected.set(0, fp8::decode(static_cast<uint8_t>(code), format) * 0.375F);
        const float want = expected.get(0);
        const float have = got.get(code);
        if (std::isnan(want)) {
          EXPECT_TRUE(std::isnan(have)) << code;
        } else {
          EXPECT_EQ(std::bit_cast<uint32_t>(have), std::bit_cast<uint32_t>(want))
              << fp8::format_info(format).name << " code " << code;
        }
      }
    }
  }
}

double gelu_reference(double x) {
  return 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}

struct ElementwiseCase {
  std::vector<int64_t> shape;
  std::vector<int64_t> x_strides;  // empty: row-major
  std::vector<int64_t> y_strides;
};

std::vector<ElementwiseCase> elementwise_cases() {
  return {{{1}, {}, {}},
          {{1031}, {}, {}},
          {{0, 4}, {}, {}},
          {{13, 7}, {1, 13}, {}},              // transposed input
          {{5, 3, 17}, {}, {60, 20, 1}},       // padded output rows
          {{2, 3, 1, 4, 1, 5}, {}, {}},        // rank 6
          {{3, 70000}, {}, {}}};               // more elements than one launch covers with few groups
}

TEST(OpenClElementwise, GeluAndSiluMatchDoubleReference) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(11);
  for (const ElementwiseCase& c : elementwise_cases()) {
    for (ual_dtype x_type : {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16}) {
      for (ual_dtype y_type : {UAL_DTYPE_F32, UAL_DTYPE_BF16}) {
        HostTensor x = make_host_tensor(x_type, c.shape, c.x_strides, 2);
        fill_uniform(x, rng, -8.0F, 8.0F);
        DeviceTensor xd(x);
        for (ual_op_kind kind : {UAL_OP_GELU, UAL_OP_SILU}) {
          DeviceTensor y(make_host_tensor(y_type, c.shape, c.y_strides, 1));
          ASSERT_EQ(run_op(kind, {xd.view()}, {y.view()}, nullptr), UAL_STATUS_OK);
          const HostTensor got = y.download();
          double worst = 0.0;
          for (int64_t i = 0; i < x.count(); ++i) {
            const double v = x.get(i);
            const double ref = kind == UAL_OP_GELU ? gelu_reference(v) : v / (1.0 + std::exp(-v));
            const double bound = 4e-7 * (std::fabs(v) + 1.0) + unit_roundoff(y_type) * std::fabs(ref);
            worst = std::max(worst, std::fabs(got.get(i) - ref) / bound);
          }
          EXPECT_LE(worst, 1.0) << (kind == UAL_OP_GELU ? "GELU" : "SILU") << " shape size " << x.count();
          expect_padding_untouched(y.host, got);
        }
      }
    }
  }
}

TEST(OpenClElementwise, AddAndMulWithBroadcastAndMixedTypes) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::mt19937 rng(5);
  struct Case {
    std::vector<int64_t> shape;
    std::vector<int64_t> b_shape;    // size-1 dims broadcast
    std::vector<int64_t> b_strides;  // zero strides broadcast too
  };
  const std::vector<Case> cases = {{{1}, {1}, {}},
                                   {{37, 61}, {37, 61}, {}},
                                   {{37, 61}, {1, 61}, {}},         // row vector by size-1 dim
                                   {{37, 61}, {37, 61}, {0, 1}},    // row vector by zero stride
                                   {{4, 5, 6}, {4, 1, 1}, {}},
                                   {{9, 0}, {9, 0}, {}}};
  const ual_dtype types[][3] = {{UAL_DTYPE_F32, UAL_DTYPE_F32, UAL_DTYPE_F32},
                                {UAL_DTYPE_F16, UAL_DTYPE_BF16, UAL_DTYPE_F32},
                                {UAL_DTYPE_BF16, UAL_DTYPE_F32, UAL_DTYPE_BF16},
                                {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_F16}};
  for (const Case& c : cases) {
    for (const auto& t : types) {
      HostTensor a = make_host_tensor(t[0], c.shape);
      HostTensor b = make_host_tensor(t[1], c.b_shape, c.b_strides);
      fill_uniform(a, rng, -100.0F, 100.0F);
      fill_uniform(b, rng, -100.0F, 100.0F);
      DeviceTensor ad(a), bd(b);
      for (ual_op_kind kind : {UAL_OP_ADD, UAL_OP_MUL}) {
        DeviceTensor y(make_host_tensor(t[2], c.shape));
        ASSERT_EQ(run_op(kind, {ad.view(), bd.view()}, {y.view()}, nullptr), UAL_STATUS_OK);
        const HostTensor got = y.download();
        double worst = 0.0;
        for (int64_t i = 0; i < a.count(); ++i) {
          // b's element for a's coordinates: size-1 dims of b read index 0.
          int64_t rest = i, b_index = 0, b_scale = 1;
          for (int d = static_cast<int>(c.shape.size()) - 1; d >= 0; --d) {
            const int64_t coordinate = rest % c.shape[static_cast<std::size_t>(d)];
            rest /= c.shape[static_cast<std::size_t>(d)];
            const int64_t extent = c.b_shape[static_cast<std::size_t>(d)];
            b_index += (extent == 1 ? 0 : coordinate) * b_scale;
            b_scale *= extent;
          }
          const double va = a.get(i), vb = b.get(b_index);
          const double ref = kind == UAL_OP_ADD ? va + vb : va * vb;
          const double magnitude = kind == UAL_OP_ADD ? std::fabs(va) + std::fabs(vb) : std::fabs(ref);
          const double bound = std::ldexp(1.0, -23) * magnitude + unit_roundoff(t[2]) * std::fabs(ref) + 1e-30;
          worst = std::max(worst, std::fabs(got.get(i) - ref) / bound);
        }
        EXPECT_LE(worst, 1.0) << (kind == UAL_OP_ADD ? "ADD" : "MUL");
      }
    }
  }
}

}  // namespace
}  // namespace ual::opencl::test
