// Delayed scaling with Transformer Engine's semantics (github.com/NVIDIA/TransformerEngine):
// - recipe: transformer_engine/common/recipe/__init__.py DelayedScaling (margin, fp8_format, amax_history_len,
//   amax_compute_algo "max" / "most_recent"; defaults 0, HYBRID, 1024, "max").
// - update: transformer_engine/common/recipe/delayed_scaling.cu, amax_and_scale_update_impl::kernel (single tensor)
//   and kernel_bulk (what TE PyTorch runs by default, via tex.fused_amax_and_scale_update_after_reduction in
//   transformer_engine/pytorch/quantization.py FP8GlobalStateManager.reduce_and_update_fp8_tensors).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ual/fp8_scaling.hpp"
#include "fp8/cuda_fmaxf.hpp"

namespace ual::fp8 {
namespace {

constexpr std::size_t kMaxHistoryLength = std::size_t{1} << 20;  // ual's bound (TE has none)

bool is_known(Format format) {
  return format == Format::e4m3 || format == Format::e5m2 || format == Format::e4m3fnuz ||
         format == Format::e5m2fnuz;
}

}  // namespace

// recipe/__init__.py: Format.HYBRID = _FormatHelper(max_fwd=E4M3.max_fwd, max_bwd=E5M2.max_bwd); TE PyTorch's
// get_fp8_te_dtype: E4M3, or HYBRID in the forward pass -> kFloat8E4M3, otherwise kFloat8E5M2.
Format format_for(RecipeFormat recipe, TensorRole role) noexcept {
  return recipe == RecipeFormat::hybrid && role == TensorRole::backward ? Format::e5m2 : Format::e4m3;
}

Result<DelayedScalingState> DelayedScalingState::create(const DelayedScaling& recipe, TensorRole role) {
  if (recipe.format != RecipeFormat::e4m3 && recipe.format != RecipeFormat::hybrid) {
    return make_error(ErrorCode::invalid_argument,
                      "DelayedScaling.format: unknown recipe format " + std::to_string(int(recipe.format)) +
                          " (expected e4m3 or hybrid)");
  }
  if (role != TensorRole::forward && role != TensorRole::backward) {
    return make_error(ErrorCode::invalid_argument,
                      "tensor role: unknown value " + std::to_string(int(role)) + " (expected forward or backward)");
  }
  return create(recipe, format_for(recipe.format, role));
}

Result<DelayedScalingState> DelayedScalingState::create(const DelayedScaling& recipe, Format format) {
  if (!is_known(format)) {
    return make_error(ErrorCode::invalid_argument, "format: unknown FP8 format " + std::to_string(int(format)));
  }
  if (recipe.amax_history_len == 0) {
    return make_error(ErrorCode::invalid_argument,
                      "DelayedScaling.amax_history_len is 0; the history needs at least one slot");
  }
  if (recipe.amax_history_len > kMaxHistoryLength) {
    return make_error(ErrorCode::invalid_argument,
                      "DelayedScaling.amax_history_len is " + std::to_string(recipe.amax_history_len) +
                          "; at most " + std::to_string(kMaxHistoryLength) + " is supported");
  }
  if (recipe.amax_compute != DelayedScaling::AmaxCompute::max &&
      recipe.amax_compute != DelayedScaling::AmaxCompute::most_recent) {
    // delayed_scaling.cu: NVTE_ERROR("Unsupported amax compute algorithm (", amax_compute_algo, ")").
    return make_error(ErrorCode::invalid_argument, "DelayedScaling.amax_compute: unsupported amax compute algorithm " +
                                                       std::to_string(int(recipe.amax_compute)));
  }
  // delayed_scaling.cu: scaled_max = fp8_dtype_max(fp8_dtype) * std::pow(2.f, -margin), once, in float.
  // 2^-margin is exact as ldexp; the margin is clamped first so that negating it cannot overflow an int.
  const int margin = std::clamp(recipe.margin, -1000, 1000);
  const float scaled_max = format_info(format).max * std::ldexp(1.0f, -margin);
  if (!(scaled_max >= std::numeric_limits<float>::min() && scaled_max <= std::numeric_limits<float>::max())) {
    // TE would go on with a zero, subnormal or infinite scaled_max (scale 0 -> scale_inv Inf); ual refuses it.
    return make_error(ErrorCode::invalid_argument,
                      "DelayedScaling.margin " + std::to_string(recipe.margin) + " puts fp8_max * 2^-margin for " +
                          format_info(format).name + " outside the normal float range");
  }
  return DelayedScalingState(recipe, format, scaled_max);
}

DelayedScalingState::DelayedScalingState(const DelayedScaling& recipe, Format format, float scaled_max)
    : recipe_(recipe), format_(format), scaled_max_(scaled_max), ring_(recipe.amax_history_len, 0.0f) {}

float DelayedScalingState::history(std::size_t slot) const noexcept {
  if (slot >= ring_.size()) return std::numeric_limits<float>::quiet_NaN();
  return ring_[(head_ + slot) % ring_.size()];
}

std::vector<float> DelayedScalingState::amax_history() const {
  std::vector<float> out(ring_.size());
  for (std::size_t i = 0; i < ring_.size(); ++i) out[i] = history(i);
  return out;
}

// common/utils.cuh atomicMaxFloat: value >= 0 ? atomicMax on the int bits : atomicMin on the unsigned bits.
// For a non-negative slot this keeps the larger value and ignores NaN (either sign) and negative values.
void DelayedScalingState::record_amax(float amax) noexcept {
  float& slot = ring_[head_];
  if (amax >= 0.0f) {
    const auto old_bits = std::bit_cast<std::int32_t>(slot);
    slot = std::bit_cast<float>(std::max(old_bits, std::bit_cast<std::int32_t>(amax)));
  } else {
    const auto old_bits = std::bit_cast<std::uint32_t>(slot);
    slot = std::bit_cast<float>(std::min(old_bits, std::bit_cast<std::uint32_t>(amax)));
  }
}

void DelayedScalingState::set_amax(float amax) noexcept { ring_[head_] = amax; }

// delayed_scaling.cu amax_and_scale_update_impl::kernel / kernel_bulk, for one tensor:
//   last_amax = amax_history[0]
//   roll: a_i = (i < len-1) ? history[i+1] : last_amax; amax = fmaxf(amax, a_i) from amax = 0 (so NaN entries are
//         skipped and the max covers the whole window); new history[i] = (i > 0) ? a_i : 0
//   kernel_bulk only: the roll (and the max) happen only if last_amax != 0, otherwise amax stays 0
//   MOST_RECENT: amax = last_amax; MAX: amax = the fmaxf reduction
//   scale = (isfinite(amax) && amax > 0) ? scaled_max / amax : previous scale
//   isinf(scale) -> std::numeric_limits<float>::max()   ("the amax is too tiny", current TE)
//   scale_inv = 1 / scale
void DelayedScalingState::update() noexcept {
  const std::size_t len = ring_.size();
  const float last_amax = ring_[head_];
  float amax = 0.0f;
  if (!(recipe_.skip_update_on_zero_amax && last_amax == 0.0f)) {
    for (std::size_t i = 0; i < len; ++i) amax = detail::cuda_fmaxf(amax, history(i));  // = the a_i of the roll
    // torch.roll(-1) then slot 0 := 0: advancing the head makes old slot i+1 the new slot i and old slot 0
    // (last_amax) the new slot len-1.
    head_ = (head_ + 1) % len;
    ring_[head_] = 0.0f;
  }
  if (recipe_.amax_compute == DelayedScaling::AmaxCompute::most_recent) amax = last_amax;
  float scale = (std::isfinite(amax) && amax > 0.0f) ? scaled_max_ / amax : scale_;
  if (std::isinf(scale)) scale = std::numeric_limits<float>::max();
  scale_ = scale;
  // A scale can underflow to 0 (a large margin and a huge amax); TE's 1 / scale is then +Inf.
  scale_inv_ = scale == 0.0f ? std::numeric_limits<float>::infinity() : 1.0f / scale;
  used_amax_ = amax;
}

Result<QuantizedTensor> quantize_delayed(const InputMatrix& input, DelayedScalingState& state) {
  auto result = quantize_per_tensor(input, state.scale(), state.format());
  if (result.ok()) state.record_amax(result->amax);
  return result;
}

}  // namespace ual::fp8
