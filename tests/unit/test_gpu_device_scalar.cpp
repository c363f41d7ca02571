// backends/gpu_kernels/device_scalar.h compiled by the host compiler: the CUDA and HIP kernels run this same code,
// so bit-exactness against ual::fp8 here (every FP8 code, every bf16 pattern, random f32 with subnormals, ties,
// NaN, Inf and overflow) is exactness on the GPU as long as the device does IEEE f32 (no flush-to-zero build flags).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "backends/cpu/kernels/elementwise.hpp"
#include "backends/gpu_kernels/device_scalar.h"
#include "ual/fp8.hpp"

namespace {

struct FormatCase {
  ual::fp8::Format format;
  int32_t dtype;
};
constexpr FormatCase kFormats[] = {{ual::fp8::Format::e4m3, UAL_DTYPE_FP8_E4M3},
                                   {ual::fp8::Format::e5m2, UAL_DTYPE_FP8_E5M2},
                                   {ual::fp8::Format::e4m3fnuz, UAL_DTYPE_FP8_E4M3FNUZ},
                                   {ual::fp8::Format::e5m2fnuz, UAL_DTYPE_FP8_E5M2FNUZ}};

uint32_t bits_of(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}
float float_of(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Floats around every rounding decision: each bf16 pattern widened, exact midpoints between neighbouring FP8 values
// and their float neighbours, specials, and random bit patterns (all exponents, so subnormals and NaNs too).
std::vector<float> encode_inputs() {
  std::vector<float> inputs;
  for (uint32_t b = 0; b < 0x10000; ++b) inputs.push_back(float_of(b << 16));
  for (const FormatCase& f : kFormats) {
    for (int code = 0; code < 0x7F; ++code) {
      const float low = ual::fp8::decode(uint8_t(code), f.format);
      const float high = ual::fp8::decode(uint8_t(code + 1), f.format);
      if (!std::isfinite(low) || !std::isfinite(high)) continue;
      const float mid = float((double(low) + double(high)) / 2);  // exact: one bit more than the format
      for (float v : {mid, std::nextafter(mid, 0.0F), std::nextafter(mid, 1e30F)}) {
        inputs.push_back(v);
        inputs.push_back(-v);
      }
    }
    const float max = ual::fp8::format_info(f.format).max;
    for (float v : {max, max * 1.03125F, max * 1.0625F, max * 2.0F, 1e30F}) {
      inputs.push_back(v);
      inputs.push_back(-v);
    }
  }
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0F, -0.0F, inf, -inf, std::numeric_limits<float>::quiet_NaN(), float_of(0xFF800001U),
                  float_of(0x7F800001U), float_of(1U), float_of(0x807FFFFFU), std::numeric_limits<float>::max()}) {
    inputs.push_back(v);
  }
  std::mt19937 random(20240601);
  for (int i = 0; i < 400000; ++i) inputs.push_back(float_of(random()));
  std::uniform_real_distribution<float> near_range(-600.0F, 600.0F);
  for (int i = 0; i < 200000; ++i) inputs.push_back(near_range(random));
  return inputs;
}

TEST(GpuDeviceScalar, DecodeMatchesFp8ForEveryCode) {
  for (const FormatCase& f : kFormats) {
    for (int code = 0; code < 256; ++code) {
      const float expected = ual::fp8::decode(uint8_t(code), f.format);
      const float actual = ual_gpu::fp8_decode(uint32_t(code), f.dtype);
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(actual)) << ual::fp8::format_info(f.format).name << " code " << code;
      } else {
        EXPECT_EQ(bits_of(actual), bits_of(expected)) << ual::fp8::format_info(f.format).name << " code " << code;
      }
    }
  }
}

TEST(GpuDeviceScalar, EncodeMatchesFp8InBothOverflowModes) {
  const std::vector<float> inputs = encode_inputs();
  for (const FormatCase& f : kFormats) {
    for (int saturate : {1, 0}) {
      const auto overflow = saturate ? ual::fp8::Overflow::saturate : ual::fp8::Overflow::nonfinite;
      int mismatches = 0;
      for (float x : inputs) {
        const uint8_t expected = ual::fp8::encode(x, f.format, overflow);
        const uint8_t actual = ual_gpu::fp8_encode(x, f.dtype, saturate);
        if (actual != expected && ++mismatches <= 5) {
          ADD_FAILURE() << ual::fp8::format_info(f.format).name << " saturate=" << saturate << " x bits 0x" << std::hex
                        << bits_of(x) << ": got 0x" << int(actual) << ", ual::fp8 0x" << int(expected);
        }
      }
      EXPECT_EQ(mismatches, 0);
    }
  }
}

TEST(GpuDeviceScalar, SixteenBitConversionsMatchFp8) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f16 = ual::fp8::to_float(ual::fp8::float16{uint16_t(h)});
    const float bf16 = ual::fp8::to_float(ual::fp8::bfloat16{uint16_t(h)});
    ASSERT_EQ(bits_of(ual_gpu::f16_to_float(uint16_t(h))), bits_of(f16)) << "f16 0x" << std::hex << h;
    ASSERT_EQ(bits_of(ual_gpu::bf16_to_float(uint16_t(h))), bits_of(bf16)) << "bf16 0x" << std::hex << h;
    // Round trips: every non-NaN pattern survives widening and rounding back.
    if (!std::isnan(f16)) {
      ASSERT_EQ(ual_gpu::float_to_f16(f16), h);
    }
    if (!std::isnan(bf16)) {
      ASSERT_EQ(ual_gpu::float_to_bf16(bf16), h);
    }
  }
  for (float x : encode_inputs()) {
    ASSERT_EQ(ual_gpu::float_to_f16(x), ual::fp8::to_float16(x).bits) << "x bits 0x" << std::hex << bits_of(x);
    ASSERT_EQ(ual_gpu::float_to_bf16(x), ual::fp8::to_bfloat16(x).bits) << "x bits 0x" << std::hex << bits_of(x);
  }
}

TEST(GpuDeviceScalar, ElementLoadsAndStoresGoThroughTheView) {
  uint16_t halves[3] = {0, 0, 0};
  ual_gpu_view view{};
  view.data = reinterpret_cast<uint64_t>(halves);
  view.dtype = UAL_DTYPE_BF16;
  ual_gpu::store_element(view, 2, 1.5F, 1);
  EXPECT_EQ(halves[2], 0x3FC0);
  EXPECT_EQ(ual_gpu::load_element(view, 2), 1.5F);
  uint8_t codes[2] = {0, 0};
  view.data = reinterpret_cast<uint64_t>(codes);
  view.dtype = UAL_DTYPE_FP8_E4M3;
  ual_gpu::store_element(view, 1, 1000.0F, 1);
  EXPECT_EQ(codes[1], 0x7E);  // saturated to 448
  ual_gpu::store_element(view, 1, 1000.0F, 0);
  EXPECT_EQ(codes[1], 0x7F);  // NaN under nonfinite
  EXPECT_EQ(ual_gpu::amax_step(2.0F, std::numeric_limits<float>::quiet_NaN()), 2.0F);
  EXPECT_EQ(ual_gpu::amax_step(2.0F, -3.0F), 3.0F);
}

// The activations use f32 expf where the CPU reference rounds a double computation once: a few ulps apart.
TEST(GpuDeviceScalar, ActivationsMatchTheCpuBackend) {
  std::vector<float> x;
  for (int i = -12000; i <= 12000; ++i) x.push_back(float(i) * 1e-3F);
  std::vector<float> gelu(x.size()), silu(x.size());
  using ual::cpu::ConstView;
  using ual::cpu::ElementType;
  using ual::cpu::MutableView;
  ASSERT_TRUE(ual::cpu::gelu(ConstView{x.data(), ElementType::f32}, MutableView{gelu.data(), ElementType::f32},
                             x.size(), ual::cpu::Isa::scalar).ok());
  ASSERT_TRUE(ual::cpu::silu(ConstView{x.data(), ElementType::f32}, MutableView{silu.data(), ElementType::f32},
                             x.size(), ual::cpu::Isa::scalar).ok());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(ual_gpu::gelu_tanh(x[i]), gelu[i], 2e-5F * std::fabs(gelu[i]) + 1e-37F) << "gelu(" << x[i] << ")";
    EXPECT_NEAR(ual_gpu::silu(x[i]), silu[i], 2e-6F * std::fabs(silu[i]) + 1e-37F) << "silu(" << x[i] << ")";
  }
  EXPECT_EQ(ual_gpu::activate(1.0F, UAL_EPILOGUE_NONE), 1.0F);
  EXPECT_EQ(ual_gpu::activate(1.0F, UAL_EPILOGUE_GELU), ual_gpu::gelu_tanh(1.0F));
  EXPECT_EQ(ual_gpu::activate(1.0F, UAL_EPILOGUE_SILU), ual_gpu::silu(1.0F));
}

}  // namespace
