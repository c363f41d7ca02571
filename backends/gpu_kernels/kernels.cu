// The one translation unit of ual's GPU kernels: nvcc compiles it into the CUDA plugin's fatbin, hipcc (or clang
// -x hip) into the HIP plugin's code object; gpu_portability.h absorbs the differences. Every kernel is
// extern "C" so both plugins look it up by the plain names of kernel_params.h.
#include "gpu_portability.h"
#include "kernel_params.h"

#include "amax.cuh"
#include "cast_transpose.cuh"
#include "convert.cuh"
#include "fill.cuh"
#include "gemm_epilogue.cuh"
#include "pointwise.cuh"
#include "rowwise.cuh"
