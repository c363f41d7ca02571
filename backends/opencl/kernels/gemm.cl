// GEMM, per batch: D = epilogue(alpha * (A x B) + beta * C + bias), A [M, K] and B [K, N] in any of f32, f16, bf16
// and the four FP8 formats (widened to f32 as the tiles are loaded), f32 accumulation, D in f32, f16 or bf16.
// A work-group of WG x WG work-items computes a GEMM_TILE x GEMM_TILE block of D (GEMM_TILE = 4 * WG), each
// work-item a contiguous 4 x 4 register block (float4 rows). Both operands are staged through local memory in
// GEMM_TILE_K slices, widened to f32 once on load. Edge tiles load zeros.
#define GEMM_TILE (4 * WG)
#define GEMM_TILE_K 16

// Mirrors MatrixDesc in op_gemm.cpp: a rank-3 view (batch stride 0 repeats one matrix for every batch).
typedef struct {
  long batch_stride;
  long row_stride;
  long col_stride;
  long offset_bytes;
  int dtype;
  int present;
} MatrixDesc;

long matrix_offset(const MatrixDesc* t, long batch, long row, long col) {
  return t->offset_bytes + (batch * t->batch_stride + row * t->row_stride + col * t->col_stride) * dtype_size(t->dtype);
}

__kernel __attribute__((reqd_work_group_size(WG, WG, 1)))
void gemm(MatrixDesc a, MatrixDesc b, MatrixDesc c, MatrixDesc bias, MatrixDesc d, global const uchar* pa,
          global const uchar* pb, global const uchar* pc, global const uchar* pbias, global uchar* pd,
          global uint* amax, ulong amax_index, int has_amax, long M, long N, long K, float alpha, float beta, int epilogue) {
  // Rows padded to a multiple of 4 floats: every vload4 below stays 16-byte aligned.
  local float a_tile[GEMM_TILE_K][GEMM_TILE + 4];
  local float b_tile[GEMM_TILE_K][GEMM_TILE + 4];
  local float scratch[WG * WG];
  const int tx = (int)get_local_id(0);
  const int ty = (int)get_local_id(1);
  const int lid = ty * WG + tx;
  const long n0 = (long)get_group_id(0) * GEMM_TILE;
  const long m0 = (long)get_group_id(1) * GEMM_TILE;
  const long batch = get_group_id(2);

  float4 acc[4] = {(float4)(0.0f), (float4)(0.0f), (float4)(0.0f), (float4)(0.0f)};

  for (long k0 = 0; k0 < K; k0 += GEMM_TILE_K) {
    for (int e = lid; e < GEMM_TILE * GEMM_TILE_K; e += WG * WG) {
      const int kk = e % GEMM_TILE_K;
      const int mm = e / GEMM_TILE_K;
      const long m = m0 + mm;
      const long k = k0 + kk;
      a_tile[kk][mm] = (m < M && k < K) ? load_value(pa, a.dtype, matrix_offset(&a, batch, m, k)) : 0.0f;
    }
    for (int e = lid; e < GEMM_TILE * GEMM_TILE_K; e += WG * WG) {
      const int nn = e % GEMM_TILE;
      const int kk = e / GEMM_TILE;
      const long n = n0 + nn;
      const long k = k0 + kk;
      b_tile[kk][nn] = (n < N && k < K) ? load_value(pb, b.dtype, matrix_offset(&b, batch, k, n)) : 0.0f;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    // float4 rows: explicit SIMD within a work-item, which CPU devices (PoCL) turn into vector FMAs even where they
    // cannot vectorize across work-items.
    for (int kk = 0; kk < GEMM_TILE_K; ++kk) {
      const float4 av = vload4(0, &a_tile[kk][ty * 4]);
      const float4 bv = vload4(0, &b_tile[kk][tx * 4]);
      acc[0] = fma((float4)(av.s0), bv, acc[0]);
      acc[1] = fma((float4)(av.s1), bv, acc[1]);
      acc[2] = fma((float4)(av.s2), bv, acc[2]);
      acc[3] = fma((float4)(av.s3), bv, acc[3]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
  }

  float local_amax = 0.0f;
  for (int i = 0; i < 4; ++i) {
    const long m = m0 + ty * 4 + i;
    const float values[4] = {acc[i].s0, acc[i].s1, acc[i].s2, acc[i].s3};
    for (int j = 0; j < 4; ++j) {
      const long n = n0 + tx * 4 + j;
      if (m >= M || n >= N) continue;
      float v = alpha * values[j];
      // beta == 0 leaves C unread (cuBLAS's rule), so NaN or garbage in C cannot leak into D.
      if (c.present && beta != 0.0f) v += beta * load_value(pc, c.dtype, matrix_offset(&c, batch, m, n));
      if (bias.present) v += load_value(pbias, bias.dtype, bias.offset_bytes + n * bias.col_stride * dtype_size(bias.dtype));
      if (epilogue == 1) v = gelu_tanh(v);
      if (epilogue == 2) v = silu(v);
      local_amax = amax_step(local_amax, v);
      store_value(pd, d.dtype, matrix_offset(&d, batch, m, n), v);
    }
  }
  if (has_amax) reduce_amax_to_global(scratch, local_amax, amax + amax_index);
}
