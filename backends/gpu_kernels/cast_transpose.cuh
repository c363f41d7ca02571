// ual_cast_transpose (Transformer Engine's cast_transpose): one pass over x [rows, cols] writes its FP8 cast y
// (row-major) and the cast's transpose yt [cols, rows], which FP8 GEMMs need because Hopper's FP8 tensor cores take
// only the "TN" layout. 32x32 tiles staged in shared memory so both the reads of x and the writes of yt are
// coalesced; block (32, 8): each thread handles 4 rows of its tile. Grid-stride over tiles.
#pragma once

#include "block_reduce.cuh"

namespace ual_gpu {
constexpr int kTile = 32;
constexpr int kTileRowsPerPass = 8;  // blockDim.y
}  // namespace ual_gpu

extern "C" __global__ void ual_cast_transpose(ual_gpu_cast_transpose_params p) {
  using namespace ual_gpu;
  // +1 column: threads of a column read different banks when the tile is read transposed.
  __shared__ uint8_t tile[kTile][kTile + 1];
  __shared__ float scratch[kTile * kTileRowsPerPass];
  uint8_t* y = reinterpret_cast<uint8_t*>(p.y);
  uint8_t* yt = reinterpret_cast<uint8_t*>(p.yt);
  const int tx = int(threadIdx.x);
  const int ty = int(threadIdx.y);
  const int64_t tile_cols = (p.cols + kTile - 1) / kTile;
  const int64_t tiles = ((p.rows + kTile - 1) / kTile) * tile_cols;
  float local_amax = 0.0f;
  for (int64_t t = blockIdx.x; t < tiles; t += gridDim.x) {
    const int64_t r0 = (t / tile_cols) * kTile;
    const int64_t c0 = (t % tile_cols) * kTile;
    for (int k = ty; k < kTile; k += kTileRowsPerPass) {
      const int64_t r = r0 + k;
      const int64_t c = c0 + tx;
      if (r < p.rows && c < p.cols) {
        const float x = load_element(p.x, r * p.x.strides[0] + c * p.x.strides[1]);
        local_amax = amax_step(local_amax, x);
        const uint8_t code = fp8_encode(apply_scale(x, p.scale), p.dtype, p.saturate);
        if (y != nullptr) y[r * p.cols + c] = code;
        tile[k][tx] = code;
      }
    }
    __syncthreads();
    if (yt != nullptr) {
      for (int k = ty; k < kTile; k += kTileRowsPerPass) {
        const int64_t out_row = c0 + k;  // a column of x
        const int64_t out_col = r0 + tx;  // a row of x
        if (out_row < p.cols && out_col < p.rows) yt[out_row * p.rows + out_col] = tile[tx][k];
      }
    }
    __syncthreads();  // the tile is rewritten by the next iteration
  }
  if (p.amax != 0) block_amax_to_global(scratch, local_amax, p.amax);
}
