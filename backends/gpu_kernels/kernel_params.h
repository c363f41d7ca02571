/* The contract between the CUDA/HIP plugins' host code and the shared GPU kernels (backends/gpu_kernels/kernels.cu): the
 * kernels' names and the one struct each receives by value. Plain C, so that host code compiled by g++ and device
 * code compiled by nvcc or hipcc agree on the layout (only fixed-size members, 8-byte aligned).
 *
 * Every kernel is `extern "C" __global__ void <name>(<params struct>)`, loaded by name from the embedded fatbin
 * (CUDA, cuModuleGetFunction) or code object (HIP, hipModuleGetFunction) and launched with a grid-stride loop, so
 * any grid size is correct; the host picks a sensible one. Element types are the backend ABI's ual_dtype values;
 * arithmetic is f32 and every conversion mirrors ual::fp8 bit for bit (device_scalar.h). */
#ifndef UAL_GPU_KERNEL_PARAMS_H
#define UAL_GPU_KERNEL_PARAMS_H

#include <stdint.h>

#define UAL_GPU_MAX_RANK 6

/* A strided view of device memory. data points at element 0 (the ABI tensor's offset already applied); strides are
 * in elements, 0 broadcasts. scale_inv: FP8 decode factor (real = stored * scale_inv), 1 for other dtypes. An absent
 * operand has data == 0. */
typedef struct ual_gpu_view {
  uint64_t data;
  int64_t shape[UAL_GPU_MAX_RANK];
  int64_t strides[UAL_GPU_MAX_RANK];
  int32_t rank;
  int32_t dtype;
  float scale_inv;
  int32_t padding;
} ual_gpu_view;

/* ual_pointwise: y[i] = f(x[i] [, b[i]]) over every element of y's shape (x and b are read through their own strides
 * with y's index: the host has broadcast them to y's rank).
 *   op: ual_op_kind (QUANTIZE, DEQUANTIZE, GELU, SILU, ADD, MUL)
 *   QUANTIZE: y = fp8(x * scale) (saturate != 0: clamp to the format's max, as ual::fp8::Overflow::saturate);
 *             amax (optional, device float*, already zeroed by the host) receives max |x| (NaN ignored) through an
 *             atomic max on the float's bits.
 *   DEQUANTIZE: y = decode(x) * x.scale_inv, rounded to y's dtype.
 *   GELU (tanh approximation) and SILU: on x; ADD, MUL: x op b. f32/f16/bf16 in and out. */
typedef struct ual_gpu_pointwise_params {
  ual_gpu_view x;
  ual_gpu_view b;
  ual_gpu_view y;
  uint64_t amax;
  int64_t count; /* elements of y */
  int32_t op;
  float scale;
  int32_t saturate;
  int32_t padding;
} ual_gpu_pointwise_params;

/* ual_rowwise: one row of `cols` elements per block (blockDim.x threads, a power of two <= 1024; the kernel's shared
 * memory is static). rows = product of all but the last dimension; x, y are rank-2 views [rows, cols] after the host
 * flattened the leading dimensions (it copies to contiguous first when they cannot be flattened).
 *   op: SOFTMAX, RMS_NORM (gamma), LAYER_NORM (gamma, beta optional); epsilon for the norms. */
typedef struct ual_gpu_rowwise_params {
  ual_gpu_view x;
  ual_gpu_view gamma;
  ual_gpu_view beta;
  ual_gpu_view y;
  int64_t rows;
  int64_t cols;
  int32_t op;
  float epsilon;
} ual_gpu_rowwise_params;

/* ual_convert: y = convert(x) element by element over y's shape, any dtype to any dtype through f32 (FP8 in:
 * decode * x.scale_inv; FP8 out: encode(v * scale) with saturate). Used to make operands contiguous or change
 * their type before a library GEMM. */
typedef struct ual_gpu_convert_params {
  ual_gpu_view x;
  ual_gpu_view y;
  int64_t count;
  float scale;
  int32_t saturate;
} ual_gpu_convert_params;

/* ual_cast_transpose (Transformer Engine's cast_transpose): x is a rank-2 view [rows, cols] of f32/f16/bf16;
 * writes y = fp8(x * scale) row-major [rows, cols] (when y != 0) and yt = its transpose, row-major [cols, rows]
 * (when yt != 0), both contiguous, in FP8 format `dtype`; amax (optional) gets max |x|. Tiled through shared memory
 * so both reads and writes are coalesced. Launch: block (32, 8), grid over 32x32 tiles. */
typedef struct ual_gpu_cast_transpose_params {
  ual_gpu_view x;
  uint64_t y;
  uint64_t yt;
  uint64_t amax;
  int64_t rows;
  int64_t cols;
  int32_t dtype;
  float scale;
  int32_t saturate;
  int32_t padding;
} ual_gpu_cast_transpose_params;

/* ual_gemm_epilogue: finishes a GEMM whose f32 product P = alpha * scale_a * scale_b * (A x B) the library wrote
 * to `product` (contiguous [batch, m, n] f32):
 *   D[b, i, j] = act(P[b, i, j] + beta * C[b, i, j] + bias[j])   (C, bias optional: data == 0)
 * d is a rank-3 view [batch, m, n] in any float dtype, c a rank-3
 * view, bias a rank-1 view [n]. act: ual_epilogue (NONE, GELU, SILU). FP8 D stores encode(v * d_scale, saturate);
 * amax (optional) receives max |v| before scaling. */
typedef struct ual_gpu_gemm_epilogue_params {
  uint64_t product;
  ual_gpu_view c;
  ual_gpu_view bias;
  ual_gpu_view d;
  uint64_t amax;
  int64_t batch;
  int64_t m;
  int64_t n;
  float beta;
  float d_scale;
  int32_t activation;
  int32_t product_leading; /* elements between rows of P; 0 = n (dense). cuBLASLt FP8 needs 16-byte multiples */
} ual_gpu_gemm_epilogue_params;

/* ual_amax: amax (device float*, zeroed by the host) receives max |x| over every element of x (NaN ignored). */
typedef struct ual_gpu_amax_params {
  ual_gpu_view x;
  uint64_t amax;
  int64_t count;
} ual_gpu_amax_params;

/* ual_fill_f32: count floats at data set to value (zeroing amax outputs and scratch). */
typedef struct ual_gpu_fill_params {
  uint64_t data;
  int64_t count;
  float value;
  int32_t padding;
} ual_gpu_fill_params;

#endif /* UAL_GPU_KERNEL_PARAMS_H */
