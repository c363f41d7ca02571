/* The C ABI (include/ual/ual.h) from C11: every function, its error paths (NULL, destroyed handles, wrong sizes, bad
 * JSON, unknown models, non-UTF-8 paths), GEMM against a naive loop, FP8 round trips and the NPU contract on recorded
 * machines. Prints one line per failed check and exits 1 when any failed. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ual/ual.h"

static int failures = 0;
static int checks = 0;

#define CHECK(condition)                                                                          \
  do {                                                                                            \
    ++checks;                                                                                     \
    if (!(condition)) {                                                                           \
      ++failures;                                                                                 \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #condition, \
              ual_last_error());                                                                  \
    }                                                                                             \
  } while (0)

/* A call's status is `expected` and, for failures, the message contains `needle`. */
#define CHECK_STATUS(call, expected, needle)                                                                 \
  do {                                                                                                       \
    ual_status status_ = (call);                                                                             \
    ++checks;                                                                                                \
    if (status_ != (expected) || ((expected) != UAL_OK && strstr(ual_last_error(), (needle)) == NULL)) {     \
      ++failures;                                                                                            \
      fprintf(stderr, "%s:%d: %s gave %s (expected %s, message containing \"%s\"): %s\n", __FILE__, __LINE__, \
              #call, ual_status_name(status_), ual_status_name(expected), (needle), ual_last_error());        \
    }                                                                                                        \
  } while (0)

#define MACHINE(name) UAL_FIXTURES_DIR "/machines/" name

static int contains(const char* text, const char* needle) { return text != NULL && strstr(text, needle) != NULL; }

static void test_library(void) {
  CHECK(ual_abi_version() == UAL_ABI_VERSION);
  CHECK(ual_version() != NULL && strchr(ual_version(), '.') != NULL);
  CHECK(strcmp(ual_status_name(UAL_ERROR_INVALID_HANDLE), "UAL_ERROR_INVALID_HANDLE") == 0);
  CHECK(strcmp(ual_status_name((ual_status)99), "UAL_ERROR_UNKNOWN") == 0);
  ual_free(NULL);
}

static void test_json_answers(void) {
  char* out = (char*)1;
  CHECK_STATUS(ual_devices_json(NULL, NULL), UAL_ERROR_NULL_POINTER, "'out'");
  CHECK_STATUS(ual_devices_json(MACHINE("strix-halo-laptop"), &out), UAL_OK, "");
  CHECK(contains(out, "\"xdna2\"") && contains(out, "\"runtimes\""));
  CHECK(strcmp(ual_last_error(), "") == 0);
  ual_free(out);
  CHECK_STATUS(ual_devices_json(NULL, &out), UAL_OK, "");
  CHECK(contains(out, "\"compute_devices\"") && contains(out, "cpu:0"));
  ual_free(out);
  CHECK_STATUS(ual_devices_json("/nonexistent/\xff\xfe-sysroot", &out), UAL_ERROR_NOT_FOUND, "sysroot");
  CHECK(out == NULL);

  CHECK_STATUS(ual_plan_json(NULL, NULL, NULL, &out), UAL_ERROR_NULL_POINTER, "'model'");
  CHECK_STATUS(ual_plan_json("llama-3.2-3b", "{\"objective\":\"latency\",\"input_len\":512}",
                             MACHINE("strix-halo-laptop"), &out),
               UAL_OK, "");
  CHECK(contains(out, "\"strategies\"") && contains(out, "fastflowlm"));
  ual_free(out);
  CHECK_STATUS(ual_plan_json("llama-3.2-3b", "{not json", NULL, &out), UAL_ERROR_PARSE, "not valid JSON");
  CHECK_STATUS(ual_plan_json("llama-3.2-3b", "{\"objectve\":\"latency\"}", NULL, &out), UAL_ERROR_INVALID_ARGUMENT,
               "objectve");
  CHECK_STATUS(ual_plan_json("llama-3.2-3b", "{\"input_len\":\"many\"}", NULL, &out), UAL_ERROR_INVALID_ARGUMENT,
               "input_len");
  CHECK_STATUS(ual_plan_json("llama-3.2-3b", "{\"objective\":\"speed\"}", NULL, &out), UAL_ERROR_INVALID_ARGUMENT,
               "speed");
  CHECK_STATUS(ual_plan_json("no-such-model-xyz", NULL, MACHINE("cpu-only-server"), &out), UAL_ERROR_NOT_FOUND,
               "no-such-model-xyz");
  /* Linux paths are bytes: a name that is not UTF-8 is just a file that is not there. */
  CHECK_STATUS(ual_plan_json("/tmp/ual-capi-\xff\xfe/model.gguf", NULL, NULL, &out), UAL_ERROR_NOT_FOUND, "");
  CHECK(out == NULL);

  CHECK_STATUS(ual_sim_infer_json(NULL, &out), UAL_ERROR_NULL_POINTER, "'request_json'");
  CHECK_STATUS(ual_sim_infer_json("{\"model\":\"llama-3.1-8b\",\"hardware\":\"h100-sxm\",\"input_len\":128,"
                                  "\"output_len\":64,\"mode\":\"batch\",\"batch\":8,\"precision\":\"fp8\"}",
                                  &out),
               UAL_OK, "");
  CHECK(contains(out, "tpot_ms") || contains(out, "throughput"));
  ual_free(out);
  CHECK_STATUS(ual_sim_infer_json("[1,2]", &out), UAL_ERROR_INVALID_ARGUMENT, "object");
  CHECK_STATUS(ual_sim_infer_json("{\"model\":\"llama-3.1-8b\"}", &out), UAL_ERROR_INVALID_ARGUMENT, "hardware");
  CHECK_STATUS(ual_sim_infer_json("{\"model\":\"llama-3.1-8b\",\"hardware\":\"h100-sxm\",\"input_len\":1,"
                                  "\"output_len\":1,\"mode\":\"sometimes\"}",
                                  &out),
               UAL_ERROR_INVALID_ARGUMENT, "sometimes");
  CHECK_STATUS(ual_sim_infer_json("{\"model\":\"nope-model\",\"hardware\":\"h100-sxm\"}", &out), UAL_ERROR_NOT_FOUND,
               "nope-model");
  CHECK_STATUS(ual_sim_infer_json("{\"model\":\"\xff\",\"hardware\":\"h100-sxm\"}", &out), UAL_ERROR_PARSE, "JSON");

  CHECK_STATUS(ual_sim_partition_json("{\"model\":\"llama-3.1-70b\",\"hardware\":\"h100-sxm\",\"gpus\":8,"
                                      "\"precision\":\"fp8\",\"input_len\":2048,\"output_len\":512,"
                                      "\"max_tpot_ms\":50}",
                                      &out),
               UAL_OK, "");
  CHECK(contains(out, "\"partitions\"") && contains(out, "\"tp\""));
  ual_free(out);
  CHECK_STATUS(ual_sim_partition_json("{\"model\":\"llama-3.1-70b\",\"hardware\":\"h100-sxm\"}", &out),
               UAL_ERROR_INVALID_ARGUMENT, "input_len");
  CHECK_STATUS(ual_sim_partition_json("{\"model\":\"llama-3.1-70b\",\"hardware\":\"h100-sxm\",\"input_len\":8,"
                                      "\"output_len\":8,\"objective\":\"cheap\"}",
                                      &out),
               UAL_ERROR_INVALID_ARGUMENT, "cheap");
  CHECK_STATUS(ual_sim_partition_json(NULL, NULL), UAL_ERROR_NULL_POINTER, "'out'");
}

static void test_devices(void) {
  ual_device device = NULL;
  const char* id = NULL;
  CHECK_STATUS(ual_device_create(NULL, &device), UAL_ERROR_NULL_POINTER, "'id_or_policy'");
  CHECK_STATUS(ual_device_create("cpu:0", NULL), UAL_ERROR_NULL_POINTER, "'out'");
  CHECK_STATUS(ual_device_create("tpu:7", &device), UAL_ERROR_NOT_FOUND, "tpu:7");
  CHECK(device == NULL);
  CHECK_STATUS(ual_device_create("prefer_magic", &device), UAL_ERROR_INVALID_ARGUMENT, "prefer_magic");
  const char* policies[] = {"auto", "prefer_cpu", "prefer_gpu", "prefer_npu", "cpu"};
  for (size_t i = 0; i < sizeof policies / sizeof policies[0]; ++i) {
    CHECK_STATUS(ual_device_create(policies[i], &device), UAL_OK, "");
    CHECK_STATUS(ual_device_id(device, &id), UAL_OK, "");
    CHECK(id != NULL && strchr(id, ':') != NULL);
    CHECK_STATUS(ual_device_destroy(device), UAL_OK, "");
  }
  /* A destroyed handle is an error with a message, never a crash. */
  CHECK_STATUS(ual_device_id(device, &id), UAL_ERROR_INVALID_HANDLE, "destroyed");
  CHECK_STATUS(ual_device_destroy(device), UAL_ERROR_INVALID_HANDLE, "'device'");
  CHECK_STATUS(ual_device_destroy(NULL), UAL_ERROR_NULL_POINTER, "'device'");
  CHECK_STATUS(ual_device_id((ual_device)(uintptr_t)0x12345, &id), UAL_ERROR_INVALID_HANDLE, "never created");
}

static void naive_gemm(const float* a, const float* b, float* d, int m, int n, int k, int transpose_b, float alpha) {
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = 0;
      for (int p = 0; p < k; ++p) sum += (double)a[i * k + p] * (transpose_b ? b[j * k + p] : b[p * n + j]);
      d[i * n + j] = (float)(alpha * sum);
    }
}

static void test_gemm(ual_device device) {
  enum { M = 5, N = 7, K = 9 };
  float a[M * K], b[K * N], expected[M * N], got[M * N];
  for (int i = 0; i < M * K; ++i) a[i] = (float)((i * 7) % 11) / 4.0f - 1.0f;
  for (int i = 0; i < K * N; ++i) b[i] = (float)((i * 5) % 13) / 8.0f - 0.75f;
  const int64_t shape_a[] = {M, K}, shape_b[] = {K, N}, shape_bt[] = {N, K}, shape_d[] = {M, N};
  ual_tensor ta = NULL, tb = NULL, tbt = NULL, td = NULL;
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape_a, 2, a, sizeof a, &ta), UAL_OK, "");
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape_b, 2, b, sizeof b, &tb), UAL_OK, "");
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape_d, 2, NULL, 0, &td), UAL_OK, "");
  CHECK_STATUS(ual_gemm(ta, tb, td, 0, 0, 0.5f), UAL_OK, "");
  CHECK_STATUS(ual_tensor_read(td, got, sizeof got), UAL_OK, "");
  naive_gemm(a, b, expected, M, N, K, 0, 0.5f);
  for (int i = 0; i < M * N; ++i) CHECK(fabsf(got[i] - expected[i]) <= 1e-4f * (1.0f + fabsf(expected[i])));

  /* B stored transposed ([N, K]). */
  float bt[N * K];
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k) bt[n * K + k] = b[k * N + n];
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape_bt, 2, bt, sizeof bt, &tbt), UAL_OK, "");
  CHECK_STATUS(ual_gemm(ta, tbt, td, 0, 1, 1.0f), UAL_OK, "");
  CHECK_STATUS(ual_tensor_read(td, got, sizeof got), UAL_OK, "");
  naive_gemm(a, bt, expected, M, N, K, 1, 1.0f);
  for (int i = 0; i < M * N; ++i) CHECK(fabsf(got[i] - expected[i]) <= 1e-4f * (1.0f + fabsf(expected[i])));

  /* Shape, dtype and error paths. */
  int64_t dims[UAL_MAX_RANK];
  size_t rank = 0;
  ual_dtype dtype = UAL_DTYPE_I8;
  CHECK_STATUS(ual_tensor_shape(td, dims, UAL_MAX_RANK, &rank), UAL_OK, "");
  CHECK(rank == 2 && dims[0] == M && dims[1] == N);
  CHECK_STATUS(ual_tensor_shape(td, NULL, 0, &rank), UAL_OK, "");
  CHECK_STATUS(ual_tensor_shape(td, NULL, 2, &rank), UAL_ERROR_NULL_POINTER, "'shape'");
  CHECK_STATUS(ual_tensor_dtype(td, &dtype), UAL_OK, "");
  CHECK(dtype == UAL_DTYPE_F32);
  CHECK_STATUS(ual_gemm(ta, ta, td, 0, 0, 1.0f), UAL_ERROR_INVALID_ARGUMENT, "");
  CHECK_STATUS(ual_gemm(ta, NULL, td, 0, 0, 1.0f), UAL_ERROR_NULL_POINTER, "'b'");
  CHECK_STATUS(ual_tensor_read(td, got, sizeof got - 4), UAL_ERROR_INVALID_ARGUMENT, "136");
  CHECK(contains(ual_last_error(), "140"));
  CHECK_STATUS(ual_tensor_read(td, NULL, sizeof got), UAL_ERROR_NULL_POINTER, "'host_data'");

  ual_tensor bad = NULL;
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape_a, 2, a, sizeof a - 1, &bad), UAL_ERROR_INVALID_ARGUMENT,
               "179");
  CHECK(contains(ual_last_error(), "180") && bad == NULL);
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, NULL, 2, NULL, 0, &bad), UAL_ERROR_NULL_POINTER, "'shape'");
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape_a, 2, NULL, 16, &bad), UAL_ERROR_NULL_POINTER,
               "'host_data'");
  CHECK_STATUS(ual_tensor_create(device, (ual_dtype)42, shape_a, 2, NULL, 0, &bad), UAL_ERROR_INVALID_ARGUMENT, "42");
  const int64_t negative[] = {3, -1};
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, negative, 2, NULL, 0, &bad), UAL_ERROR_INVALID_ARGUMENT, "-1");
  const int64_t deep[7] = {1, 1, 1, 1, 1, 1, 1};
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, deep, 7, NULL, 0, &bad), UAL_ERROR_INVALID_ARGUMENT, "rank");
  const float scalar_value = 2.5f;
  float scalar_back = 0;
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, NULL, 0, &scalar_value, sizeof scalar_value, &bad), UAL_OK,
               "");
  CHECK_STATUS(ual_tensor_read(bad, &scalar_back, sizeof scalar_back), UAL_OK, "");
  CHECK(scalar_back == 2.5f);
  CHECK_STATUS(ual_tensor_destroy(bad), UAL_OK, "");

  CHECK_STATUS(ual_tensor_destroy(tb), UAL_OK, "");
  CHECK_STATUS(ual_gemm(ta, tb, td, 0, 0, 1.0f), UAL_ERROR_INVALID_HANDLE, "'b'");
  CHECK_STATUS(ual_tensor_destroy(tb), UAL_ERROR_INVALID_HANDLE, "destroyed");
  CHECK_STATUS(ual_tensor_read(tb, got, sizeof got), UAL_ERROR_INVALID_HANDLE, "ual_tensor");
  CHECK_STATUS(ual_tensor_destroy(ta), UAL_OK, "");
  CHECK_STATUS(ual_tensor_destroy(tbt), UAL_OK, "");
  CHECK_STATUS(ual_tensor_destroy(td), UAL_OK, "");
}

static void test_fp8(ual_device device) {
  enum { COUNT = 64 };
  float input[COUNT], back[COUNT], amax = 0, scale_inv = 0;
  float largest = 0;
  for (int i = 0; i < COUNT; ++i) {
    input[i] = (float)(i - 32) * 0.37f;
    if (fabsf(input[i]) > largest) largest = fabsf(input[i]);
  }
  const int64_t shape[] = {4, 16};
  ual_tensor x = NULL, q = NULL, y = NULL;
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape, 2, input, sizeof input, &x), UAL_OK, "");
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_FP8_E4M3, shape, 2, NULL, 0, &q), UAL_OK, "");
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_F32, shape, 2, NULL, 0, &y), UAL_OK, "");
  const float scale = 448.0f / largest;
  CHECK_STATUS(ual_quantize(x, q, scale, &amax), UAL_OK, "");
  CHECK(amax == largest);
  CHECK_STATUS(ual_tensor_scale_inv(q, &scale_inv), UAL_OK, "");
  CHECK(fabsf(scale_inv - 1.0f / scale) <= 1e-6f * scale_inv);
  CHECK_STATUS(ual_dequantize(q, y), UAL_OK, "");
  CHECK_STATUS(ual_tensor_read(y, back, sizeof back), UAL_OK, "");
  /* E4M3 keeps 3 mantissa bits: round to nearest is within 2^-4 relative (subnormals: half a step absolute). */
  for (int i = 0; i < COUNT; ++i)
    CHECK(fabsf(back[i] - input[i]) <= fabsf(input[i]) / 16.0f + scale_inv * 0x1p-10f);
  unsigned char bytes[COUNT];
  CHECK_STATUS(ual_tensor_read(q, bytes, sizeof bytes), UAL_OK, "");
  CHECK(bytes[32] == 0x00); /* input[32] == 0 */

  /* E5M2 without amax; then a doubled scale_inv doubles what dequantize gives. */
  ual_tensor q2 = NULL;
  CHECK_STATUS(ual_tensor_create(device, UAL_DTYPE_FP8_E5M2, shape, 2, NULL, 0, &q2), UAL_OK, "");
  CHECK_STATUS(ual_quantize(x, q2, 1.0f, NULL), UAL_OK, "");
  CHECK_STATUS(ual_tensor_set_scale_inv(q2, 2.0f), UAL_OK, "");
  CHECK_STATUS(ual_dequantize(q2, y), UAL_OK, "");
  CHECK_STATUS(ual_tensor_read(y, back, sizeof back), UAL_OK, "");
  for (int i = 0; i < COUNT; ++i) CHECK(fabsf(back[i] - 2.0f * input[i]) <= fabsf(input[i]) / 4.0f + 1e-6f);

  CHECK_STATUS(ual_quantize(x, y, 1.0f, NULL), UAL_ERROR_INVALID_ARGUMENT, "");
  CHECK_STATUS(ual_quantize(NULL, q, 1.0f, NULL), UAL_ERROR_NULL_POINTER, "'input'");
  CHECK_STATUS(ual_dequantize(q, NULL), UAL_ERROR_NULL_POINTER, "'output'");
  CHECK_STATUS(ual_tensor_scale_inv(q, NULL), UAL_ERROR_NULL_POINTER, "'out'");
  ual_tensor_destroy(q2);
  ual_tensor_destroy(x);
  CHECK_STATUS(ual_quantize(x, q, 1.0f, NULL), UAL_ERROR_INVALID_HANDLE, "'input'");
  ual_tensor_destroy(q);
  ual_tensor_destroy(y);
  CHECK_STATUS(ual_dequantize(q, y), UAL_ERROR_INVALID_HANDLE, "'input'");
}

static void test_npu_contract(void) {
  char* out = NULL;
  /* This machine has no NPU: the seed's caller falls back to the CPU. */
  CHECK(ual_npu_init() == UAL_NPU_UNAVAILABLE);
  CHECK(ual_last_error()[0] != '\0');
  CHECK(ual_npu_init_for(MACHINE("strix-halo-laptop")) == UAL_NPU_OK);
  CHECK(ual_npu_init_for(MACHINE("phoenix-laptop")) == UAL_NPU_UNAVAILABLE);
  CHECK(contains(ual_last_error(), "no driver bound"));
  CHECK(ual_npu_init_for(MACHINE("cpu-only-server")) == UAL_NPU_UNAVAILABLE);
  CHECK(contains(ual_last_error(), "no NPU found"));
  CHECK(ual_npu_init_for(NULL) == UAL_NPU_INVALID_ARGUMENT);
  CHECK(ual_npu_init_for("/nonexistent/\xff-root") == UAL_NPU_UNAVAILABLE);

  CHECK_STATUS(ual_npu_status_json_for(MACHINE("strix-halo-laptop"), &out), UAL_OK, "");
  CHECK(contains(out, "\"available\": true") && contains(out, "\"route\": \"fastflowlm\""));
  ual_free(out);
  CHECK_STATUS(ual_npu_status_json_for(MACHINE("phoenix-laptop"), &out), UAL_OK, "");
  CHECK(contains(out, "\"available\": false") && contains(out, "\"route\": null"));
  ual_free(out);
  CHECK_STATUS(ual_npu_status_json(&out), UAL_OK, "");
  CHECK(contains(out, "\"available\": false") && contains(out, "\"reasons\""));
  ual_free(out);
  CHECK_STATUS(ual_npu_status_json(NULL), UAL_ERROR_NULL_POINTER, "'out'");
  CHECK_STATUS(ual_npu_status_json_for(NULL, &out), UAL_ERROR_NULL_POINTER, "'sysroot'");

  CHECK(ual_npu_run_model(NULL) == UAL_NPU_INVALID_ARGUMENT);
  CHECK(ual_npu_run_model("") == UAL_NPU_INVALID_ARGUMENT);
  CHECK(ual_npu_run_model("/nonexistent/\xff\xfe.onnx") == UAL_NPU_MODEL_NOT_FOUND);
  CHECK(contains(ual_last_error(), "no such ONNX file"));
  CHECK(ual_npu_run_model("llama3.2:1b") == UAL_NPU_UNAVAILABLE);
  CHECK(contains(ual_last_error(), "no NPU route"));
}

int main(void) {
  test_library();
  test_json_answers();
  test_devices();
  ual_device cpu = NULL;
  CHECK_STATUS(ual_device_create("cpu:0", &cpu), UAL_OK, "");
  if (cpu != NULL) {
    test_gemm(cpu);
    test_fp8(cpu);
    ual_device_destroy(cpu);
  }
  test_npu_contract();
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
