// Block-wide reductions through shared memory, for any power-of-two blockDim up to 1024. A __syncthreads tree
// rather than warp shuffles: the same code is right for NVIDIA's 32-wide warps and AMD CDNA's 64-wide wavefronts
// (shuffle intrinsics and their masks differ between CUDA and HIP).
#pragma once

#include "device_scalar.h"

namespace ual_gpu {

constexpr int kMaxBlockThreads = 1024;

enum class Reduce { sum, max };

// Every thread of the block must call it; every thread gets the result. `scratch` holds blockDim.x floats (x-major
// thread index over a 2-D block). Safe to call repeatedly with the same scratch.
template <Reduce kind>
__device__ __forceinline__ float block_reduce(float* scratch, float value) {
  const int threads = int(blockDim.x * blockDim.y);
  const int lid = int(threadIdx.x + threadIdx.y * blockDim.x);
  __syncthreads();  // the previous reduction's readers of scratch[0] are done
  scratch[lid] = value;
  __syncthreads();
  for (int stride = threads / 2; stride > 0; stride /= 2) {
    if (lid < stride) {
      const float other = scratch[lid + stride];
      scratch[lid] = kind == Reduce::sum ? scratch[lid] + other : fmaxf(scratch[lid], other);
    }
    __syncthreads();
  }
  return scratch[0];
}

// Folds the block's amax into a global float through atomicMax on its bits: non-negative floats order like their
// bit patterns as unsigned integers, and the host zeroed *amax first. NaN never reaches here (amax_step drops it).
__device__ __forceinline__ void block_amax_to_global(float* scratch, float local_amax, uint64_t amax) {
  const float block_amax = block_reduce<Reduce::max>(scratch, local_amax);
  if (threadIdx.x == 0 && threadIdx.y == 0 && block_amax > 0.0f) {
    atomicMax(reinterpret_cast<unsigned int*>(amax), float_bits(block_amax));
  }
}

}  // namespace ual_gpu
