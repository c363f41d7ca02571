// ual_rowwise: SOFTMAX, RMS_NORM, LAYER_NORM over the last dimension, f32 arithmetic. One block per row (grid-stride
// over rows); the block's threads stride over the row's columns and meet in shared-memory tree reductions. Softmax
// subtracts the row max first; layer norm takes two passes (mean, then squared deviations), as the CPU backend
// (backends/cpu/kernels/elementwise_scalar.cpp) and backends/opencl/kernels/rowwise.cl do.
#pragma once

#include "block_reduce.cuh"

extern "C" __global__ void ual_rowwise(ual_gpu_rowwise_params p) {
  using namespace ual_gpu;
  __shared__ float scratch[kMaxBlockThreads];
  const int64_t cols = p.cols;
  const int64_t threads = blockDim.x;
  const int64_t x_step = p.x.strides[1];
  const int64_t y_step = p.y.strides[1];
  for (int64_t row = blockIdx.x; row < p.rows; row += gridDim.x) {
    const int64_t x_row = row * p.x.strides[0];
    const int64_t y_row = row * p.y.strides[0];
    if (p.op == UAL_OP_SOFTMAX) {
      float row_max = -INFINITY;
      for (int64_t c = threadIdx.x; c < cols; c += threads) row_max = fmaxf(row_max, load_element(p.x, x_row + c * x_step));
      row_max = block_reduce<Reduce::max>(scratch, row_max);
      float sum = 0.0f;
      for (int64_t c = threadIdx.x; c < cols; c += threads) sum += expf(load_element(p.x, x_row + c * x_step) - row_max);
      const float inverse_sum = 1.0f / block_reduce<Reduce::sum>(scratch, sum);
      for (int64_t c = threadIdx.x; c < cols; c += threads) {
        const float e = expf(load_element(p.x, x_row + c * x_step) - row_max);
        store_element(p.y, y_row + c * y_step, e * inverse_sum, 1);
      }
      continue;
    }
    float mean = 0.0f;
    float squares = 0.0f;
    if (p.op == UAL_OP_LAYER_NORM) {
      float sum = 0.0f;
      for (int64_t c = threadIdx.x; c < cols; c += threads) sum += load_element(p.x, x_row + c * x_step);
      mean = block_reduce<Reduce::sum>(scratch, sum) / float(cols);
    }
    for (int64_t c = threadIdx.x; c < cols; c += threads) {
      const float d = load_element(p.x, x_row + c * x_step) - mean;  // mean 0 for RMS_NORM
      squares += d * d;
    }
    const float inverse_rms = 1.0f / sqrtf(block_reduce<Reduce::sum>(scratch, squares) / float(cols) + p.epsilon);
    for (int64_t c = threadIdx.x; c < cols; c += threads) {
      float v = (load_element(p.x, x_row + c * x_step) - mean) * inverse_rms;
      v *= load_element(p.gamma, c * p.gamma.strides[0]);
      if (p.op == UAL_OP_LAYER_NORM && p.beta.data != 0) v += load_element(p.beta, c * p.beta.strides[0]);
      store_element(p.y, y_row + c * y_step, v, 1);
    }
  }
}
