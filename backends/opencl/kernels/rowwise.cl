// Row-wise ops over the last dimension: SOFTMAX, RMS_NORM, LAYER_NORM. One work-group per row; the work-items
// stride over the row and meet in a local-memory tree reduction. Arithmetic in f32.

float reduce_sum(local float* scratch, float value) {
  const int lid = (int)get_local_id(0);
  barrier(CLK_LOCAL_MEM_FENCE);  // the previous reduction's readers are done with scratch
  scratch[lid] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int stride = ROW_WG / 2; stride > 0; stride /= 2) {
    if (lid < stride) scratch[lid] += scratch[lid + stride];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return scratch[0];
}

float reduce_max(local float* scratch, float value) {
  const int lid = (int)get_local_id(0);
  barrier(CLK_LOCAL_MEM_FENCE);
  scratch[lid] = value;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int stride = ROW_WG / 2; stride > 0; stride /= 2) {
    if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  return scratch[0];
}

__kernel __attribute__((reqd_work_group_size(ROW_WG, 1, 1)))
void rowwise(int op, TensorDesc x, TensorDesc gamma, TensorDesc beta, TensorDesc y, global const uchar* px,
             global const uchar* pgamma, global const uchar* pbeta, global uchar* py, float epsilon) {
  local float scratch[ROW_WG];
  const int last = x.rank - 1;
  const long cols = x.shape[last];
  const long row = get_group_id(0);
  long coord[MAX_RANK];
  unravel(row, last, x.shape, coord);
  coord[last] = 0;
  const long x_row = element_offset(&x, coord);
  const long y_row = element_offset(&y, coord);
  const long x_step = x.strides[last] * dtype_size(x.dtype);
  const long y_step = y.strides[last] * dtype_size(y.dtype);
  const long gamma_step = gamma.strides[0] * dtype_size(gamma.dtype);
  const long beta_step = beta.strides[0] * dtype_size(beta.dtype);
  const int lid = (int)get_local_id(0);

  if (op == OP_SOFTMAX) {
    float row_max = -INFINITY;
    for (long c = lid; c < cols; c += ROW_WG) row_max = fmax(row_max, load_value(px, x.dtype, x_row + c * x_step));
    row_max = reduce_max(scratch, row_max);
    float sum = 0.0f;
    for (long c = lid; c < cols; c += ROW_WG) sum += exp(load_value(px, x.dtype, x_row + c * x_step) - row_max);
    const float inverse_sum = 1.0f / reduce_sum(scratch, sum);
    for (long c = lid; c < cols; c += ROW_WG) {
      const float e = exp(load_value(px, x.dtype, x_row + c * x_step) - row_max);
      store_value(py, y.dtype, y_row + c * y_step, e * inverse_sum);
    }
    return;
  }

  float mean = 0.0f;
  float inverse_rms;
  if (op == OP_LAYER_NORM) {
    float sum = 0.0f;
    for (long c = lid; c < cols; c += ROW_WG) sum += load_value(px, x.dtype, x_row + c * x_step);
    mean = reduce_sum(scratch, sum) / (float)cols;
    // Two passes (mean, then squared deviations): no cancellation when |mean| >> stddev.
    float squares = 0.0f;
    for (long c = lid; c < cols; c += ROW_WG) {
      const float d = load_value(px, x.dtype, x_row + c * x_step) - mean;
      squares += d * d;
    }
    inverse_rms = 1.0f / sqrt(reduce_sum(scratch, squares) / (float)cols + epsilon);
  } else {
    float squares = 0.0f;
    for (long c = lid; c < cols; c += ROW_WG) {
      const float v = load_value(px, x.dtype, x_row + c * x_step);
      squares += v * v;
    }
    inverse_rms = 1.0f / sqrt(reduce_sum(scratch, squares) / (float)cols + epsilon);
  }
  for (long c = lid; c < cols; c += ROW_WG) {
    float v = (load_value(px, x.dtype, x_row + c * x_step) - mean) * inverse_rms;
    v *= load_value(pgamma, gamma.dtype, gamma.offset_bytes + c * gamma_step);
    if (op == OP_LAYER_NORM && beta.present) v += load_value(pbeta, beta.dtype, beta.offset_bytes + c * beta_step);
    store_value(py, y.dtype, y_row + c * y_step, v);
  }
}
