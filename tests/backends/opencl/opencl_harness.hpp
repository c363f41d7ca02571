// Drives libual-backend-opencl.so through its raw C ABI, as libual does: dlopen the plugin, init it with a private
// temporary cache directory, open opencl:0 once for the whole test program, and move strided host tensors to and
// from device buffers. Tests skip with the reason when the machine has no OpenCL device.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ual/backend_abi.h"
#include "ual/fp8.hpp"

namespace ual::opencl::test {

// Every message the plugin logged through host->log ("opencl: ..."), for the program-cache tests.
inline std::mutex& log_mutex() {
  static std::mutex mutex;
  return mutex;
}
inline std::vector<std::string>& log_messages() {
  static std::vector<std::string> messages;
  return messages;
}
inline void capture_log(int32_t /*level*/, const char* message) {
  std::lock_guard lock(log_mutex());
  log_messages().emplace_back(message);
}
inline int count_log(const std::string& needle) {
  std::lock_guard lock(log_mutex());
  int count = 0;
  for (const std::string& message : log_messages()) count += message.find(needle) != std::string::npos ? 1 : 0;
  return count;
}

struct PluginLibrary {
  void* handle = nullptr;
  ual_backend_score_function score = nullptr;
  ual_backend_init_function init = nullptr;
  std::string error;
};

// The plugin, dlopen'ed once (libual keeps its plugins loaded the same way).
inline PluginLibrary& plugin_library() {
  static PluginLibrary library = [] {
    PluginLibrary result;
    result.handle = dlopen(UAL_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (result.handle == nullptr) {
      result.error = dlerror();
      return result;
    }
    result.score = reinterpret_cast<ual_backend_score_function>(dlsym(result.handle, "ual_backend_score"));
    result.init = reinterpret_cast<ual_backend_init_function>(dlsym(result.handle, "ual_backend_init"));
    return result;
  }();
  return library;
}

inline ual_error make_error() {
  ual_error error{};
  error.abi_version = UAL_BACKEND_ABI_VERSION;
  return error;
}

inline std::string make_temporary_directory(const char* tag) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string("ual-opencl-") + tag + "-XXXXXX"));
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

// One backend and one open device, shared by every test (PoCL's first kernel compile takes seconds).
struct Session {
  std::string cache_directory;
  ual_host host{};
  const ual_backend_api* api = nullptr;
  ual_device* device = nullptr;
  std::string skip_reason;  // non-empty: no device here, tests skip with it
};

inline Session& session() {
  static Session instance = [] {
    Session s;
    PluginLibrary& library = plugin_library();
    if (library.handle == nullptr) {
      s.skip_reason = "plugin did not load: " + library.error;
      return s;
    }
    ual_error error = make_error();
    if (library.score(nullptr, &error) == 0) {
      s.skip_reason = std::string("no usable OpenCL device: ") + error.message;
      return s;
    }
    s.cache_directory = make_temporary_directory("cache");
    s.host.abi_version = UAL_BACKEND_ABI_VERSION;
    s.host.host_version = "0.1.0";
    s.host.cache_directory = s.cache_directory.c_str();
    s.host.log = capture_log;
    s.api = library.init(&s.host, &error);
    if (s.api == nullptr) {
      s.skip_reason = std::string("init failed: ") + error.message;
      return s;
    }
    if (s.api->device_open(s.api->backend, 0, &s.device, &error) != UAL_STATUS_OK) {
      s.skip_reason = std::string("device_open failed: ") + error.message;
    }
    return s;
  }();
  return instance;
}

// Closes the shared session after the last test, so leak checkers see a clean shutdown.
class SessionEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    Session& s = session();
    if (s.api != nullptr) {
      if (s.device != nullptr) s.api->device_close(s.device);
      s.api->shutdown(s.api->backend);
      s.api = nullptr;
      s.device = nullptr;
    }
    std::error_code ec;
    if (!s.cache_directory.empty()) std::filesystem::remove_all(s.cache_directory, ec);
  }
};

#define UAL_OPENCL_REQUIRE_DEVICE()                                                   \
  do {                                                                                \
    if (!::ual::opencl::test::session().skip_reason.empty()) {                        \
      GTEST_SKIP() << ::ual::opencl::test::session().skip_reason;                     \
    }                                                                                 \
  } while (false)

// ---- element types on the host ------------------------------------------------------------------------------

inline int element_size(ual_dtype dtype) {
  switch (dtype) {
    case UAL_DTYPE_F32: return 4;
    case UAL_DTYPE_F16:
    case UAL_DTYPE_BF16: return 2;
    default: return 1;
  }
}

inline std::optional<fp8::Format> fp8_format(ual_dtype dtype) {
  switch (dtype) {
    case UAL_DTYPE_FP8_E4M3: return fp8::Format::e4m3;
    case UAL_DTYPE_FP8_E5M2: return fp8::Format::e5m2;
    case UAL_DTYPE_FP8_E4M3FNUZ: return fp8::Format::e4m3fnuz;
    case UAL_DTYPE_FP8_E5M2FNUZ: return fp8::Format::e5m2fnuz;
    default: return std::nullopt;
  }
}

// Rounds `value` into `dtype` (as the plugin stores it: ual::fp8's conversions) and writes the bits at `p`.
inline void store(ual_dtype dtype, unsigned char* p, float value) {
  if (dtype == UAL_DTYPE_F32) {
    std::memcpy(p, &value, 4);
  } else if (dtype == UAL_DTYPE_F16) {
    const uint16_t bits = fp8::to_float16(value).bits;
    std::memcpy(p, &bits, 2);
  } else if (dtype == UAL_DTYPE_BF16) {
    const uint16_t bits = fp8::to_bfloat16(value).bits;
    std::memcpy(p, &bits, 2);
  } else {
    *p = fp8::encode(value, *fp8_format(dtype));
  }
}

inline float load(ual_dtype dtype, const unsigned char* p) {
  if (dtype == UAL_DTYPE_F32) {
    float value;
    std::memcpy(&value, p, 4);
    return value;
  }
  if (dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16) {
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    return dtype == UAL_DTYPE_F16 ? fp8::to_float(fp8::float16{bits}) : fp8::to_float(fp8::bfloat16{bits});
  }
  return fp8::decode(*p, *fp8_format(dtype));
}

// Output rounding of a dtype, relative (half an ulp): the part of every error bound that storing adds.
inline double unit_roundoff(ual_dtype dtype) {
  switch (dtype) {
    case UAL_DTYPE_F32: return std::ldexp(1.0, -24);
    case UAL_DTYPE_F16: return std::ldexp(1.0, -11);
    case UAL_DTYPE_BF16: return std::ldexp(1.0, -8);
    default: return 0.0;
  }
}

// Half the spacing of a dtype's subnormals: the absolute error of storing a tiny value (f16: 2^-25; f32 and bf16
// share f32's exponent range, where it is below anything these tests produce).
inline double absolute_roundoff(ual_dtype dtype) { return dtype == UAL_DTYPE_F16 ? std::ldexp(1.0, -25) : 0.0; }

// ---- strided host tensors --------------------------------------------------------------------------------------

// A view over its own byte storage: storage covers exactly the addressed span, the rest (padding, the gaps of
// transposed or padded layouts) is filled with 0xFF bytes (NaN for every float type) so that a kernel that reads
// outside the view poisons its result, and the test checks that outputs leave those bytes alone.
struct HostTensor {
  ual_dtype dtype = UAL_DTYPE_F32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  uint64_t offset_bytes = 0;
  float scale_inv = 1.0F;
  std::vector<unsigned char> bytes;

  int64_t count() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  // Byte position of the element with row-major linear index `i` over the shape.
  uint64_t position(int64_t i) const {
    int64_t elements = 0;
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
      const int64_t extent = shape[static_cast<std::size_t>(d)];
      elements += (i % extent) * strides[static_cast<std::size_t>(d)];
      i /= extent;
    }
    return offset_bytes + static_cast<uint64_t>(elements * element_size(dtype));
  }
  float get(int64_t i) const { return load(dtype, bytes.data() + position(i)); }
  void set(int64_t i, float value) { store(dtype, bytes.data() + position(i), value); }
  unsigned char raw(int64_t i) const { return bytes[position(i)]; }
};

// strides empty: row-major. `pad_elements` extra elements before the view (a nonzero offset).
inline HostTensor make_host_tensor(ual_dtype dtype, std::vector<int64_t> shape, std::vector<int64_t> strides = {},
                                   int64_t pad_elements = 0) {
  HostTensor t;
  t.dtype = dtype;
  t.shape = std::move(shape);
  if (strides.empty()) {
    strides.assign(t.shape.size(), 1);
    for (int d = static_cast<int>(t.shape.size()) - 2; d >= 0; --d) {
      strides[static_cast<std::size_t>(d)] =
          strides[static_cast<std::size_t>(d) + 1] * std::max<int64_t>(t.shape[static_cast<std::size_t>(d) + 1], 1);
    }
  }
  t.strides = std::move(strides);
  t.offset_bytes = static_cast<uint64_t>(pad_elements * element_size(dtype));
  int64_t span = 0;
  bool empty = false;
  for (std::size_t d = 0; d < t.shape.size(); ++d) {
    empty = empty || t.shape[d] == 0;
    span += (t.shape[d] - 1) * t.strides[d];
  }
  const int64_t elements = empty ? pad_elements : pad_elements + span + 1 + 3;  // 3 trailing padding elements
  t.bytes.assign(static_cast<std::size_t>(elements * element_size(dtype)), 0xFF);
  return t;
}

inline void fill_uniform(HostTensor& t, std::mt19937& rng, float low, float high) {
  std::uniform_real_distribution<float> distribution(low, high);
  for (int64_t i = 0; i < t.count(); ++i) t.set(i, distribution(rng));
}

// A device buffer holding a HostTensor's storage.
struct DeviceTensor {
  ual_buffer* buffer = nullptr;
  HostTensor host;

  explicit DeviceTensor(HostTensor h) : host(std::move(h)) {
    Session& s = session();
    ual_error error = make_error();
    EXPECT_EQ(s.api->buffer_allocate(s.device, host.bytes.size(), &buffer, &error), UAL_STATUS_OK) << error.message;
    if (buffer != nullptr && !host.bytes.empty()) {
      EXPECT_EQ(s.api->copy_host_to_device(s.device, buffer, 0, host.bytes.data(), host.bytes.size(), nullptr,
                                           &error),
                UAL_STATUS_OK)
          << error.message;
    }
  }
  DeviceTensor(const DeviceTensor&) = delete;
  DeviceTensor& operator=(const DeviceTensor&) = delete;
  ~DeviceTensor() {
    if (buffer != nullptr) session().api->buffer_free(session().device, buffer);
  }

  ual_tensor view() const {
    ual_tensor t{};
    t.abi_version = UAL_BACKEND_ABI_VERSION;
    t.dtype = host.dtype;
    t.rank = static_cast<uint32_t>(host.shape.size());
    for (std::size_t d = 0; d < host.shape.size(); ++d) {
      t.shape[d] = host.shape[d];
      t.strides[d] = host.strides[d];
    }
    t.buffer = buffer;
    t.offset_bytes = host.offset_bytes;
    t.scale_inv = host.scale_inv;
    return t;
  }

  // The device's bytes after everything queued so far.
  HostTensor download() const {
    HostTensor result = host;
    Session& s = session();
    ual_error error = make_error();
    EXPECT_EQ(s.api->synchronize(s.device, &error), UAL_STATUS_OK) << error.message;
    if (!result.bytes.empty()) {
      EXPECT_EQ(s.api->copy_device_to_host(s.device, result.bytes.data(), buffer, 0, result.bytes.size(), nullptr,
                                           &error),
                UAL_STATUS_OK)
          << error.message;
    }
    return result;
  }
};

inline ual_tensor absent_tensor() {
  ual_tensor t{};
  t.abi_version = UAL_BACKEND_ABI_VERSION;
  t.dtype = UAL_DTYPE_F32;
  return t;
}

inline ual_status run_op(ual_op_kind kind, const std::vector<ual_tensor>& inputs,
                         const std::vector<ual_tensor>& outputs, const void* params, std::string* message = nullptr) {
  ual_op op{};
  op.abi_version = UAL_BACKEND_ABI_VERSION;
  op.kind = kind;
  op.input_count = static_cast<uint32_t>(inputs.size());
  op.inputs = inputs.data();
  op.output_count = static_cast<uint32_t>(outputs.size());
  op.outputs = outputs.data();
  op.params = params;
  ual_error error = make_error();
  const ual_status status = session().api->run(session().device, &op, &error);
  if (message != nullptr) *message = error.message;
  EXPECT_TRUE(message != nullptr || status == UAL_STATUS_OK) << error.message;
  return status;
}

// Bytes of `after` outside the view are the bytes of `before` (outputs never write past their view).
inline void expect_padding_untouched(const HostTensor& before, const HostTensor& after) {
  std::vector<bool> inside(before.bytes.size(), false);
  for (int64_t i = 0; i < before.count(); ++i) {
    for (int b = 0; b < element_size(before.dtype); ++b) inside[before.position(i) + static_cast<uint64_t>(b)] = true;
  }
  int changed = 0;
  for (std::size_t b = 0; b < before.bytes.size(); ++b) {
    changed += (!inside[b] && before.bytes[b] != after.bytes[b]) ? 1 : 0;
  }
  EXPECT_EQ(changed, 0) << "bytes outside the output view were written";
}

}  // namespace ual::opencl::test
