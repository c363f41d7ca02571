// Built against an INSTALLED ual: compares ual::fp8::encode/decode with NVIDIA's cuda_fp8.h host conversions over a
// sample of float bit patterns (every 4099th pattern, plus a fixed random sample), both formats, both overflow modes.
#include <cuda_fp8.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>

#include <ual/fp8.hpp>

int main() {
  std::uint64_t mismatches = 0, compared = 0;
  const auto check = [&](std::uint32_t bits) {
    float x;
    std::memcpy(&x, &bits, sizeof x);
    for (const auto [format, cuda_format] : {std::pair{ual::fp8::Format::e4m3, __NV_E4M3}, std::pair{ual::fp8::Format::e5m2, __NV_E5M2}}) {
      for (const auto [overflow, cuda_overflow] : {std::pair{ual::fp8::Overflow::saturate, __NV_SATFINITE},
                                                   std::pair{ual::fp8::Overflow::nonfinite, __NV_NOSAT}}) {
        const auto expected = static_cast<std::uint8_t>(__nv_cvt_float_to_fp8(x, cuda_overflow, cuda_format));
        mismatches += ual::fp8::encode(x, format, overflow) != expected;
        ++compared;
      }
    }
  };
  for (std::uint64_t bits = 0; bits <= 0xffffffffull; bits += 4099) check(static_cast<std::uint32_t>(bits));
  std::mt19937 random(2026);
  for (int i = 0; i < 1000000; ++i) check(random());
  for (int code = 0; code < 256; ++code) {
    for (const auto [format, cuda_format] : {std::pair{ual::fp8::Format::e4m3, __NV_E4M3}, std::pair{ual::fp8::Format::e5m2, __NV_E5M2}}) {
      const __half_raw half = __nv_cvt_fp8_to_halfraw(static_cast<__nv_fp8_storage_t>(code), cuda_format);
      __half h;
      std::memcpy(&h, &half, sizeof h);
      const float expected = __half2float(h);
      const float actual = ual::fp8::decode(static_cast<std::uint8_t>(code), format);
      mismatches += !(actual == expected || (std::isnan(actual) && std::isnan(expected)));
      ++compared;
    }
  }
  std::printf("fp8 against cuda_fp8.h (installed ual): %llu compared, %llu mismatches\n",
              static_cast<unsigned long long>(compared), static_cast<unsigned long long>(mismatches));
  return mismatches == 0 ? 0 : 1;
}
