// A training loop's view of FP8 with ual: delayed scaling (Transformer Engine's HYBRID recipe) for a weight
// gradient, a Hopper-style cast_transpose of an activation, and MXFP8 block scaling. Built and run by the tests.
#include <cmath>
#include <cstdio>
#include <vector>

#include <ual/ual.hpp>

int main() {
  namespace fp8 = ual::fp8;
  std::vector<float> activation(256 * 128);
  for (std::size_t i = 0; i < activation.size(); ++i) activation[i] = std::sin(0.01f * static_cast<float>(i)) * 3.0f;

  // Delayed scaling: the scale used now comes from the amax history of earlier steps.
  auto state = fp8::DelayedScalingState::create(fp8::DelayedScaling{}, fp8::TensorRole::backward);  // E5M2
  if (!state) return std::puts(state.error().message.c_str()), 1;
  const fp8::InputMatrix matrix{std::span<const float>(activation), 256, 128};
  for (int step = 0; step < 3; ++step) {
    auto quantized = fp8::quantize_delayed(matrix, *state);  // records this step's amax, uses the current scale
    if (!quantized) return std::puts(quantized.error().message.c_str()), 1;
    state->update();  // Transformer Engine's amax_and_scale_update: scale = fp8_max / amax / 2^margin
    std::printf("step %d: amax %.4f, next scale %.2f\n", step, quantized->amax, state->scale());
  }

  // cast_transpose: row-wise and column-wise E4M3 copies in one pass (FP8 GEMMs on Hopper want TN layout).
  std::vector<std::uint8_t> rowwise(activation.size()), columnwise(activation.size());
  const auto amax = fp8::cast_transpose(std::span<const float>(activation), 256, 128, 448.0f / 3.0f, fp8::Format::e4m3,
                                        rowwise, columnwise);
  if (!amax) return std::puts(amax.error().message.c_str()), 1;

  // MXFP8: one E8M0 scale per 32 elements.
  const auto mx = fp8::quantize_mxfp8(matrix, fp8::Format::e4m3, fp8::BlockDirection::rowwise);
  if (!mx) return std::puts(mx.error().message.c_str()), 1;
  const auto restored = fp8::dequantize(*mx);
  double worst = 0;
  for (std::size_t i = 0; i < activation.size(); ++i)
    worst = std::max(worst, std::abs(double((*restored)[i]) - activation[i]) / std::max(1e-3, std::abs(double(activation[i]))));
  std::printf("cast_transpose amax %.4f; MXFP8: %zu scales, worst relative error %.4f\n", *amax, mx->scale_e8m0.size(),
              worst);
  return worst <= 0.0625 ? 0 : 1;  // E4M3 keeps 3 mantissa bits: relative error <= 2^-4 above the subnormals
}
