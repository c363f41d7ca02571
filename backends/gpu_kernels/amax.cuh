// ual_amax: max |x| over every element of a strided view into a zeroed device float (NaN ignored), for current
// scaling (Transformer Engine's amax of a tensor before it is quantized).
#pragma once

#include "block_reduce.cuh"

extern "C" __global__ void ual_amax(ual_gpu_amax_params p) {
  using namespace ual_gpu;
  __shared__ float scratch[kMaxBlockThreads];
  int64_t coord[UAL_GPU_MAX_RANK];
  float local_amax = 0.0f;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count; i += step) {
    unravel(i, p.x.rank, p.x.shape, coord);
    float v = load_element(p.x, offset_of(p.x, coord));
    if (is_fp8_dtype(p.x.dtype)) v *= p.x.scale_inv;
    local_amax = amax_step(local_amax, v);
  }
  block_amax_to_global(scratch, local_amax, p.amax);
}
