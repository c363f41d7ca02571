// Transformer Engine's amax is fmaxf(|x|) from 0: CUDA's fmaxf skips NaN operands, signalling ones included, so a
// signalling NaN in a tensor must not become the amax in any recipe (glibc's std::fmax would return NaN for it).
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <vector>

#include "ual/fp8_kernels.hpp"
#include "ual/fp8_scaling.hpp"

namespace ual::fp8 {
namespace {

TEST(Fp8SignallingNan, IgnoredByEveryAmax) {
  const float signalling = std::bit_cast<float>(0x7fa00000u);  // exponent all ones, quiet bit clear
  ASSERT_TRUE(std::isnan(signalling));
  std::vector<float> values(64 * 128, 0.5f);
  values[5] = signalling;
  values[77] = -3.0f;
  const InputMatrix matrix{std::span<const float>(values), 64, 128};

  std::vector<std::uint8_t> output(values.size());
  EXPECT_EQ(quantize(std::span<const float>(values), 1.0f, Format::e4m3, output).value(), 3.0f);
  EXPECT_EQ(quantize_current_scaling(matrix, Format::e4m3, CurrentScaling{})->amax, 3.0f);
  EXPECT_EQ(quantize_mxfp8(matrix, Format::e4m3, BlockDirection::rowwise)->amax, 3.0f);
  EXPECT_EQ(quantize_block_128x128(matrix, Format::e4m3, BlockScaling{})->amax, 3.0f);
  auto state = DelayedScalingState::create(DelayedScaling{}, Format::e4m3);
  ASSERT_TRUE(state.ok());
  state->record_amax(2.0f);
  state->update();
  state->set_amax(signalling);
  state->update();
  EXPECT_EQ(state->used_amax(), 2.0f);  // the NaN history entry does not win the max
}

}  // namespace
}  // namespace ual::fp8
