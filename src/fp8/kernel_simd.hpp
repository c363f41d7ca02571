// The FP8 bulk kernels' vector bodies, written once over a small "vector traits" type V (kernels_avx2.cpp: 8 lanes
// of __m256i; kernels_avx512.cpp: 16 lanes of __m512i with mask registers) and included by each ISA file.
//
// Include it only from an ISA file, after defining UAL_FP8_SIMD_NS to a name of its own (avx2, avx512): every
// function here then lives in a namespace private to that file, so no symbol compiled with -mavx512f can be picked
// by the linker for code that runs on a CPU without it (the COMDAT/ODR hazard of inline functions compiled with
// different target flags). For the same reason this file uses no standard-library templates, only intrinsics
// (always inlined), builtins and plain code.
//
// float -> fp8 per lane, in 32-bit integer arithmetic only (so the floating-point environment's rounding mode cannot
// change it; the one float operation is the product x * scale, computed exactly as the scalar path computes it):
//   a = |bits|;  normal (a >= min normal):  code = ((a + 2^(d-1) - 1 + lsb) >> d) - ((127 - bias) << m),  d = 23 - m
//   subnormal: code = RNE(significand >> s),  s = min(d + 128 - bias - exponent, 31)  (a variable shift per lane)
//   code > max code (overflow after rounding, ±Inf, NaN: all have a huge normal code) -> the special results that
//   EncodeSpec took from encode(); then the sign, except where the format has no negative zero and code is 0.
// This is the rounding of ual::fp8::encode (src/fp8/format.cpp round_magnitude) and of cuda_fp8.hpp's host path, for
// all four formats (FNUZ included: only bias, mantissa width and the special results differ). Blocks of 4 vectors
// where every lane is a normal result or zero (real tensors, almost always) take a short path; any other lane sends
// the block through the full encoder (encode_lanes), out of line.
#pragma once

#ifndef UAL_FP8_SIMD_NS
#error "define UAL_FP8_SIMD_NS before including kernel_simd.hpp"
#endif

#include <emmintrin.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "fp8/kernel_dispatch.hpp"
#include "ual/fp8.hpp"

namespace ual::fp8::detail::UAL_FP8_SIMD_NS {
namespace {

constexpr std::uint32_t kAbsMask = 0x7FFFFFFFU;
constexpr std::uint32_t kInfBits = 0x7F800000U;
// cast_transpose works on bands of kCastTransposeBandRows rows and up to kCastTransposeBandCols columns: the band's
// rows are quantized into a scratch tile (long sequential reads of the input: a row piece of 16 KiB for float),
// copied to rowwise, and the tile is transposed so that each column gets the band's 64 contiguous bytes of
// columnwise, written as one whole line. The tile's row stride is an odd number of cache lines: transposing from
// rowwise itself, whose stride is cols bytes, would put all 16 rows of a 16 x 16 block into the same L1 set
// whenever cols is a multiple of 4096 (the usual hidden sizes). Band shape measured on the CI machine (64 x 4096
// beat 64 x 1024, 128 x 2048, 256 x 1024 and narrower tiles by 10-30% at 4096 x 4096).
constexpr std::size_t kBandRows = kCastTransposeBandRows;
constexpr std::size_t kBandCols = kCastTransposeBandCols;

inline std::size_t tile_stride(std::size_t band_cols) { return ((band_cols + 63) / 64 | 1) * 64; }
static_assert(kCastTransposeScratchBytes >= kCastTransposeBandRows * ((kCastTransposeBandCols / 64 | 1) * 64));

inline std::size_t min_size(std::size_t a, std::size_t b) { return a < b ? a : b; }

template <class V>
struct EncodeConsts {
  using I = typename V::I;
  I abs_mask, inf_bits, one, zero, x80;
  I half_minus_one;   // 2^(d-1) - 1
  I rebias;           // (127 - bias) << m
  I sub_base;         // d + 128 - bias
  I thirty_one, mant_mask, implicit_bit, min_normal, max_code;
  I nan_pos, nan_neg, inf_pos, inf_neg, overflow_pos, overflow_neg;
  typename V::F scale;

  explicit EncodeConsts(const QuantizeArgs& args) {
    const EncodeSpec& s = *args.spec;
    const int drop = 23 - s.mantissa_bits;
    abs_mask = V::set1(kAbsMask);
    inf_bits = V::set1(kInfBits);
    one = V::set1(1);
    zero = V::set1(0);
    x80 = V::set1(0x80);
    half_minus_one = V::set1((1U << (drop - 1)) - 1U);
    rebias = V::set1(std::uint32_t(s.rebias));
    sub_base = V::set1(std::uint32_t(s.subnormal_shift_base));
    thirty_one = V::set1(31);
    mant_mask = V::set1(0x7FFFFFU);
    implicit_bit = V::set1(0x800000U);
    min_normal = V::set1(s.min_normal_bits);
    max_code = V::set1(std::uint32_t(s.max_code));
    nan_pos = V::set1(s.nan_pos);
    nan_neg = V::set1(s.nan_neg);
    inf_pos = V::set1(s.inf_pos);
    inf_neg = V::set1(s.inf_neg);
    overflow_pos = V::set1(s.overflow_pos);
    overflow_neg = V::set1(s.overflow_neg);
    scale = V::set1f(args.scale);
  }
};

// u: the bits of x * scale, one float per lane. Returns the fp8 code (0..255) in each 32-bit lane. Every case.
template <class V, int M, bool NegativeZero>
inline typename V::I encode_lanes(typename V::I u, const EncodeConsts<V>& k) {
  using I = typename V::I;
  constexpr int kDrop = 23 - M;
  const I a = V::and_(u, k.abs_mask);
  // Normal range (and, with a huge code, overflow / Inf / NaN).
  const I lsb = V::and_(V::template srli<kDrop>(a), k.one);
  const I code_normal = V::sub(V::template srli<kDrop>(V::add(V::add(a, k.half_minus_one), lsb)), k.rebias);
  // Subnormal range: significand >> s, rounded to nearest even. s >= 31 (also float subnormals and zero, whose
  // wrongly set implicit bit then cannot matter: significand < 2^24 < half of 2^31) rounds to 0.
  const I s = V::min_i32(V::sub(k.sub_base, V::template srli<23>(a)), k.thirty_one);
  const I sig = V::or_(V::and_(a, k.mant_mask), k.implicit_bit);
  const I q_lsb = V::and_(V::srlv(sig, s), k.one);
  const I half = V::sllv(k.one, V::sub(s, k.one));
  const I code_subnormal = V::srlv(V::add(V::add(sig, half), V::sub(q_lsb, k.one)), s);
  const I code = V::blend(code_normal, code_subnormal, V::gt(k.min_normal, a));
  I sign = V::and_(V::template srli<24>(u), k.x80);
  if constexpr (!NegativeZero) sign = V::keep(sign, V::gt(code, k.zero));
  I result = V::or_(code, sign);
  const auto special = V::gt(code_normal, k.max_code);
  if (V::any(special)) {
    const auto negative = V::gt(k.zero, u);
    result = V::blend(result, V::blend(k.overflow_pos, k.overflow_neg, negative), special);
    result = V::blend(result, V::blend(k.inf_pos, k.inf_neg, negative), V::eq(a, k.inf_bits));
    result = V::blend(result, V::blend(k.nan_pos, k.nan_neg, negative), V::gt(a, k.inf_bits));
  }
  return result;
}

// The common case only: normal results and zeros. Sets `unusual` for lanes that need encode_lanes (a nonzero value
// below the smallest normal, or a code beyond the largest finite one: overflow, Inf, NaN).
template <class V, int M, bool NegativeZero>
inline typename V::I encode_common(typename V::I u, const EncodeConsts<V>& k, typename V::M& unusual) {
  using I = typename V::I;
  constexpr int kDrop = 23 - M;
  const I a = V::and_(u, k.abs_mask);
  const I lsb = V::and_(V::template srli<kDrop>(a), k.one);
  const I code_normal = V::sub(V::template srli<kDrop>(V::add(V::add(a, k.half_minus_one), lsb)), k.rebias);
  unusual = V::mask_or(V::mask_and(V::gt(k.min_normal, a), V::gt(a, k.zero)), V::gt(code_normal, k.max_code));
  const I code = V::max_i32(code_normal, k.zero);  // zeros: the normal formula is negative there
  I sign = V::and_(V::template srli<24>(u), k.x80);
  if constexpr (!NegativeZero) sign = V::keep(sign, V::gt(code, k.zero));
  return V::or_(code, sign);
}

// amax lanes: max |x| over non-NaN x. V::max_f is the x86 (v)maxps, which returns its second operand when either
// is NaN: amax is never NaN, so a NaN |x| leaves it unchanged, as CUDA's fmaxf does.
template <class V>
inline typename V::F update_amax(typename V::F amax, typename V::F x, const EncodeConsts<V>& k) {
  return V::max_f(V::as_float(V::and_(V::bits(x), k.abs_mask)), amax);
}

struct LoadF32 {
  using T = float;
  template <class V>
  static typename V::F load(const T* p) { return V::load_f32(p); }
};
struct LoadBf16 {
  using T = bfloat16;
  template <class V>
  static typename V::F load(const T* p) { return V::load_bf16(p); }
};
struct LoadF16 {
  using T = float16;
  template <class V>
  static typename V::F load(const T* p) { return V::load_f16(p); }
};

// The full encoder for a block, out of line: keeping it apart stops the compiler from holding the common path's
// intermediate values alive for it (and spilling them) in every iteration.
template <class V, int M, bool NZ, class L>
[[gnu::noinline]] void quantize_block_unusual(const typename L::T* in, std::uint8_t* out, const EncodeConsts<V>& k) {
  constexpr std::size_t n = V::kLanes;
  V::store_codes4(out, encode_lanes<V, M, NZ>(V::bits(V::mul(L::template load<V>(in), k.scale)), k),
                  encode_lanes<V, M, NZ>(V::bits(V::mul(L::template load<V>(in + n), k.scale)), k),
                  encode_lanes<V, M, NZ>(V::bits(V::mul(L::template load<V>(in + 2 * n), k.scale)), k),
                  encode_lanes<V, M, NZ>(V::bits(V::mul(L::template load<V>(in + 3 * n), k.scale)), k));
}

// 4 vectors of input -> 4 * kLanes codes. One test for the whole block decides whether any lane needs the full
// encoder (rare in real tensors: subnormal results, overflow, Inf, NaN).
template <class V, int M, bool NZ, class L>
inline typename V::F quantize_block(const typename L::T* in, std::uint8_t* out, const EncodeConsts<V>& k,
                                    typename V::F amax) {
  constexpr std::size_t n = V::kLanes;
  const auto x0 = L::template load<V>(in);
  const auto x1 = L::template load<V>(in + n);
  const auto x2 = L::template load<V>(in + 2 * n);
  const auto x3 = L::template load<V>(in + 3 * n);
  amax = update_amax<V>(amax, x0, k);
  amax = update_amax<V>(amax, x1, k);
  amax = update_amax<V>(amax, x2, k);
  amax = update_amax<V>(amax, x3, k);
  typename V::M m0, m1, m2, m3;
  const auto c0 = encode_common<V, M, NZ>(V::bits(V::mul(x0, k.scale)), k, m0);
  const auto c1 = encode_common<V, M, NZ>(V::bits(V::mul(x1, k.scale)), k, m1);
  const auto c2 = encode_common<V, M, NZ>(V::bits(V::mul(x2, k.scale)), k, m2);
  const auto c3 = encode_common<V, M, NZ>(V::bits(V::mul(x3, k.scale)), k, m3);
  if (__builtin_expect(V::any(V::mask_or(V::mask_or(m0, m1), V::mask_or(m2, m3))), 0)) {
    quantize_block_unusual<V, M, NZ, L>(in, out, k);
  } else {
    V::store_codes4(out, c0, c1, c2, c3);
  }
  return amax;
}

// Any n: whole blocks in place; the tail through a zero-padded copy (zeros do not change amax), so the vector code
// never reads or writes outside the caller's ranges.
template <class V, int M, bool NZ, class L>
inline typename V::F quantize_span(const typename L::T* in, std::uint8_t* out, std::size_t n,
                                   const EncodeConsts<V>& k, typename V::F amax) {
  constexpr std::size_t kBlock = 4 * V::kLanes;
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) amax = quantize_block<V, M, NZ, L>(in + i, out + i, k, amax);
  if (i < n) {
    typename L::T pad_in[kBlock] = {};
    std::uint8_t pad_out[kBlock];
    __builtin_memcpy(pad_in, in + i, (n - i) * sizeof(typename L::T));
    amax = quantize_block<V, M, NZ, L>(pad_in, pad_out, k, amax);
    __builtin_memcpy(out + i, pad_out, n - i);
  }
  return amax;
}

template <class V, int M, bool NZ, class L>
std::uint32_t quantize_run_m(const typename L::T* in, std::uint8_t* out, std::size_t n, const QuantizeArgs& args) {
  const EncodeConsts<V> k(args);
  return V::hmax_u32(V::bits(quantize_span<V, M, NZ, L>(in, out, n, k, V::set1f(0.0f))));
}

template <class V, class L>
std::uint32_t quantize_run(const typename L::T* in, std::uint8_t* out, std::size_t n, const QuantizeArgs& args) {
  const bool nz = args.spec->negative_zero;
  if (args.spec->mantissa_bits == 3) {
    return nz ? quantize_run_m<V, 3, true, L>(in, out, n, args) : quantize_run_m<V, 3, false, L>(in, out, n, args);
  }
  return nz ? quantize_run_m<V, 2, true, L>(in, out, n, args) : quantize_run_m<V, 2, false, L>(in, out, n, args);
}

// 16 x 16 bytes: dst[c * ds + r] = src[r * ss + c]. Four rounds of the same perfect shuffle (unpack bytes of
// register i with register i + 8): each round rotates the 8-bit (row, column) address left by one, so after four
// the row and column halves have swapped.
inline void transpose16x16(const std::uint8_t* src, std::size_t ss, std::uint8_t* dst, std::size_t ds) {
  __m128i x[16];
  __m128i y[16];
  for (int i = 0; i < 16; ++i) x[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + std::size_t(i) * ss));
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      y[2 * i] = _mm_unpacklo_epi8(x[i], x[i + 8]);
      y[2 * i + 1] = _mm_unpackhi_epi8(x[i], x[i + 8]);
    }
    for (int i = 0; i < 16; ++i) x[i] = y[i];
  }
  for (int i = 0; i < 16; ++i) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + std::size_t(i) * ds), x[i]);
}

// 16 x 16 bytes into registers: out[c] holds column c of the block (16 rows).
inline void transpose16x16_regs(const std::uint8_t* src, std::size_t ss, __m128i out[16]) {
  __m128i x[16];
  __m128i y[16];
  for (int i = 0; i < 16; ++i) x[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + std::size_t(i) * ss));
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 8; ++i) {
      y[2 * i] = _mm_unpacklo_epi8(x[i], x[i + 8]);
      y[2 * i + 1] = _mm_unpackhi_epi8(x[i], x[i + 8]);
    }
    for (int i = 0; i < 16; ++i) x[i] = y[i];
  }
  for (int i = 0; i < 16; ++i) out[i] = x[i];
}

// dst[c * ds + r] = src[r * ss + c] for r < rows, c < cols. Full bands go 16 columns at a time: kBandRows / 16
// transposes of 16 x 16, then each column's kBandRows bytes are written together (a whole line: the cache fills it
// without waiting for the rest). The ragged edges byte by byte.
inline void transpose_band(const std::uint8_t* src, std::size_t ss, std::uint8_t* dst, std::size_t ds,
                           std::size_t rows, std::size_t cols) {
  const std::size_t full_rows = rows / 16 * 16;
  const std::size_t full_cols = cols / 16 * 16;
  if (rows == kBandRows) {
    constexpr std::size_t kQ = kBandRows / 16;
    for (std::size_t c = 0; c < full_cols; c += 16) {
      __m128i t[kQ][16];
      for (std::size_t q = 0; q < kQ; ++q) transpose16x16_regs(src + q * 16 * ss + c, ss, t[q]);
      for (std::size_t j = 0; j < 16; ++j) {
        auto* line = reinterpret_cast<__m128i*>(dst + (c + j) * ds);
        for (std::size_t q = 0; q < kQ; ++q) _mm_storeu_si128(line + q, t[q][j]);
      }
    }
  } else {
    for (std::size_t c = 0; c < full_cols; c += 16) {
      for (std::size_t r = 0; r < full_rows; r += 16) transpose16x16(src + r * ss + c, ss, dst + c * ds + r, ds);
    }
  }
  for (std::size_t c = 0; c < full_cols; ++c) {
    for (std::size_t r = full_rows; r < rows; ++r) dst[c * ds + r] = src[r * ss + c];
  }
  for (std::size_t c = full_cols; c < cols; ++c) {
    for (std::size_t r = 0; r < rows; ++r) dst[c * ds + r] = src[r * ss + c];
  }
}

// Rows [row_begin, row_end) of a rows x cols tensor, band by band (see kBandRows).
template <class V, int M, bool NZ, class L>
std::uint32_t cast_transpose_rows_m(const typename L::T* in, std::size_t rows, std::size_t cols,
                                    std::size_t row_begin, std::size_t row_end, std::uint8_t* rowwise,
                                    std::uint8_t* columnwise, std::uint8_t* scratch, const QuantizeArgs& args) {
  const EncodeConsts<V> k(args);
  auto amax = V::set1f(0.0f);
  const std::size_t stride = tile_stride(min_size(kBandCols, cols));
  for (std::size_t r0 = row_begin; r0 < row_end; r0 += kBandRows) {
    const std::size_t band_rows = min_size(kBandRows, row_end - r0);
    for (std::size_t c0 = 0; c0 < cols; c0 += kBandCols) {
      const std::size_t band_cols = min_size(kBandCols, cols - c0);
      for (std::size_t r = 0; r < band_rows; ++r) {
        std::uint8_t* tile_row = scratch + r * stride;
        amax = quantize_span<V, M, NZ, L>(in + (r0 + r) * cols + c0, tile_row, band_cols, k, amax);
        __builtin_memcpy(rowwise + (r0 + r) * cols + c0, tile_row, band_cols);
      }
      transpose_band(scratch, stride, columnwise + c0 * rows + r0, rows, band_rows, band_cols);
    }
  }
  return V::hmax_u32(V::bits(amax));
}

template <class V, class L>
std::uint32_t cast_transpose_rows(const typename L::T* in, std::size_t rows, std::size_t cols, std::size_t row_begin,
                                  std::size_t row_end, std::uint8_t* rowwise, std::uint8_t* columnwise,
                                  std::uint8_t* scratch, const QuantizeArgs& args) {
  const bool nz = args.spec->negative_zero;
  if (args.spec->mantissa_bits == 3) {
    return nz ? cast_transpose_rows_m<V, 3, true, L>(in, rows, cols, row_begin, row_end, rowwise, columnwise,
                                                     scratch, args)
              : cast_transpose_rows_m<V, 3, false, L>(in, rows, cols, row_begin, row_end, rowwise, columnwise,
                                                      scratch, args);
  }
  return nz ? cast_transpose_rows_m<V, 2, true, L>(in, rows, cols, row_begin, row_end, rowwise, columnwise, scratch,
                                                   args)
            : cast_transpose_rows_m<V, 2, false, L>(in, rows, cols, row_begin, row_end, rowwise, columnwise,
                                                    scratch, args);
}

template <class V>
struct DecodeConsts {
  using I = typename V::I;
  I mag_mask, sign_mask, rebias_bits, implicit_limit, special_mag_floor, special_byte, abs_mask, inf_bits, one,
      round_bias;
  typename V::F unit, scale_inv;
  const float* table;

  explicit DecodeConsts(const DequantizeArgs& args) {
    const DecodeSpec& s = *args.spec;
    mag_mask = V::set1(0x7F);
    sign_mask = V::set1(0x80);
    rebias_bits = V::set1(s.rebias_bits);
    implicit_limit = V::set1(1U << s.mantissa_bits);
    special_mag_floor = V::set1(std::uint32_t(s.special_magnitude_min - 1));
    special_byte = V::set1(std::uint32_t(s.special_byte));
    abs_mask = V::set1(kAbsMask);
    inf_bits = V::set1(kInfBits);
    one = V::set1(1);
    round_bias = V::set1(0x7FFF);
    unit = V::set1f(s.subnormal_unit);
    scale_inv = V::set1f(args.scale_inv);
    table = s.table;
  }
};

// b: one code per 32-bit lane. decode(b) * scale_inv: normals by re-biasing the exponent field in place,
// subnormals as an exact integer-to-float conversion times the (normal, power-of-two) step, special codes from
// the table of decode() itself.
template <class V, int M>
inline typename V::F decode_lanes(typename V::I b, const DecodeConsts<V>& k) {
  using I = typename V::I;
  const I mag = V::and_(b, k.mag_mask);
  const I sign = V::template slli<24>(V::and_(b, k.sign_mask));
  const I normal = V::add(V::template slli<23 - M>(mag), k.rebias_bits);
  const I subnormal = V::bits(V::mul(V::cvt_i32(mag), k.unit));
  auto value = V::as_float(V::or_(V::blend(normal, subnormal, V::gt(k.implicit_limit, mag)), sign));
  const auto special = V::mask_or(V::gt(mag, k.special_mag_floor), V::eq(b, k.special_byte));
  if (V::any(special)) value = V::gather(k.table, b, special, value);
  return V::mul(value, k.scale_inv);
}

template <class V, int M>
inline void dequantize_block_f32(const std::uint8_t* in, float* out, const DecodeConsts<V>& k) {
  constexpr std::size_t n = V::kLanes;
  for (std::size_t j = 0; j < 4; ++j) V::store_f32(out + j * n, decode_lanes<V, M>(V::load_u8(in + j * n), k));
}

// float -> bfloat16 per lane, round to nearest even; NaN lanes are left to the caller.
template <class V>
inline typename V::I round_to_bf16(typename V::F y, const DecodeConsts<V>& k) {
  const auto u = V::bits(y);
  return V::template srli<16>(V::add(V::add(u, k.round_bias), V::and_(V::template srli<16>(u), k.one)));
}

template <class V, int M>
inline void dequantize_block_bf16(const std::uint8_t* in, bfloat16* out, const DecodeConsts<V>& k) {
  constexpr std::size_t n = V::kLanes;
  typename V::F y[4];
  bool any_nan = false;
  for (std::size_t j = 0; j < 4; ++j) {
    y[j] = decode_lanes<V, M>(V::load_u8(in + j * n), k);
    any_nan = any_nan || V::any(V::gt(V::and_(V::bits(y[j]), k.abs_mask), k.inf_bits));
  }
  if (any_nan) {
    // Rare: let to_bfloat16 decide what a NaN becomes.
    float values[4 * n];
    for (std::size_t j = 0; j < 4; ++j) V::store_f32(values + j * n, y[j]);
    for (std::size_t j = 0; j < 4 * n; ++j) out[j] = to_bfloat16(values[j]);
    return;
  }
  V::store_u16x2(out, round_to_bf16<V>(y[0], k), round_to_bf16<V>(y[1], k));
  V::store_u16x2(out + 2 * n, round_to_bf16<V>(y[2], k), round_to_bf16<V>(y[3], k));
}

// Whole blocks, then the tail through a zero-padded block, for float or bfloat16 output.
template <class V, int M, class Out>
void dequantize_m(const std::uint8_t* in, Out* out, std::size_t n, const DequantizeArgs& args) {
  constexpr std::size_t kBlock = 4 * V::kLanes;
  const DecodeConsts<V> k(args);
  const auto block = [&k](const std::uint8_t* block_in, Out* block_out) {
    if constexpr (std::is_same_v<Out, float>) dequantize_block_f32<V, M>(block_in, block_out, k);
    else dequantize_block_bf16<V, M>(block_in, block_out, k);
  };
  std::size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) block(in + i, out + i);
  if (i < n) {
    std::uint8_t pad_in[kBlock] = {};
    Out pad_out[kBlock];
    __builtin_memcpy(pad_in, in + i, n - i);
    block(pad_in, pad_out);
    __builtin_memcpy(out + i, pad_out, (n - i) * sizeof(Out));
  }
}

template <class V, class Out>
void dequantize_any(const std::uint8_t* in, Out* out, std::size_t n, const DequantizeArgs& args) {
  if (args.spec->mantissa_bits == 3) dequantize_m<V, 3>(in, out, n, args);
  else dequantize_m<V, 2>(in, out, n, args);
}

template <class V>
KernelSet make_kernel_set(const char* name) {
  KernelSet set;
  set.name = name;
  set.needs_scratch = true;
  set.quantize_f32 = &quantize_run<V, LoadF32>;
  set.quantize_bf16 = &quantize_run<V, LoadBf16>;
  set.quantize_f16 = &quantize_run<V, LoadF16>;
  set.dequantize_f32 = &dequantize_any<V, float>;
  set.dequantize_bf16 = &dequantize_any<V, bfloat16>;
  set.cast_transpose_f32 = &cast_transpose_rows<V, LoadF32>;
  set.cast_transpose_bf16 = &cast_transpose_rows<V, LoadBf16>;
  set.cast_transpose_f16 = &cast_transpose_rows<V, LoadF16>;
  return set;
}

}  // namespace
}  // namespace ual::fp8::detail::UAL_FP8_SIMD_NS
