// FP8 bulk kernels for AVX2 (+ FMA, F16C, BMI2): 8 lanes per __m256i. Compiled with -mavx2 -mfma -mf16c -mbmi2
// (src/CMakeLists.txt) and called only when the CPU has them (kernels.cpp checks isa_supported first). The
// algorithms are in kernel_simd.hpp; this file only maps its vector operations onto AVX2 intrinsics.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "fp8/kernel_dispatch.hpp"

#define UAL_FP8_SIMD_NS avx2
#include "fp8/kernel_simd.hpp"

namespace ual::fp8::detail {
namespace avx2 {
namespace {

struct Avx2 {
  using I = __m256i;
  using F = __m256;
  using M = __m256i;  // lane masks are all-ones / all-zeros lanes
  static constexpr std::size_t kLanes = 8;

  static I set1(std::uint32_t v) { return _mm256_set1_epi32(static_cast<int>(v)); }
  static F set1f(float v) { return _mm256_set1_ps(v); }
  static F load_f32(const float* p) { return _mm256_loadu_ps(p); }
  static F load_bf16(const bfloat16* p) {
    const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(raw), 16));
  }
  static F load_f16(const float16* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I load_u8(const std::uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  static I bits(F x) { return _mm256_castps_si256(x); }
  static F as_float(I x) { return _mm256_castsi256_ps(x); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F cvt_i32(I x) { return _mm256_cvtepi32_ps(x); }
  static I and_(I a, I b) { return _mm256_and_si256(a, b); }
  static I or_(I a, I b) { return _mm256_or_si256(a, b); }
  static I add(I a, I b) { return _mm256_add_epi32(a, b); }
  static I sub(I a, I b) { return _mm256_sub_epi32(a, b); }
  static I min_i32(I a, I b) { return _mm256_min_epi32(a, b); }
  static I max_i32(I a, I b) { return _mm256_max_epi32(a, b); }
  static F max_f(F a, F b) { return _mm256_max_ps(a, b); }  // b where either is NaN
  static M mask_and(M a, M b) { return _mm256_and_si256(a, b); }
  static I max_u32(I a, I b) { return _mm256_max_epu32(a, b); }
  static I srlv(I a, I count) { return _mm256_srlv_epi32(a, count); }  // counts >= 32 give 0
  static I sllv(I a, I count) { return _mm256_sllv_epi32(a, count); }
  template <int N>
  static I srli(I a) { return _mm256_srli_epi32(a, N); }
  template <int N>
  static I slli(I a) { return _mm256_slli_epi32(a, N); }
  static M gt(I a, I b) { return _mm256_cmpgt_epi32(a, b); }  // signed
  static M eq(I a, I b) { return _mm256_cmpeq_epi32(a, b); }
  static M mask_or(M a, M b) { return _mm256_or_si256(a, b); }
  static I blend(I a, I b, M m) {  // m ? b : a
    return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(a), _mm256_castsi256_ps(b),
                                                 _mm256_castsi256_ps(m)));
  }
  static I keep(I a, M m) { return _mm256_and_si256(a, m); }      // m ? a : 0
  static I clear(I a, M m) { return _mm256_andnot_si256(m, a); }  // m ? 0 : a
  static bool any(M m) { return _mm256_movemask_ps(_mm256_castsi256_ps(m)) != 0; }
  static F gather(const float* table, I index, M m, F src) {  // m ? table[index] : src
    return _mm256_mask_i32gather_ps(src, table, index, _mm256_castsi256_ps(m), 4);
  }
  static void store_f32(float* p, F x) { _mm256_storeu_ps(p, x); }
  // Four vectors of codes (one per 32-bit lane, 0..255) -> 32 bytes in lane order.
  static void store_codes4(std::uint8_t* p, I c0, I c1, I c2, I c3) {
    const __m256i bytes = _mm256_packus_epi16(_mm256_packus_epi32(c0, c1), _mm256_packus_epi32(c2, c3));
    // Per 128-bit half the packs interleave the sources in groups of four; gather the groups back in order.
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_permutevar8x32_epi32(bytes, order));
  }
  // Two vectors of 16-bit values (in 32-bit lanes) -> 16 consecutive uint16.
  static void store_u16x2(bfloat16* p, I r0, I r1) {
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(r0, r1), 0xD8);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), packed);
  }
  static std::uint32_t hmax_u32(I v) {
    __m128i m = _mm_max_epu32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    m = _mm_max_epu32(m, _mm_shuffle_epi32(m, 0x4E));
    m = _mm_max_epu32(m, _mm_shuffle_epi32(m, 0xB1));
    return static_cast<std::uint32_t>(_mm_cvtsi128_si32(m));
  }
};

}  // namespace
}  // namespace avx2

const KernelSet& avx2_kernel_set() noexcept {
  static const KernelSet set = avx2::make_kernel_set<avx2::Avx2>("avx2");
  return set;
}

}  // namespace ual::fp8::detail
