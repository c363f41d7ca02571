// ual_pointwise: QUANTIZE, DEQUANTIZE, GELU, SILU, ADD, MUL over any strided view (kernel_params.h). One thread per
// element of y in a grid-stride loop; x and b are read with y's coordinates through their own strides (the host
// broadcast them to y's rank, zero strides for broadcast dims). Mirrors backends/opencl/kernels/pointwise.cl.
#pragma once

#include "block_reduce.cuh"

extern "C" __global__ void ual_pointwise(ual_gpu_pointwise_params p) {
  using namespace ual_gpu;
  __shared__ float scratch[kMaxBlockThreads];
  float local_amax = 0.0f;
  int64_t coord[UAL_GPU_MAX_RANK];
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count; i += step) {
    unravel(i, p.y.rank, p.y.shape, coord);
    const float x = load_element(p.x, offset_of(p.x, coord));
    const int64_t out = offset_of(p.y, coord);
    if (p.op == UAL_OP_QUANTIZE) {
      local_amax = amax_step(local_amax, x);
      store_element(p.y, out, apply_scale(x, p.scale), p.saturate);
      continue;
    }
    float v;
    switch (p.op) {
      case UAL_OP_DEQUANTIZE: v = x * p.x.scale_inv; break;
      case UAL_OP_GELU: v = gelu_tanh(x); break;
      case UAL_OP_SILU: v = silu(x); break;
      case UAL_OP_ADD: v = x + load_element(p.b, offset_of(p.b, coord)); break;
      default: v = x * load_element(p.b, offset_of(p.b, coord)); break;  // UAL_OP_MUL
    }
    store_element(p.y, out, v, 1);
  }
  if (p.op == UAL_OP_QUANTIZE && p.amax != 0) block_amax_to_global(scratch, local_amax, p.amax);
}
