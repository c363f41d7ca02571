// ual_gemm_epilogue: finishes a library GEMM whose scaled f32 product P sits [batch, m, n] in scratch, rows
// product_leading apart (dense when 0):
// D = act(P + beta * C + bias), then D's dtype (FP8: encode(v * d_scale), saturating), and amax of v before scaling.
// Used where the vendor library cannot fuse the whole epilogue (rocBLAS has none; cuBLASLt has no SILU, and no
// bias or activation with some FP8 output types), so every backend gets the same semantics as the CPU GEMM.
#pragma once

#include "block_reduce.cuh"

extern "C" __global__ void ual_gemm_epilogue(ual_gpu_gemm_epilogue_params p) {
  using namespace ual_gpu;
  __shared__ float scratch[kMaxBlockThreads];
  const float* product = reinterpret_cast<const float*>(p.product);
  const int64_t matrix = p.m * p.n;
  const int64_t count = p.batch * matrix;
  const int64_t leading = p.product_leading > 0 ? p.product_leading : p.n;
  const bool fp8_out = is_fp8_dtype(p.d.dtype);
  // beta == 0 does not read C, as BLAS defines it (C may hold NaN or be uninitialised).
  const bool with_c = p.c.data != 0 && p.beta != 0.0f;
  float local_amax = 0.0f;
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += step) {
    const int64_t b = i / matrix;
    const int64_t within = i - b * matrix;
    const int64_t row = within / p.n;
    const int64_t col = within - row * p.n;
    float v = product[(b * p.m + row) * leading + col];
    if (with_c) {
      float c = load_element(p.c, b * p.c.strides[0] + row * p.c.strides[1] + col * p.c.strides[2]);
      if (is_fp8_dtype(p.c.dtype)) c *= p.c.scale_inv;
      v += p.beta * c;
    }
    if (p.bias.data != 0) v += load_element(p.bias, col * p.bias.strides[0]);
    v = activate(v, p.activation);
    local_amax = amax_step(local_amax, v);
    const int64_t out = b * p.d.strides[0] + row * p.d.strides[1] + col * p.d.strides[2];
    store_element(p.d, out, fp8_out ? apply_scale(v, p.d_scale) : v, 1);
  }
  if (p.amax != 0) block_amax_to_global(scratch, local_amax, p.amax);
}
