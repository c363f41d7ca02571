// FP8 bulk kernels for AVX-512 (F, BW, VL, DQ): 16 lanes per __m512i, comparisons into mask registers. Compiled
// with -mavx512f -mavx512bw -mavx512vl -mavx512dq (src/CMakeLists.txt) and called only when the CPU has them
// (kernels.cpp checks isa_supported first). The algorithms are in kernel_simd.hpp, shared with the AVX2 file, which
// is what the tests run on a machine without AVX-512; this file only maps the vector operations onto intrinsics.
// GCC 12's avx512fintrin.h builds undefined vectors as `__m512i __Y = __Y;`, which -Wuninitialized reports
// wherever such an intrinsic is inlined (GCC bug 105593, fixed in GCC 13); the warning is about the header only.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "fp8/kernel_dispatch.hpp"

#define UAL_FP8_SIMD_NS avx512
#include "fp8/kernel_simd.hpp"

namespace ual::fp8::detail {
namespace avx512 {
namespace {

struct Avx512 {
  using I = __m512i;
  using F = __m512;
  using M = __mmask16;
  static constexpr std::size_t kLanes = 16;

  static I set1(std::uint32_t v) { return _mm512_set1_epi32(static_cast<int>(v)); }
  static F set1f(float v) { return _mm512_set1_ps(v); }
  static F load_f32(const float* p) { return _mm512_loadu_ps(p); }
  static F load_bf16(const bfloat16* p) {
    const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(raw), 16));
  }
  static F load_f16(const float16* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static I load_u8(const std::uint8_t* p) {
    return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static I bits(F x) { return _mm512_castps_si512(x); }
  static F as_float(I x) { return _mm512_castsi512_ps(x); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F cvt_i32(I x) { return _mm512_cvtepi32_ps(x); }
  static I and_(I a, I b) { return _mm512_and_si512(a, b); }
  static I or_(I a, I b) { return _mm512_or_si512(a, b); }
  static I add(I a, I b) { return _mm512_add_epi32(a, b); }
  static I sub(I a, I b) { return _mm512_sub_epi32(a, b); }
  static I min_i32(I a, I b) { return _mm512_min_epi32(a, b); }
  static I max_i32(I a, I b) { return _mm512_max_epi32(a, b); }
  static F max_f(F a, F b) { return _mm512_max_ps(a, b); }  // b where either is NaN
  static M mask_and(M a, M b) { return _kand_mask16(a, b); }
  static I max_u32(I a, I b) { return _mm512_max_epu32(a, b); }
  static I srlv(I a, I count) { return _mm512_srlv_epi32(a, count); }  // counts >= 32 give 0
  static I sllv(I a, I count) { return _mm512_sllv_epi32(a, count); }
  template <int N>
  static I srli(I a) { return _mm512_srli_epi32(a, N); }
  template <int N>
  static I slli(I a) { return _mm512_slli_epi32(a, N); }
  static M gt(I a, I b) { return _mm512_cmpgt_epi32_mask(a, b); }  // signed
  static M eq(I a, I b) { return _mm512_cmpeq_epi32_mask(a, b); }
  static M mask_or(M a, M b) { return _kor_mask16(a, b); }
  static I blend(I a, I b, M m) { return _mm512_mask_blend_epi32(m, a, b); }  // m ? b : a
  static I keep(I a, M m) { return _mm512_maskz_mov_epi32(m, a); }           // m ? a : 0
  static I clear(I a, M m) { return _mm512_maskz_mov_epi32(_knot_mask16(m), a); }  // m ? 0 : a
  static bool any(M m) { return m != 0; }
  static F gather(const float* table, I index, M m, F src) {  // m ? table[index] : src
    return _mm512_mask_i32gather_ps(src, m, index, table, 4);
  }
  static void store_f32(float* p, F x) { _mm512_storeu_ps(p, x); }
  // Four vectors of codes (one per 32-bit lane, 0..255) -> 64 bytes in lane order (vpmovdb truncates).
  static void store_codes4(std::uint8_t* p, I c0, I c1, I c2, I c3) {
    const __m256i lo = _mm256_set_m128i(_mm512_cvtepi32_epi8(c1), _mm512_cvtepi32_epi8(c0));
    const __m256i hi = _mm256_set_m128i(_mm512_cvtepi32_epi8(c3), _mm512_cvtepi32_epi8(c2));
    _mm512_storeu_si512(p, _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1));
  }
  // Two vectors of 16-bit values (in 32-bit lanes) -> 32 consecutive uint16 (vpmovdw truncates).
  static void store_u16x2(bfloat16* p, I r0, I r1) {
    const __m512i packed =
        _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi32_epi16(r0)), _mm512_cvtepi32_epi16(r1), 1);
    _mm512_storeu_si512(p, packed);
  }
  static std::uint32_t hmax_u32(I v) { return static_cast<std::uint32_t>(_mm512_reduce_max_epu32(v)); }
};

}  // namespace
}  // namespace avx512

const KernelSet& avx512_kernel_set() noexcept {
  static const KernelSet set = avx512::make_kernel_set<avx512::Avx512>("avx512");
  return set;
}

}  // namespace ual::fp8::detail
