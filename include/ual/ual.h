/* ual's C ABI: discovery, planning, simulation, compute and the seed's NPU contract for FFI hosts (Rust, C#, ctypes).
 * C11, no C++ types; every call returns a status (or, for the NPU contract, the seed's int codes) and no exception
 * ever crosses it. Stable: symbols are only added (tests/capi/exported-symbols.txt), UAL_ABI_VERSION grows with them. */
#ifndef UAL_UAL_H
#define UAL_UAL_H

#include <stddef.h>
#include <stdint.h>

#if defined(UAL_BUILDING_LIBRARY)
#define UAL_C_API __attribute__((visibility("default")))
#else
#define UAL_C_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* 1: the first release of this header. */
#define UAL_ABI_VERSION 1u
#define UAL_MAX_RANK 6

/* UAL_OK, then one code per ual::ErrorCode (same order), then the codes of the boundary itself. */
typedef enum ual_status {
  UAL_OK = 0,
  UAL_ERROR_INVALID_ARGUMENT = 1, /* malformed input: shape, option, JSON, size */
  UAL_ERROR_NOT_FOUND = 2,        /* a file, model, library or device that is not there */
  UAL_ERROR_IO = 3,               /* the OS refused or failed a read */
  UAL_ERROR_PARSE = 4,            /* content without the expected format */
  UAL_ERROR_UNAVAILABLE = 5,      /* a vendor stack or device that cannot be used here */
  UAL_ERROR_INTERNAL = 6,         /* a broken invariant inside ual (or an exception caught at the boundary) */
  UAL_ERROR_INVALID_HANDLE = 7,   /* a handle that was destroyed, or never created by ual */
  UAL_ERROR_NULL_POINTER = 8,     /* a required pointer argument was NULL; the message names it */
  UAL_ERROR_OUT_OF_MEMORY = 9,    /* std::bad_alloc inside ual */
  UAL_STATUS_MAX_ENUM = 0x7fffffff /* not a code: makes every int a valid value of the type (as Vulkan's *_MAX_ENUM) */
} ual_status;

/* Element types of tensors (ual::DType). */
typedef enum ual_dtype {
  UAL_DTYPE_F32 = 0,
  UAL_DTYPE_F16 = 1,
  UAL_DTYPE_BF16 = 2,
  UAL_DTYPE_FP8_E4M3 = 3,
  UAL_DTYPE_FP8_E5M2 = 4,
  UAL_DTYPE_FP8_E4M3FNUZ = 5,
  UAL_DTYPE_FP8_E5M2FNUZ = 6,
  UAL_DTYPE_I8 = 7,
  UAL_DTYPE_I32 = 8,
  UAL_DTYPE_MAX_ENUM = 0x7fffffff /* not a dtype: any int passed in is a value of the type, rejected as unknown */
} ual_dtype;

/* Opaque handles. A destroyed handle used again is UAL_ERROR_INVALID_HANDLE, never a crash. */
typedef struct ual_device_s* ual_device;
typedef struct ual_tensor_s* ual_tensor;

/* ---- Library and errors ---------------------------------------------------------------------------------------- */
UAL_C_API const char* ual_version(void);   /* "MAJOR.MINOR.PATCH" of libual */
UAL_C_API uint32_t ual_abi_version(void);  /* UAL_ABI_VERSION of the library (check it against the header's) */
/* The message of this thread's last failed call ("" after a success); valid until this thread's next ual call. */
UAL_C_API const char* ual_last_error(void);
UAL_C_API const char* ual_status_name(ual_status status); /* "UAL_ERROR_NOT_FOUND", ... */
UAL_C_API void ual_free(void* pointer);                     /* frees strings ual returned; NULL is fine */

/* ---- JSON answers (NUL-terminated, UTF-8, freed with ual_free; *out is NULL on failure) ---------------------- */
/* `ual devices --json`: a recorded tree when sysroot is non-NULL, else this machine with its compute devices. */
UAL_C_API ual_status ual_devices_json(const char* sysroot_or_null, char** out);
/* `ual plan --json`. options: {"objective":"latency"|"throughput"|"power","input_len","output_len","port","host",
 * "nodes"}, all optional. model: a catalog id or a path (GGUF, ONNX, config.json). */
UAL_C_API ual_status ual_plan_json(const char* model, const char* options_json_or_null, const char* sysroot_or_null,
                                   char** out);
/* `ual sim infer --json`. request: {"model","hardware" (required), "gpus","tp","pp","precision","kv_cache",
 * "input_len","output_len" (required), "mode":"batch"|"offline"|"request_rate","batch","request_rate",
 * "num_requests","max_batch","max_num_tokens","kv_cache_memory_fraction","device_memory_bytes","seed"}. */
UAL_C_API ual_status ual_sim_infer_json(const char* request_json, char** out);
/* `ual sim partition --json`. request: {"model","hardware","input_len","output_len" (required), "gpus",
 * "precision","kv_cache","objective":"throughput"|"latency","max_tpot_ms","max_ttft_ms","max_batch",
 * "max_results"}. Answer: {"model","hardware","gpus","objective","evaluated","partitions":[...],"rejected":[...]}. */
UAL_C_API ual_status ual_sim_partition_json(const char* request_json, char** out);

/* ---- Compute ---------------------------------------------------------------------------------------------------- */
/* id_or_policy: a device id ("cpu:0", "opencl:0", "cpu") or a policy: "prefer_cpu", "prefer_gpu", "prefer_npu",
 * "auto" (the first GPU or NPU in max-performance order, else the built-in CPU). */
UAL_C_API ual_status ual_device_create(const char* id_or_policy, ual_device* out);
UAL_C_API ual_status ual_device_destroy(ual_device device); /* tensors made on it stay usable */
/* The device's id ("cpu:0"); the string lives as long as the handle. */
UAL_C_API ual_status ual_device_id(ual_device device, const char** out);

/* A contiguous row-major tensor. host_data may be NULL (contents unset, host_bytes must be 0); otherwise host_bytes
 * must equal the element count times the dtype's size. rank 0 is a scalar; shape may be NULL only when rank is 0. */
UAL_C_API ual_status ual_tensor_create(ual_device device, ual_dtype dtype, const int64_t* shape, size_t rank,
                                       const void* host_data, size_t host_bytes, ual_tensor* out);
UAL_C_API ual_status ual_tensor_destroy(ual_tensor tensor);
/* Copies every element (row-major) to host memory; host_bytes must equal the tensor's size in bytes. */
UAL_C_API ual_status ual_tensor_read(ual_tensor tensor, void* host_data, size_t host_bytes);
UAL_C_API ual_status ual_tensor_dtype(ual_tensor tensor, ual_dtype* out);
/* Writes up to `capacity` dimensions into shape (may be NULL when capacity is 0) and the rank into *rank. */
UAL_C_API ual_status ual_tensor_shape(ual_tensor tensor, int64_t* shape, size_t capacity, size_t* rank);
/* FP8 tensors: real value = stored value * scale_inv (1 for other dtypes). */
UAL_C_API ual_status ual_tensor_scale_inv(ual_tensor tensor, float* out);
UAL_C_API ual_status ual_tensor_set_scale_inv(ual_tensor tensor, float scale_inv);

/* d = alpha * op(a) x op(b), f32 accumulation (ual::gemm): a [M,K] ([K,M] when transpose_a), b [K,N] ([N,K] when
 * transpose_b), d [M,N]; batched with a leading dimension. All three on one device. */
UAL_C_API ual_status ual_gemm(ual_tensor a, ual_tensor b, ual_tensor d, int transpose_a, int transpose_b, float alpha);
/* output = fp8(input * scale), saturating; output's scale_inv becomes 1/scale; *amax_or_null receives max |input|. */
UAL_C_API ual_status ual_quantize(ual_tensor input, ual_tensor output, float scale, float* amax_or_null);
/* output = input * input's scale_inv, output f32/f16/bf16. */
UAL_C_API ual_status ual_dequantize(ual_tensor input, ual_tensor output);

/* ---- The seed's NPU contract (PyAgent's amd_npu_init / amd_npu_run_model) ------------------------------------- */
#define UAL_NPU_OK 0
#define UAL_NPU_UNAVAILABLE (-1)       /* no usable Ryzen AI NPU, or no route to it for this model: fall back */
#define UAL_NPU_MODEL_NOT_FOUND (-2)   /* no such .onnx file, or a tag FastFlowLM does not know */
#define UAL_NPU_RUN_FAILED (-3)        /* the engine ran and failed (its last output is in ual_last_error) */
#define UAL_NPU_INVALID_ARGUMENT (-4)  /* NULL or empty model */
#define UAL_NPU_TIMEOUT (-5)           /* the engine did not finish in time (UAL_NPU_RUN_TIMEOUT_S, default 600) */
#define UAL_NPU_INTERNAL (-6)          /* a failure inside ual */

/* 0 when an AMD NPU with its driver bound and no problems exists AND a route to it: FastFlowLM usable on an XDNA2
 * NPU, or ONNX Runtime with VitisAIExecutionProvider. UAL_NPU_UNAVAILABLE otherwise. */
UAL_C_API int ual_npu_init(void);
/* The same answer for a recorded tree (tests). */
UAL_C_API int ual_npu_init_for(const char* sysroot);
/* model: a path ending in .onnx (run once by ONNX Runtime's VitisAI provider on zero inputs, free dimensions 1) or a
 * FastFlowLM tag ("llama3.2:1b": `flm run TAG` answering one prompt). Returns a UAL_NPU_* code. */
UAL_C_API int ual_npu_run_model(const char* model);
/* Why: {"available","route","routes":[...],"devices":[...],"runtimes":{...},"reasons":[...]}. */
UAL_C_API ual_status ual_npu_status_json(char** out);
UAL_C_API ual_status ual_npu_status_json_for(const char* sysroot, char** out);

#ifdef __cplusplus
}
#endif

#endif /* UAL_UAL_H */
