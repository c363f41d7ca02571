// Elementwise ops over any strided view: QUANTIZE, DEQUANTIZE, GELU, SILU, ADD, MUL. One work-item per element of
// y (grid-stride loop), coordinates unravelled from y's shape; `b` broadcasts through zero strides (the host turns
// size-1 dimensions into stride 0). QUANTIZE also reduces amax of x into a zeroed
// global uint.
__kernel __attribute__((reqd_work_group_size(POINT_WG, 1, 1)))
void pointwise(int op, TensorDesc a, TensorDesc b, TensorDesc y, global const uchar* pa, global const uchar* pb,
               global uchar* py, global uint* amax, ulong amax_index, int has_amax, float scale, int saturate, long total) {
  local float scratch[POINT_WG];
  float local_amax = 0.0f;
  long coord[MAX_RANK];
  for (long i = get_global_id(0); i < total; i += get_global_size(0)) {
    unravel(i, y.rank, y.shape, coord);
    const float x = load_value(pa, a.dtype, element_offset(&a, coord));
    const long out = element_offset(&y, coord);
    if (op == OP_QUANTIZE) {
      local_amax = amax_step(local_amax, x);
      // x * 1 == x, but skipping it keeps subnormal inputs exact on devices that flush f32 denormals.
      py[out] = fp8_encode(scale == 1.0f ? x : x * scale, y.dtype, saturate);
      continue;
    }
    float v;
    switch (op) {
      case OP_DEQUANTIZE: v = x * a.scale_inv; break;
      case OP_GELU: v = gelu_tanh(x); break;
      case OP_SILU: v = silu(x); break;
      case OP_ADD: v = x + load_value(pb, b.dtype, element_offset(&b, coord)); break;
      default: v = x * load_value(pb, b.dtype, element_offset(&b, coord)); break;
    }
    store_value(py, y.dtype, out, v);
  }
  if (op == OP_QUANTIZE && has_amax) reduce_amax_to_global(scratch, local_amax, amax + amax_index);
}
