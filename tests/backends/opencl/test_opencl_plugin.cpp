// Loading, scoring and device enumeration of the OpenCL plugin, the UAL_OPENCL_LIBRARY override, copies and events,
// and the plugin's answers to malformed ops.
#include <cstdlib>
#include <numeric>

#include "opencl_harness.hpp"

namespace ual::opencl::test {
namespace {

::testing::Environment* const kSessionEnvironment = ::testing::AddGlobalTestEnvironment(new SessionEnvironment);

// Sets UAL_OPENCL_LIBRARY for one scope (the plugin reads it on every score/init call).
class ScopedLibraryOverride {
 public:
  explicit ScopedLibraryOverride(const char* value) { setenv("UAL_OPENCL_LIBRARY", value, 1); }
  ~ScopedLibraryOverride() { unsetenv("UAL_OPENCL_LIBRARY"); }
};

TEST(OpenClPlugin, ExportsOnlyTheTwoEntryPoints) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  EXPECT_NE(library.score, nullptr);
  EXPECT_NE(library.init, nullptr);
  // Internal symbols stay hidden (-fvisibility=hidden).
  EXPECT_EQ(dlsym(library.handle, "_ZN3ual6opencl8fnv1a_64ESt17basic_string_viewIcSt11char_traitsIcEEm"), nullptr);
  // libOpenCL is not a link-time dependency: dlsym through the plugin's handle searches its dependencies too.
  EXPECT_EQ(dlsym(library.handle, "clGetPlatformIDs"), nullptr);
}

TEST(OpenClPlugin, MissingLibraryScoresZeroWithReason) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ScopedLibraryOverride override_library("/nonexistent/libOpenCL.so.1");
  ual_error why = make_error();
  EXPECT_EQ(library.score(nullptr, &why), 0U);
  EXPECT_NE(std::string(why.message).find("unavailable: /nonexistent/libOpenCL.so.1"), std::string::npos)
      << why.message;
  EXPECT_NE(std::string(why.message).find("not found"), std::string::npos) << why.message;
  ual_error error = make_error();
  EXPECT_EQ(library.init(nullptr, &error), nullptr);
  EXPECT_EQ(error.code, UAL_STATUS_UNAVAILABLE);
}

TEST(OpenClPlugin, LibraryWithoutOpenClSymbolsScoresZeroNamingTheSymbol) {
  PluginLibrary& library = plugin_library();
  ASSERT_NE(library.handle, nullptr) << library.error;
  ScopedLibraryOverride override_library("libm.so.6");
  ual_error why = make_error();
  EXPECT_EQ(library.score(nullptr, &why), 0U);
  EXPECT_NE(std::string(why.message).find("libm.so.6 lacks the OpenCL symbol clGetPlatformIDs"), std::string::npos)
      << why.message;
}

TEST(OpenClPlugin, ScoresAndEnumeratesDevices) {
  UAL_OPENCL_REQUIRE_DEVICE();
  ual_error why = make_error();
  EXPECT_EQ(plugin_library().score(nullptr, &why), 100U) << why.message;
  const ual_backend_api* api = session().api;
  EXPECT_EQ(api->abi_version, UAL_BACKEND_ABI_VERSION);
  EXPECT_STREQ(api->name, "opencl");
  const uint32_t count = api->device_count(api->backend);
  ASSERT_GE(count, 1U);
  for (uint32_t i = 0; i < count; ++i) {
    ual_device_info info{};
    ual_error error = make_error();
    ASSERT_EQ(api->device_info(api->backend, i, &info, &error), UAL_STATUS_OK) << error.message;
    EXPECT_EQ(info.abi_version, UAL_BACKEND_ABI_VERSION);
    EXPECT_GT(std::strlen(info.name), 0U);
    EXPECT_NE(info.name[0], ' ');
    EXPECT_GE(info.kind, UAL_DEVICE_CPU);
    EXPECT_LE(info.kind, UAL_DEVICE_OTHER);
    EXPECT_GT(info.memory_bytes, 0U);
    EXPECT_EQ(info.host_visible_memory, 0);
    EXPECT_GT(std::strlen(info.driver_version), 0U);
    std::printf("opencl:%u %s kind %d vendor 0x%04x device 0x%04x pci '%s' driver %s memory %llu MiB\n", i,
                info.name, static_cast<int>(info.kind), info.pci_vendor_id, info.pci_device_id, info.pci_address,
                info.driver_version, static_cast<unsigned long long>(info.memory_bytes >> 20));
  }
  ual_device_info info{};
  ual_error error = make_error();
  EXPECT_EQ(api->device_info(api->backend, count, &info, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("no device"), std::string::npos);
  ual_device* device = nullptr;
  EXPECT_EQ(api->device_open(api->backend, count, &device, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(device, nullptr);
}

TEST(OpenClCopies, RoundTripBlockingAndAsync) {
  UAL_OPENCL_REQUIRE_DEVICE();
  Session& s = session();
  ual_error error = make_error();
  std::vector<unsigned char> data(1 << 20);
  std::iota(data.begin(), data.end(), 0);
  ual_buffer* a = nullptr;
  ual_buffer* b = nullptr;
  ASSERT_EQ(s.api->buffer_allocate(s.device, data.size(), &a, &error), UAL_STATUS_OK) << error.message;
  ASSERT_EQ(s.api->buffer_allocate(s.device, data.size(), &b, &error), UAL_STATUS_OK) << error.message;

  ASSERT_EQ(s.api->copy_host_to_device(s.device, a, 0, data.data(), data.size(), nullptr, &error), UAL_STATUS_OK);
  std::vector<unsigned char> back(data.size(), 0);
  ASSERT_EQ(s.api->copy_device_to_host(s.device, back.data(), a, 0, back.size(), nullptr, &error), UAL_STATUS_OK);
  EXPECT_EQ(back, data);

  // Async: upload with an event, device-to-device at offsets, download with an event.
  std::vector<unsigned char> other(data.rbegin(), data.rend());
  ual_event* uploaded = nullptr;
  ASSERT_EQ(s.api->copy_host_to_device(s.device, a, 0, other.data(), other.size(), &uploaded, &error),
            UAL_STATUS_OK);
  ASSERT_NE(uploaded, nullptr);
  ASSERT_EQ(s.api->copy_device_to_device(s.device, b, 100, a, 1000, 5000, &error), UAL_STATUS_OK) << error.message;
  std::vector<unsigned char> part(5000, 0);
  ual_event* downloaded = nullptr;
  ASSERT_EQ(s.api->copy_device_to_host(s.device, part.data(), b, 100, part.size(), &downloaded, &error),
            UAL_STATUS_OK);
  ASSERT_EQ(s.api->event_wait(s.device, downloaded, &error), UAL_STATUS_OK) << error.message;
  EXPECT_TRUE(std::equal(part.begin(), part.end(), other.begin() + 1000));
  EXPECT_EQ(s.api->event_wait(s.device, uploaded, &error), UAL_STATUS_OK);
  s.api->event_free(s.device, uploaded);
  s.api->event_free(s.device, downloaded);
  EXPECT_EQ(s.api->synchronize(s.device, &error), UAL_STATUS_OK);

  // Out-of-range and overlapping copies are refused.
  EXPECT_EQ(s.api->copy_device_to_host(s.device, back.data(), a, 1, data.size(), nullptr, &error),
            UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("outside"), std::string::npos) << error.message;
  EXPECT_EQ(s.api->copy_device_to_device(s.device, a, 0, a, 10, 100, &error), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(s.api->copy_host_to_device(s.device, nullptr, 0, data.data(), 1, nullptr, &error),
            UAL_STATUS_INVALID_ARGUMENT);
  s.api->buffer_free(s.device, a);
  s.api->buffer_free(s.device, b);
}

TEST(OpenClCopies, ZeroByteBuffersAndCopies) {
  UAL_OPENCL_REQUIRE_DEVICE();
  Session& s = session();
  ual_error error = make_error();
  ual_buffer* empty = nullptr;
  ASSERT_EQ(s.api->buffer_allocate(s.device, 0, &empty, &error), UAL_STATUS_OK) << error.message;
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(s.api->copy_host_to_device(s.device, empty, 0, nullptr, 0, nullptr, &error), UAL_STATUS_OK);
  ual_event* event = nullptr;
  EXPECT_EQ(s.api->copy_device_to_host(s.device, nullptr, empty, 0, 0, &event, &error), UAL_STATUS_OK);
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(s.api->event_wait(s.device, event, &error), UAL_STATUS_OK);
  s.api->event_free(s.device, event);
  EXPECT_EQ(s.api->copy_device_to_device(s.device, empty, 0, empty, 0, 0, &error), UAL_STATUS_OK);
  EXPECT_EQ(s.api->copy_host_to_device(s.device, empty, 0, &error, 1, nullptr, &error), UAL_STATUS_INVALID_ARGUMENT);
  s.api->buffer_free(s.device, empty);
}

// ---- malformed ops -------------------------------------------------------------------------------------------

// A C host may put any integer into an enum field; C++ may not form such an enum value, so write the bytes.
template <class Enum>
void store_raw(Enum& field, int32_t value) {
  static_assert(sizeof(Enum) == sizeof value);
  std::memcpy(&field, &value, sizeof value);
}

ual_status run_raw(const ual_op* op, std::string& message, bool via_supports = false) {
  ual_error error = make_error();
  Session& s = session();
  if (via_supports) {
    const int32_t ok = s.api->supports(s.device, op, &error);
    message = error.message;
    return ok ? UAL_STATUS_OK : error.code;
  }
  const ual_status status = s.api->run(s.device, op, &error);
  message = error.message;
  return status;
}

TEST(OpenClBadInput, NullAndUnknownOps) {
  UAL_OPENCL_REQUIRE_DEVICE();
  std::string message;
  EXPECT_EQ(run_raw(nullptr, message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("op is NULL"), std::string::npos);
  ual_op op{};
  op.abi_version = UAL_BACKEND_ABI_VERSION;
  store_raw(op.kind, 99);
  EXPECT_EQ(run_raw(&op, message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("unknown op kind 99"), std::string::npos) << message;
  EXPECT_EQ(run_raw(&op, message, true), UAL_STATUS_INVALID_ARGUMENT);
  op.kind = UAL_OP_GELU;
  op.input_count = 1;
  op.output_count = 1;
  EXPECT_EQ(run_raw(&op, message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("NULL"), std::string::npos) << message;
}

TEST(OpenClBadInput, ShapesRanksDtypesParamsAndBounds) {
  UAL_OPENCL_REQUIRE_DEVICE();
  DeviceTensor x(make_host_tensor(UAL_DTYPE_F32, {4, 8}));
  DeviceTensor y(make_host_tensor(UAL_DTYPE_F32, {4, 8}));
  DeviceTensor wrong(make_host_tensor(UAL_DTYPE_F32, {4, 9}));
  DeviceTensor a(make_host_tensor(UAL_DTYPE_F32, {1, 4, 8}));
  std::string message;

  // Mismatched shapes.
  EXPECT_EQ(run_op(UAL_OP_GELU, {x.view()}, {wrong.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("shape"), std::string::npos) << message;
  EXPECT_EQ(run_op(UAL_OP_ADD, {x.view(), wrong.view()}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  // Wrong GEMM ranks.
  ual_gemm_params gemm{UAL_BACKEND_ABI_VERSION, 1.0F, 0.0F, UAL_EPILOGUE_NONE, 1};
  EXPECT_EQ(run_op(UAL_OP_GEMM, {x.view(), x.view()}, {a.view()}, &gemm, &message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("rank 3, got 2"), std::string::npos) << message;
  // GEMM inner dimensions disagree.
  EXPECT_EQ(run_op(UAL_OP_GEMM, {a.view(), a.view()}, {a.view()}, &gemm, &message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("B's rows (K)"), std::string::npos) << message;
  // NULL params.
  EXPECT_EQ(run_op(UAL_OP_GEMM, {a.view(), a.view()}, {a.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("params"), std::string::npos) << message;
  EXPECT_EQ(run_op(UAL_OP_QUANTIZE, {x.view()}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  DeviceTensor gamma(make_host_tensor(UAL_DTYPE_F32, {8}));
  EXPECT_EQ(run_op(UAL_OP_RMS_NORM, {x.view(), gamma.view()}, {y.view()}, nullptr, &message),
            UAL_STATUS_INVALID_ARGUMENT);
  // Dtypes the op does not take: QUANTIZE into f32, GELU of an FP8 tensor, I32.
  ual_quantize_params quantize{UAL_BACKEND_ABI_VERSION, 1.0F, 1};
  EXPECT_EQ(run_op(UAL_OP_QUANTIZE, {x.view()}, {y.view()}, &quantize, &message), UAL_STATUS_UNSUPPORTED);
  EXPECT_NE(message.find("dtype f32 is not supported"), std::string::npos) << message;
  ual_tensor as_int = x.view();
  as_int.dtype = UAL_DTYPE_I32;
  EXPECT_EQ(run_op(UAL_OP_SILU, {as_int}, {y.view()}, nullptr, &message), UAL_STATUS_UNSUPPORTED);
  ual_tensor unknown = x.view();
  store_raw(unknown.dtype, 77);
  EXPECT_EQ(run_op(UAL_OP_SILU, {unknown}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  // A view past the end of its buffer, a misaligned offset, a rank above UAL_MAX_RANK, a NULL buffer.
  ual_tensor too_far = x.view();
  too_far.strides[0] = 100;
  EXPECT_EQ(run_op(UAL_OP_SILU, {too_far}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(message.find("exceeds"), std::string::npos) << message;
  ual_tensor misaligned = x.view();
  misaligned.offset_bytes = 2;
  EXPECT_EQ(run_op(UAL_OP_SILU, {misaligned}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  ual_tensor huge_rank = x.view();
  huge_rank.rank = 7;
  EXPECT_EQ(run_op(UAL_OP_SILU, {huge_rank}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  ual_tensor no_buffer = x.view();
  no_buffer.buffer = nullptr;
  EXPECT_EQ(run_op(UAL_OP_SILU, {no_buffer}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);
  // Too few operands.
  EXPECT_EQ(run_op(UAL_OP_ADD, {x.view()}, {y.view()}, nullptr, &message), UAL_STATUS_INVALID_ARGUMENT);

  // supports() agrees with run() and says why.
  ual_op op{};
  op.abi_version = UAL_BACKEND_ABI_VERSION;
  op.kind = UAL_OP_QUANTIZE;
  const ual_tensor inputs[] = {x.view()};
  const ual_tensor outputs[] = {y.view()};
  op.input_count = 1;
  op.inputs = inputs;
  op.output_count = 1;
  op.outputs = outputs;
  op.params = &quantize;
  ual_error why = make_error();
  EXPECT_EQ(session().api->supports(session().device, &op, &why), 0);
  EXPECT_NE(std::string(why.message).find("not supported"), std::string::npos) << why.message;
  op.kind = UAL_OP_SILU;
  EXPECT_EQ(session().api->supports(session().device, &op, &why), 1) << why.message;
}

}  // namespace
}  // namespace ual::opencl::test
