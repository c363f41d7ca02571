// AVX2 building blocks of the elementwise kernels: 8-lane loads of f32 / bf16 / f16 widened to float, stores
// rounded to nearest even, horizontal reductions and a vector exp. Include only from an _avx2.cpp file (they are
// compiled with -mavx2 -mfma -mf16c): everything here has internal linkage and no standard-library templates are
// used, so nothing compiled for AVX2 can be picked by the linker for code that runs on a CPU without it.
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

// The hot helpers are forced inline: GCC otherwise keeps exp8 and the loads out of line in the many template
// instantiations, and that call per 8 elements cost 20-35% of GELU's and rms_norm's throughput on cache-resident
// rows (measured, 16 x 4096 f32).
#define UAL_AVX2_INLINE inline __attribute__((always_inline))

namespace ual::cpu::detail::avx2 {
namespace {

// Element type tags: T is the stored type (16-bit formats as raw bits).
struct F32 {
  using T = float;
};
struct Bf16 {
  using T = std::uint16_t;
};
struct F16 {
  using T = std::uint16_t;
};

UAL_AVX2_INLINE __m256 load8(F32, const float* p) { return _mm256_loadu_ps(p); }
UAL_AVX2_INLINE __m256 load8(Bf16, const std::uint16_t* p) {
  // bfloat16 is the top half of a binary32: widening is exact.
  const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
}
UAL_AVX2_INLINE __m256 load8(F16, const std::uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));  // exact, subnormals included
}

// The bit patterns ual::fp8::to_bfloat16 / to_float16 give NaN (sign-less canonical quiet NaN), so that vector and
// scalar outputs agree bit for bit, NaN included.
constexpr int kCanonicalNan16 = 0x7FFF;

UAL_AVX2_INLINE void store8(F32, float* p, __m256 v) { _mm256_storeu_ps(p, v); }
UAL_AVX2_INLINE void store8(Bf16, std::uint16_t* p, __m256 v) {
  // Round to nearest even on the bits: add 0x7FFF plus the lowest kept bit, drop 16 bits. A carry into the exponent
  // gives the next binade or Inf, as it should; the sign bit cannot be reached.
  const __m256i bits = _mm256_castps_si256(v);
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(bits, 16), _mm256_set1_epi32(1));
  __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(bits, _mm256_set1_epi32(0x7FFF)), lsb), 16);
  const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  rounded = _mm256_blendv_epi8(rounded, _mm256_set1_epi32(kCanonicalNan16), nan);
  const __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(rounded), _mm256_extracti128_si256(rounded, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p), packed);
}
UAL_AVX2_INLINE void store8(F16, std::uint16_t* p, __m256 v) {
  // vcvtps2ph rounds to nearest even with IEEE overflow to Inf and exact subnormal handling; only NaN bits differ
  // (it keeps sign and payload), so NaN lanes are replaced.
  const __m128i half = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const __m256i nan32 = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  const __m128i nan16 = _mm_packs_epi32(_mm256_castsi256_si128(nan32), _mm256_extracti128_si256(nan32, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                   _mm_blendv_epi8(half, _mm_set1_epi16(static_cast<short>(kCanonicalNan16)), nan16));
}

// Tails (n < 8 elements) go through a small zero-filled buffer, so no access leaves the caller's range.
template <class Tag>
inline __m256 load_partial(Tag tag, const typename Tag::T* p, std::size_t n) {
  typename Tag::T buffer[8] = {};
  __builtin_memcpy(buffer, p, n * sizeof(typename Tag::T));
  return load8(tag, buffer);
}
template <class Tag>
inline void store_partial(Tag tag, typename Tag::T* p, __m256 v, std::size_t n) {
  typename Tag::T buffer[8];
  store8(tag, buffer, v);
  __builtin_memcpy(p, buffer, n * sizeof(typename Tag::T));
}

// All-ones in lanes [0, n), zero above.
UAL_AVX2_INLINE __m256 lane_mask(std::size_t n) {
  return _mm256_castsi256_ps(
      _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
}

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float hmax(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// e^x, Cephes expf scheme: n = round(x log2 e), r = x - n ln 2 (Cody-Waite with ln 2 split in two; the FMA keeps
// n * ln2_hi exact), e^r by a degree-6 polynomial on |r| <= ln2 / 2, times 2^n. Measured max error 1.0 ulp
// over the whole float range (tests/backends/cpu/elementwise_kernels_test.cpp ElementwiseAvx2Exp).
// 2^n is applied as two factors 2^(n/2) * 2^(n - n/2), each a normal float for n in [-150, 128]: one multiply
// could not reach results below 2^-126 (gradual underflow, needed for GELU / SiLU of very negative x, where the
// product x e^z is a normal float while e^z is not) nor 2^127 < e^x < FLT_MAX. Clamping x to [-104, 89] keeps n in
// that range: e^-104 rounds to 0 and e^89 overflows to Inf, as the true values do. The clamps take x as their
// second operand, which (v)minps / (v)maxps return when it is NaN, so NaN propagates.
UAL_AVX2_INLINE __m256 exp8(__m256 x) {
  x = _mm256_min_ps(_mm256_set1_ps(89.0f), x);
  x = _mm256_max_ps(_mm256_set1_ps(-104.0f), x);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187045e-06f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r);
  p = _mm256_add_ps(p, _mm256_set1_ps(1.0f));
  const __m256i ni = _mm256_cvtps_epi32(n);  // NaN lanes give INT_MIN; p is NaN there anyway
  const __m256i half = _mm256_srai_epi32(ni, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 scale1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  const __m256 scale2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, scale1), scale2);
}

// x * sigmoid(z) = x / (1 + e^-z), evaluated as x * num / (1 + e) with e = e^-|z| <= 1 and num = 1 (z >= 0) or e
// (z < 0): e never overflows, and for z -> -inf the result keeps its relative accuracy (x e^z) instead of dividing
// by an overflowed denominator. x = -inf gives -inf * 0 = NaN, as the formula does in any precision.
UAL_AVX2_INLINE __m256 times_sigmoid(__m256 x, __m256 z) {
  const __m256 abs_z = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), z);
  const __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), abs_z));
  const __m256 negative = _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 num = _mm256_blendv_ps(_mm256_set1_ps(1.0f), e, negative);
  return _mm256_div_ps(_mm256_mul_ps(x, num), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

}  // namespace
}  // namespace ual::cpu::detail::avx2
