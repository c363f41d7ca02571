// ual_fill_f32: count floats set to one value (zeroing amax outputs before their atomic max, clearing scratch).
#pragma once

#include "device_scalar.h"

extern "C" __global__ void ual_fill_f32(ual_gpu_fill_params p) {
  float* data = reinterpret_cast<float*>(p.data);
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count; i += step) data[i] = p.value;
}
