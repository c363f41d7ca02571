// Element types as stored in device buffers, and the view descriptor every kernel receives. Buffers are bytes
// (global uchar*): f16 and bf16 are handled as ushort bit patterns and FP8 as uchar codes, so no kernel needs
// cl_khr_fp16. Every conversion is integer arithmetic that mirrors ual::fp8 (src/fp8/format.cpp, half_types.cpp)
// bit for bit, so results do not depend on a device's rounding of vstore_half or its denormal support.

// ual_dtype values (include/ual/backend_abi.h).
#define DT_F32 1
#define DT_F16 2
#define DT_BF16 3
#define DT_E4M3 4
#define DT_E5M2 5
#define DT_E4M3FNUZ 6
#define DT_E5M2FNUZ 7

// ual_op_kind values.
#define OP_QUANTIZE 2
#define OP_DEQUANTIZE 3
#define OP_SOFTMAX 4
#define OP_RMS_NORM 5
#define OP_LAYER_NORM 6
#define OP_GELU 7
#define OP_SILU 8
#define OP_ADD 9
#define OP_MUL 10

#define MAX_RANK 6

// Mirrors TensorDesc in tensor_view.hpp (same member types and order, so the same C layout: 120 bytes).
typedef struct {
  long shape[MAX_RANK];
  long strides[MAX_RANK];  // elements
  long offset_bytes;
  int rank;
  int dtype;
  float scale_inv;
  int present;
} TensorDesc;

float bf16_to_float(ushort bits) { return as_float(((uint)bits) << 16); }

// Round to nearest even; NaN becomes the canonical 0x7FFF (as cuda_bf16.h __float2bfloat16 and ual::fp8).
ushort float_to_bf16(float x) {
  const uint bits = as_uint(x);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)0x7FFF;
  return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}

float f16_to_float(ushort h) {
  const uint sign = ((uint)(h & 0x8000u)) << 16;
  const uint exp = (h >> 10) & 0x1Fu;
  const uint mantissa = h & 0x3FFu;
  uint out = 0;
  if (exp == 0x1Fu) {
    out = 0x7F800000u | (mantissa << 13);
  } else if (exp != 0) {
    out = ((exp + (127u - 15u)) << 23) | (mantissa << 13);
  } else if (mantissa != 0) {
    const int lead = 31 - (int)clz(mantissa);  // leading one, 0..9: half subnormals are float normals
    out = ((uint)(lead + 127 - 24) << 23) | ((mantissa << (23 - lead)) & 0x7FFFFFu);
  }
  return as_float(sign | out);
}

uint shift_right_rne(uint value, int shift) {
  const uint quotient = value >> shift;
  const uint remainder = value & ((1u << shift) - 1u);
  const uint half_step = 1u << (shift - 1);
  return quotient + ((remainder > half_step || (remainder == half_step && (quotient & 1u) != 0)) ? 1u : 0u);
}

// As ual::fp8::to_float16: round to nearest even, overflow to +-Inf, NaN -> 0x7FFF.
ushort float_to_f16(float x) {
  const uint bits = as_uint(x);
  const uint abs_bits = bits & 0x7FFFFFFFu;
  const ushort sign = (ushort)((bits >> 16) & 0x8000u);
  if (abs_bits > 0x7F800000u) return (ushort)0x7FFF;
  if (abs_bits == 0x7F800000u) return (ushort)(sign | 0x7C00u);
  uint magnitude = 0;
  if (abs_bits >= 0x38800000u) {
    magnitude = shift_right_rne(abs_bits - ((127u - 15u) << 23), 13);
    if (magnitude > 0x7C00u) magnitude = 0x7C00u;
  } else {
    const uint e = abs_bits >> 23;
    if (e < 102u) return sign;
    const uint sig = (abs_bits & 0x7FFFFFu) | 0x800000u;
    magnitude = shift_right_rne(sig, (int)(126u - e));
  }
  return (ushort)(sign | magnitude);
}

int fp8_mantissa_bits(int dtype) { return (dtype == DT_E4M3 || dtype == DT_E4M3FNUZ) ? 3 : 2; }
int fp8_bias(int dtype) {
  return dtype == DT_E4M3 ? 7 : dtype == DT_E5M2 ? 15 : dtype == DT_E4M3FNUZ ? 8 : 16;
}

float fp8_decode(uint code, int dtype) {
  const uint magnitude_code = code & 0x7Fu;
  const bool negative = (code & 0x80u) != 0;
  if ((dtype == DT_E4M3FNUZ || dtype == DT_E5M2FNUZ) && code == 0x80u) return NAN;
  if (dtype == DT_E4M3 && magnitude_code == 0x7Fu) return NAN;
  if (dtype == DT_E5M2 && (magnitude_code & 0x7Cu) == 0x7Cu) {
    if ((magnitude_code & 0x3u) != 0) return NAN;
    return negative ? -INFINITY : INFINITY;
  }
  const int m = fp8_mantissa_bits(dtype);
  const int bias = fp8_bias(dtype);
  const uint exp_field = magnitude_code >> m;
  const uint mantissa = magnitude_code & ((1u << m) - 1u);
  float magnitude;
  if (exp_field == 0) {
    // mantissa * 2^(1 - bias - m): a small integer times a power of two, exact in float.
    magnitude = (float)mantissa * as_float((uint)(127 + 1 - bias - m) << 23);
  } else {
    magnitude = as_float(((exp_field - (uint)bias + 127u) << 23) | (mantissa << (23 - m)));
  }
  return negative ? -magnitude : magnitude;
}

// round_magnitude of src/fp8/format.cpp: the magnitude code, with codes past the largest finite one meaning overflow.
uint fp8_round_magnitude(uint abs_bits, int m, int bias) {
  const int dropped = 23 - m;
  const uint min_normal_bits = (uint)(127 + 1 - bias) << 23;
  if (abs_bits >= min_normal_bits) {
    uint rebased = abs_bits - ((uint)(127 - bias) << 23);
    const uint lsb = (rebased >> dropped) & 1u;
    rebased += ((1u << (dropped - 1)) - 1u) + lsb;
    return rebased >> dropped;
  }
  const uint exp_field = abs_bits >> 23;
  const uint sig = (abs_bits & 0x7FFFFFu) | (exp_field != 0 ? 0x800000u : 0u);
  const int e = exp_field != 0 ? (int)exp_field : 1;
  const int shift = 151 - bias - m - e;
  if (shift >= 25) return 0;
  return shift_right_rne(sig, shift);
}

// encode_ocp / encode_fnuz of src/fp8/format.cpp.
uchar fp8_encode(float x, int dtype, int saturate) {
  const uint bits = as_uint(x);
  const uint abs_bits = bits & 0x7FFFFFFFu;
  const uint sign = (bits >> 24) & 0x80u;
  const int m = fp8_mantissa_bits(dtype);
  const int bias = fp8_bias(dtype);
  if (dtype == DT_E4M3 || dtype == DT_E5M2) {
    if (abs_bits > 0x7F800000u) return (uchar)0x7F;
    const uint max_code = dtype == DT_E4M3 ? 0x7Eu : 0x7Bu;
    const uint nosat_code = dtype == DT_E4M3 ? 0x7Fu : 0x7Cu;
    const uint code = abs_bits == 0x7F800000u ? max_code + 1u : fp8_round_magnitude(abs_bits, m, bias);
    if (code > max_code) return (uchar)(sign | (saturate ? max_code : nosat_code));
    return (uchar)(sign | code);
  }
  if (abs_bits >= 0x7F800000u) return (uchar)0x80;
  const uint code = fp8_round_magnitude(abs_bits, m, bias);
  if (code == 0) return (uchar)0;
  if (code > 0x7Fu) return saturate ? (uchar)(sign | 0x7Fu) : (uchar)0x80;
  return (uchar)(sign | code);
}

// The stored value as float, without scale_inv (callers apply scales where the op defines them).
float load_value(global const uchar* base, int dtype, long byte_offset) {
  global const uchar* p = base + byte_offset;
  switch (dtype) {
    case DT_F32: return *(global const float*)p;
    case DT_F16: return f16_to_float(*(global const ushort*)p);
    case DT_BF16: return bf16_to_float(*(global const ushort*)p);
    default: return fp8_decode(*p, dtype);
  }
}

// f32, f16 and bf16 outputs; FP8 outputs go through fp8_encode with the op's saturation.
void store_value(global uchar* base, int dtype, long byte_offset, float value) {
  global uchar* p = base + byte_offset;
  switch (dtype) {
    case DT_F32: *(global float*)p = value; break;
    case DT_F16: *(global ushort*)p = float_to_f16(value); break;
    case DT_BF16: *(global ushort*)p = float_to_bf16(value); break;
    default: break;
  }
}

int dtype_size(int dtype) { return dtype == DT_F32 ? 4 : (dtype == DT_F16 || dtype == DT_BF16) ? 2 : 1; }

// Byte offset of the element at coordinates `coord` (only the first `rank` are read).
long element_offset(const TensorDesc* t, const long* coord) {
  long elements = 0;
  for (int d = 0; d < t->rank; ++d) elements += coord[d] * t->strides[d];
  return t->offset_bytes + elements * dtype_size(t->dtype);
}

// Row-major coordinates of `linear` within the first `rank` dims of `shape`.
void unravel(long linear, int rank, const long* shape, long* coord) {
  for (int d = rank - 1; d >= 0; --d) {
    const long extent = shape[d];
    coord[d] = extent > 0 ? linear % extent : 0;
    linear = extent > 0 ? linear / extent : 0;
  }
}

// amax bits of non-negative floats order like the floats, so atomic_max on uint is a float max. NaN never gets here.
void reduce_amax_to_global(local float* scratch, float local_amax, global uint* amax) {
  const int lid = (int)get_local_id(0) + (int)(get_local_id(1) * get_local_size(0));
  const int size = (int)(get_local_size(0) * get_local_size(1));
  scratch[lid] = local_amax;
  barrier(CLK_LOCAL_MEM_FENCE);
  for (int stride = size / 2; stride > 0; stride /= 2) {
    if (lid < stride) scratch[lid] = fmax(scratch[lid], scratch[lid + stride]);
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (lid == 0) atomic_max(amax, as_uint(scratch[0]));
}

// Transformer Engine's amax step, fmaxf(fabsf(x), amax): NaN (quiet or signalling) never wins; +-Inf does.
float amax_step(float amax, float x) {
  const float a = fabs(x);
  return a > amax ? a : amax;
}

float gelu_tanh(float x) {
  const float k = 0.7978845608028654f;  // sqrt(2 / pi)
  return 0.5f * x * (1.0f + tanh(k * (x + 0.044715f * x * x * x)));
}

float silu(float x) { return x / (1.0f + exp(-x)); }
