// ual_convert: y = convert(x) over y's shape, any float or FP8 dtype to any other through f32 (FP8 in: decode *
// x.scale_inv; FP8 out: encode(v * scale) with saturate). The GEMM paths use it to make operands contiguous or give
// them the type a vendor library takes; the row-wise ops use it to copy views whose rows cannot be flattened.
#pragma once

#include "device_scalar.h"

extern "C" __global__ void ual_convert(ual_gpu_convert_params p) {
  using namespace ual_gpu;
  int64_t coord[UAL_GPU_MAX_RANK];
  const bool fp8_in = is_fp8_dtype(p.x.dtype);
  const bool fp8_out = is_fp8_dtype(p.y.dtype);
  const int64_t step = int64_t(gridDim.x) * blockDim.x;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < p.count; i += step) {
    unravel(i, p.y.rank, p.y.shape, coord);
    float v = load_element(p.x, offset_of(p.x, coord));
    if (fp8_in) v *= p.x.scale_inv;
    if (fp8_out) v = apply_scale(v, p.scale);
    store_element(p.y, offset_of(p.y, coord), v, p.saturate);
  }
}
