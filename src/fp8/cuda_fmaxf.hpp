// CUDA's fmaxf (PTX max.f32) on the host: the other operand when one is NaN, quiet or signalling. std::fmax is not
// the same: glibc follows IEEE 754-2008 maxNum and returns NaN for a signalling NaN operand. Transformer Engine's
// amax reductions are fmaxf(fabsf(x), amax) from 0, so NaN elements never reach an amax.
#pragma once

#include <cmath>

namespace ual::fp8::detail {

inline float cuda_fmaxf(float a, float b) noexcept {
  if (std::isnan(a)) return b;
  if (std::isnan(b)) return a;
  return a > b ? a : b;
}

}  // namespace ual::fp8::detail
