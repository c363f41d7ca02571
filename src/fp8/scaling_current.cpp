// Current (per-tensor) scaling with Transformer Engine's semantics (github.com/NVIDIA/TransformerEngine):
// - recipe: transformer_engine/common/recipe/__init__.py Float8CurrentScaling, QParams(power_2_scale, amax_epsilon);
// - amax: transformer_engine/common/recipe/current_scaling.cu amax_kernel (fmaxf(fabsf(x), max) from 0);
// - scale: transformer_engine/common/recipe/recipe_common.cuh compute_scale_from_amax, called by
//   current_scaling.cu compute_scale_from_amax_kernel with value_for_inf = std::numeric_limits<float>::max();
// - cast: x * scale converted with __NV_SATFINITE, scale_inv = reciprocal(scale) (the per-tensor cast kernels).
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ual/fp8_scaling.hpp"

namespace ual::fp8 {

float compute_scale_from_amax(float amax, float fp8_max, bool force_pow_2_scales, float epsilon,
                              float value_for_inf) noexcept {
  // "NOTE: NAN amax evaluates false for <, handled further down."
  if (amax < epsilon) amax = epsilon;
  float scale = 1.0f;
  if (std::isinf(amax) || amax == 0.0f || std::isnan(amax)) return scale;
  // __fdiv_rn(max_fp8, amax): IEEE division, round to nearest even.
  scale = fp8_max / amax;
  // "The amax is too small that the scale becoming infinite in FP32 ... use fp32 max to represent the scale".
  if (std::isinf(scale)) scale = value_for_inf;
  if (force_pow_2_scales) {
    // scale_bits &= 0xFF800000: keep sign and exponent, i.e. round a normal scale down to a power of two.
    scale = std::bit_cast<float>(std::bit_cast<std::uint32_t>(scale) & 0xFF800000U);
  }
  return scale;
}

float compute_scale(float amax, Format format, const CurrentScaling& options) noexcept {
  return compute_scale_from_amax(amax, format_info(format).max, options.power_2_scale, options.amax_epsilon,
                                 std::numeric_limits<float>::max());
}

Result<QuantizedTensor> quantize_current_scaling(const InputMatrix& input, Format format,
                                                 const CurrentScaling& options) {
  if (!(options.amax_epsilon >= 0.0f) || std::isinf(options.amax_epsilon)) {
    return make_error(ErrorCode::invalid_argument, "CurrentScaling.amax_epsilon must be finite and >= 0, got " +
                                                       std::to_string(options.amax_epsilon));
  }
  if (auto status = check_input(input); !status.ok()) return status.error();
  if (format != Format::e4m3 && format != Format::e5m2 && format != Format::e4m3fnuz &&
      format != Format::e5m2fnuz) {
    return make_error(ErrorCode::invalid_argument, "format: unknown FP8 format " + std::to_string(int(format)));
  }
  const float scale = compute_scale(tensor_amax(input), format, options);
  return quantize_per_tensor(input, scale, format);
}

}  // namespace ual::fp8
