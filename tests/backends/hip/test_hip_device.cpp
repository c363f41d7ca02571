// The HIP plugin on a real AMD GPU: device description, copies and events, out-of-memory, an elementwise op, GEMM
// through rocBLAS against a host loop, the FP8 format rule, and bad input naming the device. Every test skips with
// the plugin's reason where there is no AMD GPU (the CI machine).
#include <cmath>
#include <cstdio>
#include <vector>

#include "hip_harness.hpp"

namespace ual::hip::test {
namespace {

bool contains(const char* text, const std::string& part) { return std::string(text).find(part) != std::string::npos; }

ual_tensor tensor(ual_dtype dtype, std::initializer_list<int64_t> shape, ual_buffer* buffer) {
  ual_tensor t{};
  t.abi_version = UAL_BACKEND_ABI_VERSION;
  t.dtype = dtype;
  t.rank = static_cast<uint32_t>(shape.size());
  int i = 0;
  for (int64_t extent : shape) t.shape[i++] = extent;
  int64_t stride = 1;
  for (int d = static_cast<int>(t.rank) - 1; d >= 0; --d) {
    t.strides[d] = stride;
    stride *= t.shape[d];
  }
  t.buffer = buffer;
  t.scale_inv = 1.0f;
  return t;
}

// A device buffer holding `values` (f32), freed with the scope.
struct DeviceFloats {
  ual_buffer* buffer = nullptr;
  explicit DeviceFloats(const std::vector<float>& values) {
    Session& s = session();
    ual_error error = make_error();
    EXPECT_EQ(s.api->buffer_allocate(s.device, values.size() * 4, &buffer, &error), UAL_STATUS_OK) << error.message;
    EXPECT_EQ(s.api->copy_host_to_device(s.device, buffer, 0, values.data(), values.size() * 4, nullptr, &error),
              UAL_STATUS_OK)
        << error.message;
  }
  ~DeviceFloats() { session().api->buffer_free(session().device, buffer); }
  std::vector<float> read(std::size_t count) const {
    std::vector<float> values(count);
    ual_error error = make_error();
    Session& s = session();
    EXPECT_EQ(s.api->synchronize(s.device, &error), UAL_STATUS_OK) << error.message;
    EXPECT_EQ(s.api->copy_device_to_host(s.device, values.data(), buffer, 0, count * 4, nullptr, &error),
              UAL_STATUS_OK)
        << error.message;
    return values;
  }
};

TEST(HipDevice, DescribesEveryDevice) {
  UAL_HIP_REQUIRE_DEVICE();
  const ual_backend_api* api = session().api;
  EXPECT_STREQ(api->name, "hip");
  for (uint32_t i = 0; i < api->device_count(api->backend); ++i) {
    ual_device_info info{};
    ual_error error = make_error();
    ASSERT_EQ(api->device_info(api->backend, i, &info, &error), UAL_STATUS_OK) << error.message;
    EXPECT_EQ(info.pci_vendor_id, 0x1002U);
    EXPECT_GT(info.memory_bytes, 0U);
    EXPECT_TRUE(info.kind == UAL_DEVICE_GPU || info.kind == UAL_DEVICE_IGPU);
    std::printf("hip:%u %s pci %s driver %s memory %llu MiB peak %.0f GFLOP/s\n", i, info.name, info.pci_address,
                info.driver_version, static_cast<unsigned long long>(info.memory_bytes >> 20), info.peak_f32_gflops);
  }
}

TEST(HipDevice, CopiesRoundTripWithEvents) {
  UAL_HIP_REQUIRE_DEVICE();
  Session& s = session();
  std::vector<float> values(4096);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i) * 0.5f;
  DeviceFloats first(values), second(std::vector<float>(values.size(), 0.0f));
  ual_error error = make_error();
  ASSERT_EQ(s.api->copy_device_to_device(s.device, second.buffer, 0, first.buffer, 0, values.size() * 4, &error),
            UAL_STATUS_OK)
      << error.message;
  std::vector<float> back(values.size());
  ual_event* done = nullptr;
  ASSERT_EQ(s.api->copy_device_to_host(s.device, back.data(), second.buffer, 0, back.size() * 4, &done, &error),
            UAL_STATUS_OK)
      << error.message;
  ASSERT_NE(done, nullptr);
  ASSERT_EQ(s.api->event_wait(s.device, done, &error), UAL_STATUS_OK) << error.message;
  s.api->event_free(s.device, done);
  EXPECT_EQ(back, values);
}

TEST(HipDevice, OutOfMemoryNamesTheDeviceAndKeepsWorking) {
  UAL_HIP_REQUIRE_DEVICE();
  Session& s = session();
  ual_buffer* huge = nullptr;
  ual_error error = make_error();
  EXPECT_EQ(s.api->buffer_allocate(s.device, uint64_t{1} << 52, &huge, &error), UAL_STATUS_OUT_OF_MEMORY);
  EXPECT_EQ(huge, nullptr);
  EXPECT_TRUE(contains(error.message, "hip:0 (")) << error.message;
  DeviceFloats small({1.0f, 2.0f});
  EXPECT_EQ(small.read(2), (std::vector<float>{1.0f, 2.0f}));
}

TEST(HipDevice, AddsWithTheSharedKernels) {
  UAL_HIP_REQUIRE_DEVICE();
  Session& s = session();
  std::vector<float> a(1000), b(1000);
  for (int i = 0; i < 1000; ++i) {
    a[i] = static_cast<float>(i);
    b[i] = 0.25f * static_cast<float>(i);
  }
  DeviceFloats da(a), db(b), dy(std::vector<float>(1000, 0.0f));
  const ual_tensor inputs[] = {tensor(UAL_DTYPE_F32, {1000}, da.buffer), tensor(UAL_DTYPE_F32, {1000}, db.buffer)};
  const ual_tensor outputs[] = {tensor(UAL_DTYPE_F32, {1000}, dy.buffer)};
  const ual_op op{UAL_BACKEND_ABI_VERSION, UAL_OP_ADD, 2, inputs, 1, outputs, nullptr};
  ual_error error = make_error();
  ASSERT_EQ(s.api->run(s.device, &op, &error), UAL_STATUS_OK) << error.message;
  const std::vector<float> y = dy.read(1000);
  for (int i = 0; i < 1000; ++i) EXPECT_FLOAT_EQ(y[i], a[i] + b[i]) << i;
}

TEST(HipDevice, GemmMatchesAHostLoop) {
  UAL_HIP_REQUIRE_DEVICE();
  Session& s = session();
  const int m = 5, n = 7, k = 3;
  std::vector<float> a(m * k), b(k * n), bias(n);
  for (int i = 0; i < m * k; ++i) a[i] = static_cast<float>(i % 7) - 3.0f;
  for (int i = 0; i < k * n; ++i) b[i] = 0.5f * static_cast<float>(i % 5);
  for (int j = 0; j < n; ++j) bias[j] = static_cast<float>(j);
  DeviceFloats da(a), db(b), dbias(bias), dd(std::vector<float>(m * n, 0.0f));
  const ual_tensor inputs[] = {tensor(UAL_DTYPE_F32, {1, m, k}, da.buffer), tensor(UAL_DTYPE_F32, {1, k, n}, db.buffer),
                               tensor(UAL_DTYPE_F32, {1, m, n}, nullptr), tensor(UAL_DTYPE_F32, {n}, dbias.buffer)};
  const ual_tensor outputs[] = {tensor(UAL_DTYPE_F32, {1, m, n}, dd.buffer)};
  ual_gemm_params params{UAL_BACKEND_ABI_VERSION, 2.0f, 0.0f, UAL_EPILOGUE_NONE, 1};
  const ual_op op{UAL_BACKEND_ABI_VERSION, UAL_OP_GEMM, 4, inputs, 1, outputs, &params};
  ual_error error = make_error();
  if (s.api->supports(s.device, &op, &error) == 0) GTEST_SKIP() << error.message;  // no rocBLAS
  ASSERT_EQ(s.api->run(s.device, &op, &error), UAL_STATUS_OK) << error.message;
  const std::vector<float> d = dd.read(m * n);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float expected = 0.0f;
      for (int p = 0; p < k; ++p) expected += a[i * k + p] * b[p * n + j];
      EXPECT_NEAR(d[i * n + j], 2.0f * expected + bias[j], 1e-4f) << i << "," << j;
    }
  }
}

TEST(HipDevice, Fp8GemmFollowsTheDevicesFormat) {
  UAL_HIP_REQUIRE_DEVICE();
  Session& s = session();
  DeviceFloats storage(std::vector<float>(64, 0.0f));
  const ual_tensor inputs[] = {tensor(UAL_DTYPE_FP8_E4M3FNUZ, {1, 4, 4}, storage.buffer),
                               tensor(UAL_DTYPE_FP8_E4M3FNUZ, {1, 4, 4}, storage.buffer)};
  const ual_tensor outputs[] = {tensor(UAL_DTYPE_F32, {1, 4, 4}, storage.buffer)};
  ual_gemm_params params{UAL_BACKEND_ABI_VERSION, 1.0f, 0.0f, UAL_EPILOGUE_NONE, 1};
  const ual_op op{UAL_BACKEND_ABI_VERSION, UAL_OP_GEMM, 2, inputs, 1, outputs, &params};
  ual_error error = make_error();
  if (s.api->supports(s.device, &op, &error) == 0) {
    EXPECT_TRUE(contains(error.message, "hip:0 (")) << error.message;
    EXPECT_TRUE(contains(error.message, "GEMM")) << error.message;
    std::printf("FP8 e4m3fnuz GEMM refused: %s\n", error.message);
  }
}

TEST(HipDevice, OutOfRangeOperandNamesTheDeviceAndOp) {
  UAL_HIP_REQUIRE_DEVICE();
  Session& s = session();
  DeviceFloats small(std::vector<float>(8, 1.0f));
  const ual_tensor inputs[] = {tensor(UAL_DTYPE_F32, {100}, small.buffer)};
  const ual_tensor outputs[] = {tensor(UAL_DTYPE_F32, {100}, small.buffer)};
  const ual_op op{UAL_BACKEND_ABI_VERSION, UAL_OP_GELU, 1, inputs, 1, outputs, nullptr};
  ual_error error = make_error();
  EXPECT_EQ(s.api->run(s.device, &op, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_TRUE(contains(error.message, "hip:0 (")) << error.message;
  EXPECT_TRUE(contains(error.message, "GELU")) << error.message;
}

}  // namespace
}  // namespace ual::hip::test
