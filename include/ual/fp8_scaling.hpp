// FP8 scaling recipes with NVIDIA Transformer Engine's semantics (TE, github.com/NVIDIA/TransformerEngine): delayed
// scaling, current (per-tensor) scaling, MXFP8 (32-element blocks, E8M0 scales) and 1x128 / 128x128 block scaling
// with FP32 scales, plus a quantized tensor type that carries data, scales, amax, format and layout.
//
// Every rule below names the TE file it comes from; docs/FP8-SCALING.md has the full list with the edge cases.
// Scales follow TE's convention: quantized = fp8(x * scale), dequantized = fp8_value * scale_inv.
// Element conversion is ual::fp8::encode(..., Overflow::saturate), as TE's static_cast<fp8e4m3/fp8e5m2>(float)
// (cuda_fp8.h __NV_SATFINITE). Errors are values whose message names the bad input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "ual/export.hpp"
#include "ual/fp8.hpp"
#include "ual/result.hpp"

namespace ual::fp8 {

// transformer_engine/common/recipe/__init__.py class Format: E4M3 = every tensor E4M3; HYBRID = forward tensors
// (activations, weights) E4M3, backward tensors (gradients) E5M2. Pure E5M2 is refused by TE ("Pure E5M2 training
// is not supported"), so it is not offered here.
enum class RecipeFormat { e4m3, hybrid };
enum class TensorRole { forward, backward };
UAL_API Format format_for(RecipeFormat recipe, TensorRole role) noexcept;

// ---------------------------------------------------------------------------------------------------------------
// Delayed scaling (recipe/__init__.py DelayedScaling; recipe/delayed_scaling.cu amax_and_scale_update kernels).
struct DelayedScaling {
  enum class AmaxCompute { max, most_recent };
  int margin = 0;                                // scale = fp8_max * 2^-margin / amax
  RecipeFormat format = RecipeFormat::hybrid;
  std::size_t amax_history_len = 1024;           // 1 .. 1048576 (the upper bound is ual's, against runaway sizes)
  AmaxCompute amax_compute = AmaxCompute::max;
  // TE PyTorch's default update is the fused kernel_bulk (delayed_scaling.cu, used by
  // tex.fused_amax_and_scale_update_after_reduction): when the new amax is 0 the history does not roll and the scale
  // is kept. false = the single-tensor kernel (nvte_delayed_scaling_recipe_amax_and_scale_update), which always rolls.
  bool skip_update_on_zero_amax = true;
};

// The state of one tensor's delayed scaling: amax history (a ring, read in TE's order), scale and scale_inv.
// TE's history layout: slot 0 collects the current step's amax; update() computes the amax to use from the whole
// window, rolls it (torch.roll(-1): slot 0 becomes the newest completed entry at the end) and zeroes slot 0.
class UAL_API DelayedScalingState {
 public:
  static Result<DelayedScalingState> create(const DelayedScaling& recipe, TensorRole role);
  // With an explicit format (any ual Format, e.g. FNUZ on AMD; fp8_max is format_info(format).max).
  static Result<DelayedScalingState> create(const DelayedScaling& recipe, Format format);

  // Merges an observed amax into slot 0 like the cast kernels' atomicMaxFloat (common/utils.cuh): the larger value
  // wins, NaN and negative values are ignored.
  void record_amax(float amax) noexcept;
  // Overwrites slot 0, as the reduced amax buffer does after an amax all-reduce (NaN/Inf are kept as given).
  void set_amax(float amax) noexcept;
  // One amax_and_scale_update step (see DelayedScaling::skip_update_on_zero_amax).
  void update() noexcept;

  float scale() const noexcept { return scale_; }
  float scale_inv() const noexcept { return scale_inv_; }
  Format format() const noexcept { return format_; }
  float used_amax() const noexcept { return used_amax_; }  // the amax the last update() used (0 before any)
  std::size_t history_length() const noexcept { return ring_.size(); }
  float history(std::size_t slot) const noexcept;  // TE order: slot 0 = current step; out of range -> NaN
  std::vector<float> amax_history() const;         // all slots, TE order

 private:
  DelayedScalingState(const DelayedScaling& recipe, Format format, float scaled_max);
  DelayedScaling recipe_;
  Format format_;
  float scaled_max_;           // fp8_max * 2^-margin, computed once in float as TE does
  std::vector<float> ring_;
  std::size_t head_ = 0;       // physical index of TE slot 0
  float scale_ = 1.0f;         // TE initialises scale and scale_inv to 1
  float scale_inv_ = 1.0f;
  float used_amax_ = 0.0f;
};

// ---------------------------------------------------------------------------------------------------------------
// Current scaling (recipe/__init__.py Float8CurrentScaling / QParams; recipe/current_scaling.cu,
// recipe/recipe_common.cuh compute_scale_from_amax).
struct CurrentScaling {
  float amax_epsilon = 0.0f;  // amax floor
  bool power_2_scale = false; // round the scale down to a power of two
};

// recipe_common.cuh compute_scale_from_amax, rule for rule: amax < epsilon -> epsilon; amax 0, Inf or NaN -> 1;
// scale = fp8_max / amax (round to nearest); an infinite scale -> value_for_inf; power of two: keep sign and exponent
// bits (& 0xFF800000), i.e. round down.
UAL_API float compute_scale_from_amax(float amax, float fp8_max, bool force_pow_2_scales, float epsilon,
                                      float value_for_inf) noexcept;
// Per-tensor current scaling: compute_scale_from_amax with fp8_max of `format` and value_for_inf = FLT_MAX
// (current_scaling.cu compute_scale_from_amax_kernel).
UAL_API float compute_scale(float amax, Format format, const CurrentScaling& options) noexcept;

// ---------------------------------------------------------------------------------------------------------------
// Tensors.

// A row-major rows x cols high-precision input: FP32, BF16 or FP16 (ual::fp8::bfloat16 / float16 raw bits).
struct InputMatrix {
  std::variant<std::span<const float>, std::span<const bfloat16>, std::span<const float16>> values;
  std::size_t rows = 0;
  std::size_t cols = 0;

  std::size_t size() const noexcept {
    return std::visit([](const auto& span) { return span.size(); }, values);
  }
  // Element i widened exactly to float (i < size()).
  float at(std::size_t i) const noexcept {
    if (const auto* f = std::get_if<std::span<const float>>(&values)) return (*f)[i];
    if (const auto* b = std::get_if<std::span<const bfloat16>>(&values)) return to_float((*b)[i]);
    return to_float((*std::get_if<std::span<const float16>>(&values))[i]);
  }
};
// An error unless values.size() == rows * cols (without overflow).
UAL_API Status check_input(const InputMatrix& input);
// TE's amax: fmaxf(|x|) from 0, so NaN elements are ignored and Inf counts (current_scaling.cu amax_kernel).
UAL_API float tensor_amax(const InputMatrix& input) noexcept;

enum class BlockDirection { rowwise, columnwise };

// How the scales of a QuantizedTensor map onto its data. The data is always rows x cols, row-major, never transposed
// (TE's MXFP8 columnwise data has the input's shape too; for 1D block scaling this is TE's COLUMNWISE_COMPACT).
enum class Layout {
  per_tensor,        // scale_inv: 1 value
  mxfp8_rowwise,     // scale_e8m0: rows x cols/32, one per 1x32 block
  mxfp8_columnwise,  // scale_e8m0: rows/32 x cols, one per 32x1 block
  block_1x128,       // scale_inv: rows x ceil(cols/128)
  block_128x1,       // scale_inv: ceil(rows/128) x cols
  block_128x128,     // scale_inv: ceil(rows/128) x ceil(cols/128)
};
UAL_API const char* to_string(Layout layout) noexcept;

struct ScaleShape {
  std::size_t rows = 0;
  std::size_t cols = 0;
};
// The compact (unpadded) scale grid of a layout. TE pads its scale tensors for cuBLAS (MXFP8: rows to 128 and
// blocks to 4); ual stores only the meaningful entries, row-major.
UAL_API ScaleShape scale_shape(Layout layout, std::size_t rows, std::size_t cols) noexcept;

struct QuantizedTensor {
  std::vector<std::uint8_t> data;        // rows * cols FP8 codes
  std::vector<float> scale_inv;          // per_tensor and block_* layouts
  std::vector<std::uint8_t> scale_e8m0;  // mxfp8_* layouts: biased exponents, value 2^(code - 127)
  float amax = 0.0f;                     // tensor_amax of the input
  Format format = Format::e4m3;
  Layout layout = Layout::per_tensor;
  std::size_t rows = 0;
  std::size_t cols = 0;
};

// data = encode(x * scale), scale_inv = 1 / scale; scale must be finite and > 0.
UAL_API Result<QuantizedTensor> quantize_per_tensor(const InputMatrix& input, float scale, Format format);
// Current scaling in one call: amax, compute_scale, quantize_per_tensor.
UAL_API Result<QuantizedTensor> quantize_current_scaling(const InputMatrix& input, Format format,
                                                         const CurrentScaling& options = {});
// Delayed scaling: quantize with the state's current scale and record the input's amax into it (as TE's cast
// kernels write amax into amax_history[0]); call state.update() once per step.
UAL_API Result<QuantizedTensor> quantize_delayed(const InputMatrix& input, DelayedScalingState& state);

// MXFP8 (recipe/__init__.py MXFP8BlockScaling; cast/mxfp8/quantize_mxfp8.cuh): blocks of 32 along rows (1x32) or
// columns (32x1); both dimensions must be multiples of 32 (TE's MXFP8Quantizer.is_quantizable).
UAL_API Result<QuantizedTensor> quantize_mxfp8(const InputMatrix& input, Format format, BlockDirection direction);

// FP8 block scaling (recipe/__init__.py Float8BlockScaling; transpose/quantize_transpose_vector_blockwise.cu and
// quantize_transpose_square_blockwise.cu). TE's recipe defaults to power-of-two scales. Partial blocks at the edges
// are allowed: TE zero-fills them, so only the real elements set the amax.
struct BlockScaling {
  float amax_epsilon = 0.0f;
  bool power_2_scale = true;
};
UAL_API Result<QuantizedTensor> quantize_block_1x128(const InputMatrix& input, Format format,
                                                     const BlockScaling& options = {},
                                                     BlockDirection direction = BlockDirection::rowwise);
UAL_API Result<QuantizedTensor> quantize_block_128x128(const InputMatrix& input, Format format,
                                                       const BlockScaling& options = {});

// decode(code) * scale for every element, as TE's dequantize kernels (cast/fp8/dequantize_fp8.cuh,
// cast/mxfp8/dequantize_mxfp8.cuh). An error when the tensor's vectors do not fit its layout and shape.
UAL_API Result<std::vector<float>> dequantize(const QuantizedTensor& tensor);

// MXFP8 helpers (cast/mxfp8/quantize_mxfp8.cuh with util/ptx.cuh): the block's E8M0 code is
// float_to_e8m0(amax * max_norm_rcp) rounded up (= encode_e8m0(..., up)), and elements are multiplied by
// exp2f_rcp(code) = 2^(127 - code) before the FP8 conversion.
UAL_API std::uint8_t mxfp8_scale_code(float block_amax, Format format) noexcept;
UAL_API float mxfp8_quantize_multiplier(std::uint8_t code) noexcept;  // 2^(127 - code); NaN for 0xFF

}  // namespace ual::fp8
