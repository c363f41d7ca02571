/* One kernel source for two toolchains: what differs between nvcc (CUDA), hipcc / clang -x hip (HIP) and a plain
 * host compiler (g++, for the unit tests of the scalar code). The approach of ggml's CUDA backend, whose HIP build
 * compiles the same .cu files through ggml-cuda/vendors/hip.h.
 *
 * HIP 5.2 (Debian bookworm) ships neither hip_fp8.h nor hip_bf16.h, so no vendor 16- or 8-bit float type is used
 * anywhere: values travel as uint16_t / uint8_t bits and are converted by device_scalar.h in integer arithmetic. */
#ifndef UAL_GPU_PORTABILITY_H
#define UAL_GPU_PORTABILITY_H

#if defined(__HIPCC__)
#include <hip/hip_runtime.h>
#define UAL_GPU_COMPILER 1
#elif defined(__CUDACC__)
/* nvcc pre-includes cuda_runtime.h: __global__, __shared__, atomicMax and the math functions are already declared. */
#define UAL_GPU_COMPILER 1
#else
/* A host compiler: the qualifiers vanish so device_scalar.h is ordinary C++ that tests can call. */
#define __host__
#define __device__
#define __forceinline__ inline __attribute__((always_inline))
#define UAL_GPU_COMPILER 0
#endif

#define UAL_HOST_DEVICE __host__ __device__ __forceinline__

/* True while compiling device code (the second pass of nvcc, the device pass of clang's HIP driver). */
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
#define UAL_DEVICE_PASS 1
#else
#define UAL_DEVICE_PASS 0
#endif

/* Threads that execute in lock step: 32 on NVIDIA and RDNA (wave32), 64 on AMD CDNA (MI100..MI300). The kernels'
 * reductions use __syncthreads trees and never assume either; this is for launch sizing only. */
#if defined(__HIPCC__) && defined(__AMDGCN_WAVEFRONT_SIZE)
#define UAL_WARP_SIZE __AMDGCN_WAVEFRONT_SIZE
#elif defined(__HIPCC__)
#define UAL_WARP_SIZE 64
#else
#define UAL_WARP_SIZE 32
#endif

#endif /* UAL_GPU_PORTABILITY_H */
