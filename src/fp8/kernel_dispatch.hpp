// Private interface between the FP8 bulk kernels' front end (kernels.cpp: checks, threads, dispatch) and their
// per-ISA implementations (kernels_scalar.cpp, kernels_avx2.cpp, kernels_avx512.cpp).
//
// The ISA files are compiled with -mavx2 / -mavx512*; anything they define with external linkage could be picked
// by the linker for the whole program (an out-of-line inline function or template instantiation in COMDAT), so they
// export only the one accessor below and keep everything else in a namespace of their own (see kernel_simd.hpp).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ual/fp8.hpp"

namespace ual::fp8::detail {

// What the vector encoders need for one (format, overflow). The rounding parameters come from the format's
// definition (format_info); every special result (NaN, ±Inf, overflow, negative zero) is taken from encode() itself
// when the spec is built, so the vector paths cannot disagree with the scalar contract on them.
struct EncodeSpec {
  std::int32_t mantissa_bits = 0;        // 3 (E4M3) or 2 (E5M2)
  std::int32_t rebias = 0;               // (127 - bias) << mantissa_bits: float code -> fp8 code for normals
  std::int32_t subnormal_shift_base = 0; // (23 - mantissa_bits) + (128 - bias): significand >> (base - exponent)
  std::uint32_t min_normal_bits = 0;     // float bits of the format's smallest normal
  std::int32_t max_code = 0;             // 7-bit magnitude code of the largest finite value
  bool negative_zero = true;             // false (FNUZ): a result of magnitude 0 is +0 whatever the sign
  std::uint8_t nan_pos = 0, nan_neg = 0;            // encode(±NaN)
  std::uint8_t inf_pos = 0, inf_neg = 0;            // encode(±Inf)
  std::uint8_t overflow_pos = 0, overflow_neg = 0;  // encode(±FLT_MAX): finite values rounding beyond max
};

// What the vector decoders need for one format: an arithmetic decode for ordinary codes and a table for the codes
// where that arithmetic differs from decode() (NaN, Inf, FNUZ's 0x80), found by comparing all 256 codes.
struct DecodeSpec {
  std::int32_t mantissa_bits = 0;
  std::uint32_t rebias_bits = 0;        // (127 - bias) << 23
  float subnormal_unit = 0.0f;          // 2^(1 - bias - mantissa_bits): value of code 1
  std::int32_t special_magnitude_min = 128;  // codes with (code & 0x7F) >= this are looked up in table
  std::int32_t special_byte = 256;           // and this code too (256: none)
  alignas(64) float table[256] = {};    // decode(code) for every code
};

struct QuantizeArgs {
  const EncodeSpec* spec = nullptr;
  float scale = 1.0f;
  Format format = Format::e4m3;
  Overflow overflow = Overflow::saturate;
};

struct DequantizeArgs {
  const DecodeSpec* spec = nullptr;
  float scale_inv = 1.0f;
  Format format = Format::e4m3;
};

// One contiguous run of n elements (any alignment, any n). Quantizers return the float bits of max |in[i]| over
// the non-NaN elements (0 if none), a non-negative float, so runs combine with an unsigned integer max.
using QuantizeF32Fn = std::uint32_t (*)(const float* in, std::uint8_t* out, std::size_t n, const QuantizeArgs& args);
using QuantizeBf16Fn = std::uint32_t (*)(const bfloat16* in, std::uint8_t* out, std::size_t n,
                                         const QuantizeArgs& args);
using QuantizeF16Fn = std::uint32_t (*)(const float16* in, std::uint8_t* out, std::size_t n,
                                        const QuantizeArgs& args);
using DequantizeF32Fn = void (*)(const std::uint8_t* in, float* out, std::size_t n, const DequantizeArgs& args);
using DequantizeBf16Fn = void (*)(const std::uint8_t* in, bfloat16* out, std::size_t n, const DequantizeArgs& args);
// cast_transpose's vector kernels work in bands of this many rows (so threads split rows at multiples of it) and
// up to this many columns, through a scratch tile of kCastTransposeScratchBytes that the caller provides (too big
// for the stack of every thread that might call).
constexpr std::size_t kCastTransposeBandRows = 64;
constexpr std::size_t kCastTransposeBandCols = 4096;
constexpr std::size_t kCastTransposeScratchBytes = kCastTransposeBandRows * (kCastTransposeBandCols + 64);

// Rows [row_begin, row_end) of a rows x cols row-major input: rowwise[r * cols + c] and columnwise[c * rows + r]
// for those rows, all columns. Returns the amax bits of those rows, as the quantizers do. scratch: at least
// kCastTransposeScratchBytes, for this call only (the scalar set takes nullptr).
template <class T>
using CastTransposeFn = std::uint32_t (*)(const T* in, std::size_t rows, std::size_t cols, std::size_t row_begin,
                                          std::size_t row_end, std::uint8_t* rowwise, std::uint8_t* columnwise,
                                          std::uint8_t* scratch, const QuantizeArgs& args);

struct KernelSet {
  const char* name = "";
  bool needs_scratch = false;  // cast_transpose needs a scratch tile
  QuantizeF32Fn quantize_f32 = nullptr;
  QuantizeBf16Fn quantize_bf16 = nullptr;
  QuantizeF16Fn quantize_f16 = nullptr;
  DequantizeF32Fn dequantize_f32 = nullptr;
  DequantizeBf16Fn dequantize_bf16 = nullptr;
  CastTransposeFn<float> cast_transpose_f32 = nullptr;
  CastTransposeFn<bfloat16> cast_transpose_bf16 = nullptr;
  CastTransposeFn<float16> cast_transpose_f16 = nullptr;
};

// Call the vector sets only where the CPU has the ISA (ual::fp8::isa_supported).
const KernelSet& scalar_kernel_set() noexcept;
const KernelSet& avx2_kernel_set() noexcept;
const KernelSet& avx512_kernel_set() noexcept;

// Built once per (format, overflow) / format, thread-safely, from encode() / decode().
const EncodeSpec& encode_spec(Format format, Overflow overflow) noexcept;
const DecodeSpec& decode_spec(Format format) noexcept;

}  // namespace ual::fp8::detail
