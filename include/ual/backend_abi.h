/* The frozen C ABI between libual and its compute plugins (libual-backend-<name>.so): how a plugin says whether it
 * can run here, which devices it offers, and how ops, buffers and copies reach it. Plain C11, no C++ types.
 *
 * Versioning (ONNX Runtime's plugin-EP rule): every struct starts with `uint32_t abi_version`, the
 * UAL_BACKEND_ABI_VERSION the writer was built against. Members are only ever appended; a reader checks the version
 * before touching a member added later ("since N" below). A plugin whose api table carries a version the host does
 * not know is refused with a message, never called.
 *
 * A plugin exports two functions (and nothing else is looked up):
 *
 *   uint32_t ual_backend_score(const ual_host* host, ual_error* why);
 *       0 = cannot run here (why->message says what is missing, e.g. "unavailable: libOpenCL.so.1 not found");
 *       otherwise higher is better when two plugins offer the same backend name (ggml-backend's rule).
 *   const ual_backend_api* ual_backend_init(const ual_host* host, ual_error* error);
 *       NULL on failure with error filled in. The table lives until api->shutdown(api->backend) is called.
 *
 * Threading: the host serialises calls per device (one in-order queue per device, like a CUDA stream or an OpenCL
 * in-order command queue). Different devices may be driven from different threads.
 *
 * Errors: functions return a ual_status (0 = UAL_STATUS_OK) and, on failure, write a sentence into error->message
 * naming what is wrong. Nothing else crosses the boundary: no exceptions, no C++ types, no ownership of host memory.
 */
#ifndef UAL_BACKEND_ABI_H
#define UAL_BACKEND_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define UAL_BACKEND_ABI_VERSION 1u
#define UAL_MAX_RANK 6
#define UAL_ERROR_MESSAGE_SIZE 1024

typedef int32_t ual_status;
enum {
  UAL_STATUS_OK = 0,
  UAL_STATUS_INVALID_ARGUMENT = 1, /* shapes, dtypes, strides the op cannot take */
  UAL_STATUS_UNSUPPORTED = 2,      /* a valid op this device does not implement */
  UAL_STATUS_UNAVAILABLE = 3,      /* vendor library or device missing */
  UAL_STATUS_OUT_OF_MEMORY = 4,
  UAL_STATUS_DEVICE_ERROR = 5,     /* the vendor runtime failed */
  UAL_STATUS_INTERNAL = 6
};

typedef struct ual_error {
  uint32_t abi_version;
  ual_status code;
  char message[UAL_ERROR_MESSAGE_SIZE]; /* NUL-terminated */
} ual_error;

/* Element types. FP8 names follow ual::fp8 (OCP E4M3 / E5M2 and the FNUZ variants of MI300). */
typedef enum ual_dtype {
  UAL_DTYPE_F32 = 1,
  UAL_DTYPE_F16 = 2,
  UAL_DTYPE_BF16 = 3,
  UAL_DTYPE_FP8_E4M3 = 4,
  UAL_DTYPE_FP8_E5M2 = 5,
  UAL_DTYPE_FP8_E4M3FNUZ = 6,
  UAL_DTYPE_FP8_E5M2FNUZ = 7,
  UAL_DTYPE_I8 = 8,
  UAL_DTYPE_I32 = 9
} ual_dtype;

/* Opaque plugin objects. */
typedef struct ual_device ual_device;
typedef struct ual_buffer ual_buffer;
typedef struct ual_event ual_event;

/* A view of device memory: element (not byte) strides, any rank up to UAL_MAX_RANK. A stride of 0 broadcasts.
 * FP8 tensors carry scale_inv (real value = stored value * scale_inv, Transformer Engine's convention); other
 * dtypes carry 1. buffer == NULL means "operand absent" (optional operands). */
typedef struct ual_tensor {
  uint32_t abi_version;
  ual_dtype dtype;
  uint32_t rank;
  int64_t shape[UAL_MAX_RANK];
  int64_t strides[UAL_MAX_RANK];
  ual_buffer* buffer;
  uint64_t offset_bytes;
  float scale_inv;
} ual_tensor;

typedef enum ual_op_kind {
  UAL_OP_GEMM = 1,
  UAL_OP_QUANTIZE = 2,
  UAL_OP_DEQUANTIZE = 3,
  UAL_OP_SOFTMAX = 4,
  UAL_OP_RMS_NORM = 5,
  UAL_OP_LAYER_NORM = 6,
  UAL_OP_GELU = 7,
  UAL_OP_SILU = 8,
  UAL_OP_ADD = 9,
  UAL_OP_MUL = 10
} ual_op_kind;

typedef enum ual_epilogue {
  UAL_EPILOGUE_NONE = 0,
  UAL_EPILOGUE_GELU = 1, /* tanh approximation, as cuBLASLt's CUBLASLT_EPILOGUE_GELU and Transformer Engine */
  UAL_EPILOGUE_SILU = 2
} ual_epilogue;

/* GEMM, per batch b:  D[b] = epilogue(alpha * A.scale_inv * B.scale_inv * (A[b] x B[b]) + beta * C[b] + bias)
 *   inputs:  [0] A, rank 3: [batch, M, K]   [1] B, rank 3: [batch, K, N]
 *            [2] C, rank 3: [batch, M, N] or absent   [3] bias, rank 1: [N] or absent
 *   outputs: [0] D, rank 3: [batch, M, N]   [1] amax of D, rank 1: [1] f32, or absent
 * D may be FP8 (no C then, bias f32): it stores encode(v / D.scale_inv) saturating, and amax is of v before that.
 * Transposes arrive as strides (the host swaps them), so a plugin sees logical row-major views and picks its own
 * layout from which stride is 1. Accumulation is in f32. The host has validated shapes, dtypes and devices. */
typedef struct ual_gemm_params {
  uint32_t abi_version;
  float alpha;
  float beta;
  ual_epilogue epilogue;
  /* Transformer Engine's use_split_accumulator: 1 = accumulate FP8 products in full f32 (cuBLASLt
   * CUBLASLT_MATMUL_DESC_FAST_ACCUM = 0). Devices without a fast-accumulation mode ignore it. */
  int32_t use_split_accumulator;
} ual_gemm_params;

/* QUANTIZE:   inputs [0] x (f32/f16/bf16), outputs [0] y (FP8, same shape), [1] amax of x ([1] f32) or absent;
 *             y = fp8(x * scale), saturating to the format's largest finite value when saturate != 0.
 * DEQUANTIZE: inputs [0] x (FP8, scale_inv used), outputs [0] y (f32/bf16/f16). */
typedef struct ual_quantize_params {
  uint32_t abi_version;
  float scale;
  int32_t saturate;
} ual_quantize_params;

/* Row-wise ops over the last dimension (rows = product of the others):
 * SOFTMAX:    inputs [0] x; outputs [0] y
 * RMS_NORM:   inputs [0] x, [1] gamma [D];            y = x / sqrt(mean(x^2) + epsilon) * gamma
 * LAYER_NORM: inputs [0] x, [1] gamma [D], [2] beta [D] or absent; y = (x - mean) / sqrt(var + epsilon) * gamma + beta
 * Elementwise: GELU (tanh approximation), SILU: inputs [0] x; ADD, MUL: inputs [0] a, [1] b (b may broadcast
 * through zero strides); outputs [0] y. f32, f16 and bf16 tensors; arithmetic in f32. */
typedef struct ual_norm_params {
  uint32_t abi_version;
  float epsilon;
} ual_norm_params;

typedef struct ual_op {
  uint32_t abi_version;
  ual_op_kind kind;
  uint32_t input_count;
  const ual_tensor* inputs;
  uint32_t output_count;
  const ual_tensor* outputs;
  const void* params; /* ual_gemm_params*, ual_quantize_params*, ual_norm_params* or NULL; starts with abi_version */
} ual_op;

typedef enum ual_device_kind {
  UAL_DEVICE_CPU = 1,
  UAL_DEVICE_GPU = 2,  /* discrete GPU */
  UAL_DEVICE_IGPU = 3, /* integrated GPU sharing host memory */
  UAL_DEVICE_NPU = 4,
  UAL_DEVICE_OTHER = 5
} ual_device_kind;

typedef struct ual_device_info {
  uint32_t abi_version;
  char name[256];
  ual_device_kind kind;
  /* Binding to the HardwareDevice discovery found: PCI ids and address when known (0 / "" otherwise). */
  uint32_t pci_vendor_id;
  uint32_t pci_device_id;
  char pci_address[32]; /* "0000:c1:00.0" */
  char driver_version[64];
  uint64_t memory_bytes;
  /* 1 when device buffers are plain host memory the host may read and write directly (the CPU backend). */
  int32_t host_visible_memory;
  /* Datasheet or driver-reported peaks (0 = unknown); the selector calibrates its own figures on top. */
  double peak_f32_gflops;
  double memory_bandwidth_gbps;
} ual_device_info;

/* What the host lends a plugin. */
typedef struct ual_host {
  uint32_t abi_version;
  const char* host_version;    /* ual's version, "0.1.0" */
  const char* cache_directory; /* a directory the plugin may write caches to (program binaries), or NULL */
  void (*log)(int32_t level, const char* message); /* level 0 debug, 1 info, 2 warning; may be NULL */
} ual_host;

/* The table a plugin returns. Entries marked (optional) may be NULL; the default is stated beside them. */
typedef struct ual_backend_api {
  uint32_t abi_version;
  const char* name; /* "cpu", "opencl", "cuda", "hip": device ids become "<name>:<index>" */
  void* backend;    /* passed back as the first argument below */

  uint32_t (*device_count)(void* backend);
  ual_status (*device_info)(void* backend, uint32_t index, ual_device_info* info, ual_error* error);
  ual_status (*device_open)(void* backend, uint32_t index, ual_device** device, ual_error* error);
  void (*device_close)(ual_device* device); /* the host has freed every buffer and event first */

  ual_status (*buffer_allocate)(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error);
  void (*buffer_free)(ual_device* device, ual_buffer* buffer);
  /* (optional) a host pointer to the buffer's bytes when device_info.host_visible_memory; NULL default: copies. */
  void* (*buffer_host_pointer)(ual_device* device, ual_buffer* buffer);

  /* Copies run in queue order after earlier work. completion == NULL: return when done. Otherwise the copy may still
   * be running on return and *completion is an event to wait for; the host memory must stay valid until then. */
  ual_status (*copy_host_to_device)(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                    const void* source, uint64_t bytes, ual_event** completion, ual_error* error);
  ual_status (*copy_device_to_host)(ual_device* device, void* destination, const ual_buffer* source,
                                    uint64_t source_offset, uint64_t bytes, ual_event** completion, ual_error* error);
  ual_status (*copy_device_to_device)(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                      const ual_buffer* source, uint64_t source_offset, uint64_t bytes,
                                      ual_error* error);
  ual_status (*event_wait)(ual_device* device, ual_event* event, ual_error* error);
  void (*event_free)(ual_device* device, ual_event* event);
  ual_status (*synchronize)(ual_device* device, ual_error* error); /* waits for everything queued so far */

  /* (optional) 1 when run() would accept this op (dtypes, ranks, strides), 0 with a reason in why otherwise.
   * NULL default: every op is attempted and run() reports UAL_STATUS_UNSUPPORTED. */
  int32_t (*supports)(ual_device* device, const ual_op* op, ual_error* why);
  /* Enqueues the op; outputs are ready after a later synchronize / blocking copy. */
  ual_status (*run)(ual_device* device, const ual_op* op, ual_error* error);

  void (*shutdown)(void* backend); /* after every device is closed */
} ual_backend_api;

typedef uint32_t (*ual_backend_score_function)(const ual_host* host, ual_error* why);
typedef const ual_backend_api* (*ual_backend_init_function)(const ual_host* host, ual_error* error);

#ifdef __cplusplus
}
#endif

#endif /* UAL_BACKEND_ABI_H */
