// Block scaling with Transformer Engine's semantics (github.com/NVIDIA/TransformerEngine).
//
// MXFP8 (transformer_engine/common/recipe/__init__.py MXFP8BlockScaling; common/cast/mxfp8/quantize_mxfp8.cuh,
// helpers in common/util/ptx.cuh and common/utils.cuh):
// - blocks of SCALE_DIM_X = 32 consecutive elements of a row (rowwise) or SCALE_DIM_Y = 32 of a column (colwise);
// - block amax = fmaxf(fabsf(x)) from 0 (NaN skipped; the BF16/FP16 path uses __hmax, which also skips NaN);
// - biased_exponent = ptx::float_to_e8m0(block_amax * Quantized_Limits<OType>::max_norm_rcp), max_norm_rcp =
//   1.0 / max_norm: round up to a power of two, NaN -> 0xFF, Inf and values above 2^127 -> 0xFE, values up to 2^-127
//   (zero included) -> 0x00; the same as __nv_cvt_float_to_e8m0(x, __NV_SATFINITE, cudaRoundPosInf), which is
//   ual::fp8::encode_e8m0(x, E8m0Rounding::up) and what Blackwell's cvt.rp.satfinite.ue8m0x2.f32 does;
// - element = static_cast<OType>(x * ptx::exp2f_rcp<float>(biased_exponent)), exp2f_rcp(e) = 2^(127 - e);
// - shapes: TE's MXFP8Quantizer.is_quantizable (pytorch/tensor/mxfp8_tensor.py) requires the last dimension and the
//   product of the others to be multiples of 32 (MXFP8_BLOCK_SCALING_SIZE); anything else is an error here.
//
// FP8 block scaling (recipe/__init__.py Float8BlockScaling, QParams; common/transpose/
// quantize_transpose_vector_blockwise.cu for 1x128 and 128x1, quantize_transpose_square_blockwise.cu for 128x128):
// - tile amax = fmaxf(fabsf(x)) over the tile; partial tiles at the edges are zero-filled by TE's not-aligned
//   kernels, so they are allowed and only their real elements count;
// - scale = compute_scale_from_types<IType, OType>(amax, epsilon, pow_2_scaling) (recipe/recipe_common.cuh):
//   compute_scale_from_amax with value_for_inf = the input type's largest finite value (FP32 FLT_MAX, BF16
//   0x1.FEp127, FP16 65504);
// - scale_inv = 1.0 / scale (the 1D kernel divides in double, the 2D one in float: the same float result, since a
//   correctly rounded double quotient rounds to the correctly rounded float quotient);
// - element = static_cast<OType>(float(x) * scale).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "ual/fp8_scaling.hpp"
#include "fp8/cuda_fmaxf.hpp"

namespace ual::fp8 {
namespace {

Status check_common(const InputMatrix& input, Format format) {
  if (auto status = check_input(input); !status.ok()) return status;
  if (format != Format::e4m3 && format != Format::e5m2 && format != Format::e4m3fnuz &&
      format != Format::e5m2fnuz) {
    return make_error(ErrorCode::invalid_argument, "format: unknown FP8 format " + std::to_string(int(format)));
  }
  return ok_status();
}

bool is_known(BlockDirection direction) {
  return direction == BlockDirection::rowwise || direction == BlockDirection::columnwise;
}

Error bad_direction(BlockDirection direction) {
  return make_error(ErrorCode::invalid_argument, "direction: unknown block direction " +
                                                     std::to_string(int(direction)) +
                                                     " (expected rowwise or columnwise)");
}

// TypeInfo<IType>::max_finite_value (common/common.h; the same constants as transpose/compute_scale.cuh).
float value_for_inf(const InputMatrix& input) {
  switch (input.values.index()) {
    case 1: return 0x1.FEp127f;  // BF16
    case 2: return 0x1.FFCp15f;  // FP16: 65504
    default: return std::numeric_limits<float>::max();
  }
}

// One pass over the tiles of a tile_rows x tile_cols grid: amax, scale, scale_inv, data.
QuantizedTensor quantize_tiles(const InputMatrix& input, Format format, const BlockScaling& options,
                               std::size_t tile_rows, std::size_t tile_cols, Layout layout, bool double_rcp) {
  QuantizedTensor out;
  out.format = format;
  out.layout = layout;
  out.rows = input.rows;
  out.cols = input.cols;
  out.data.resize(input.size());
  const ScaleShape grid = scale_shape(layout, input.rows, input.cols);
  out.scale_inv.resize(grid.rows * grid.cols);
  const float fp8_max = format_info(format).max;
  const float inf_value = value_for_inf(input);
  float tensor_amax = 0.0f;
  for (std::size_t tr = 0; tr < grid.rows; ++tr) {
    for (std::size_t tc = 0; tc < grid.cols; ++tc) {
      const std::size_t r0 = tr * tile_rows, r1 = std::min(input.rows, r0 + tile_rows);
      const std::size_t c0 = tc * tile_cols, c1 = std::min(input.cols, c0 + tile_cols);
      float amax = 0.0f;
      for (std::size_t r = r0; r < r1; ++r) {
        for (std::size_t c = c0; c < c1; ++c) amax = detail::cuda_fmaxf(amax, std::fabs(input.at(r * input.cols + c)));
      }
      tensor_amax = detail::cuda_fmaxf(tensor_amax, amax);
      const float scale =
          compute_scale_from_amax(amax, fp8_max, options.power_2_scale, options.amax_epsilon, inf_value);
      out.scale_inv[tr * grid.cols + tc] =
          double_rcp ? static_cast<float>(1.0 / static_cast<double>(scale)) : 1.0f / scale;
      for (std::size_t r = r0; r < r1; ++r) {
        for (std::size_t c = c0; c < c1; ++c) {
          const std::size_t i = r * input.cols + c;
          out.data[i] = encode(input.at(i) * scale, format, Overflow::saturate);
        }
      }
    }
  }
  out.amax = tensor_amax;
  return out;
}

Status check_block_options(const BlockScaling& options) {
  if (!(options.amax_epsilon >= 0.0f) || std::isinf(options.amax_epsilon)) {
    return make_error(ErrorCode::invalid_argument, "BlockScaling.amax_epsilon must be finite and >= 0, got " +
                                                       std::to_string(options.amax_epsilon));
  }
  return ok_status();
}

}  // namespace

std::uint8_t mxfp8_scale_code(float block_amax, Format format) noexcept {
  const auto max_norm_rcp = static_cast<float>(1.0 / static_cast<double>(format_info(format).max));
  return encode_e8m0(block_amax * max_norm_rcp, E8m0Rounding::up);
}

// ptx::exp2f_rcp<float>(e) = 2^(127 - e) for every code below 0xFF (0x00 -> 2^127, 0xFE -> 2^-127, a subnormal).
// Older TE releases returned 1 for code 0 and, in the bit-shift variant, 0 for code 0xFE; those codes only occur
// for blocks whose amax is at most 448 * 2^-127 or is Inf, and ual keeps the exact power of two.
float mxfp8_quantize_multiplier(std::uint8_t code) noexcept {
  if (code == 0xFF) return std::numeric_limits<float>::quiet_NaN();
  return std::ldexp(1.0f, 127 - int(code));
}

Result<QuantizedTensor> quantize_mxfp8(const InputMatrix& input, Format format, BlockDirection direction) {
  if (auto status = check_common(input, format); !status.ok()) return status.error();
  if (!is_known(direction)) return bad_direction(direction);
  for (const auto& [name, dim] : {std::pair{"rows", input.rows}, std::pair{"cols", input.cols}}) {
    if (dim % 32 != 0) {
      return make_error(ErrorCode::invalid_argument,
                        std::string("MXFP8 needs both dimensions to be multiples of 32 (the block size); ") + name +
                            " = " + std::to_string(dim) + " is not (input shape " + std::to_string(input.rows) +
                            " x " + std::to_string(input.cols) + ")");
    }
  }
  const bool rowwise = direction == BlockDirection::rowwise;
  QuantizedTensor out;
  out.format = format;
  out.layout = rowwise ? Layout::mxfp8_rowwise : Layout::mxfp8_columnwise;
  out.rows = input.rows;
  out.cols = input.cols;
  out.data.resize(input.size());
  const ScaleShape grid = scale_shape(out.layout, input.rows, input.cols);
  out.scale_e8m0.resize(grid.rows * grid.cols);
  // Element k of block (br, bc): rowwise blocks run along a row, columnwise blocks down a column.
  const auto index = [&](std::size_t br, std::size_t bc, std::size_t k) {
    return rowwise ? br * input.cols + bc * 32 + k : (br * 32 + k) * input.cols + bc;
  };
  float tensor_amax = 0.0f;
  for (std::size_t br = 0; br < grid.rows; ++br) {
    for (std::size_t bc = 0; bc < grid.cols; ++bc) {
      float amax = 0.0f;
      for (std::size_t k = 0; k < 32; ++k) amax = detail::cuda_fmaxf(amax, std::fabs(input.at(index(br, bc, k))));
      tensor_amax = detail::cuda_fmaxf(tensor_amax, amax);
      const std::uint8_t code = mxfp8_scale_code(amax, format);
      out.scale_e8m0[br * grid.cols + bc] = code;
      const float multiplier = mxfp8_quantize_multiplier(code);
      for (std::size_t k = 0; k < 32; ++k) {
        const std::size_t i = index(br, bc, k);
        out.data[i] = encode(input.at(i) * multiplier, format, Overflow::saturate);
      }
    }
  }
  out.amax = tensor_amax;
  return out;
}

Result<QuantizedTensor> quantize_block_1x128(const InputMatrix& input, Format format, const BlockScaling& options,
                                             BlockDirection direction) {
  if (auto status = check_common(input, format); !status.ok()) return status.error();
  if (auto status = check_block_options(options); !status.ok()) return status.error();
  if (!is_known(direction)) return bad_direction(direction);
  if (direction == BlockDirection::rowwise) {
    return quantize_tiles(input, format, options, 1, 128, Layout::block_1x128, true);
  }
  return quantize_tiles(input, format, options, 128, 1, Layout::block_128x1, true);
}

Result<QuantizedTensor> quantize_block_128x128(const InputMatrix& input, Format format,
                                               const BlockScaling& options) {
  if (auto status = check_common(input, format); !status.ok()) return status.error();
  if (auto status = check_block_options(options); !status.ok()) return status.error();
  return quantize_tiles(input, format, options, 128, 128, Layout::block_128x128, false);
}

}  // namespace ual::fp8
