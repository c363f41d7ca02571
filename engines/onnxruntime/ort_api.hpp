// ONNX Runtime's C API as the engine uses it (private to engines/onnxruntime/): the real onnxruntime_c_api.h fetched
// by scripts/setup when it is there, RAII owners for every Ort object, and OrtStatus turned into ual::Error.
#pragma once

#if __has_include("third_party/onnxruntime/include/onnxruntime_c_api.h")
#include "third_party/onnxruntime/include/onnxruntime_c_api.h"
#define UAL_HAVE_ONNXRUNTIME_HEADERS 1
#else
#define UAL_HAVE_ONNXRUNTIME_HEADERS 0
#endif

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/dynamic_library.hpp"
#include "ual/result.hpp"

namespace ual::onnxruntime {

inline constexpr const char* headers_missing_message =
    "unavailable: ONNX Runtime headers were not fetched (run scripts/setup)";

#if UAL_HAVE_ONNXRUNTIME_HEADERS

// The oldest OrtApi version the engine can use: SessionOptionsAppendExecutionProvider (the generic append) is
// "\since Version 1.12" in onnxruntime_c_api.h; everything else it calls is older.
inline constexpr std::uint32_t minimum_api_version = 12;

// A loaded libonnxruntime and the OrtApi table it gave. OrtApi is append-only (the header's static_asserts on
// member offsets), so a table of an older version is the header's struct cut short: only entries up to
// `api_version` may be called.
struct OrtRuntime {
  DynamicLibrary library;
  const OrtApi* api = nullptr;
  std::uint32_t api_version = 0;
  std::string version;  // GetVersionString(): "1.29.0"
  std::string path;     // the file the loader mapped
};

// Loads ONNX Runtime once per process (library_search.hpp's order) and keeps it: ORT's environment is a process-wide
// singleton and its library stays mapped (RTLD_NODELETE), so reloading gains nothing.
Result<const OrtRuntime*> load_onnxruntime();

// Releases ORT objects with their own Release function (OrtApi::Release<Type>).
template <class T, auto Release>
struct OrtReleaser {
  const OrtApi* api = nullptr;
  void operator()(T* object) const noexcept {
    if (object && api) (api->*Release)(object);
  }
};
template <class T, auto Release>
using OrtOwner = std::unique_ptr<T, OrtReleaser<T, Release>>;

using EnvOwner = OrtOwner<OrtEnv, &OrtApi::ReleaseEnv>;
using SessionOptionsOwner = OrtOwner<OrtSessionOptions, &OrtApi::ReleaseSessionOptions>;
using SessionOwner = OrtOwner<OrtSession, &OrtApi::ReleaseSession>;
using ValueOwner = OrtOwner<OrtValue, &OrtApi::ReleaseValue>;
using MemoryInfoOwner = OrtOwner<OrtMemoryInfo, &OrtApi::ReleaseMemoryInfo>;
using TypeInfoOwner = OrtOwner<OrtTypeInfo, &OrtApi::ReleaseTypeInfo>;
using TensorInfoOwner = OrtOwner<OrtTensorTypeAndShapeInfo, &OrtApi::ReleaseTensorTypeAndShapeInfo>;
using CudaOptionsOwner = OrtOwner<OrtCUDAProviderOptionsV2, &OrtApi::ReleaseCUDAProviderOptions>;
using TensorRtOptionsOwner = OrtOwner<OrtTensorRTProviderOptionsV2, &OrtApi::ReleaseTensorRTProviderOptions>;

template <class Owner>
Owner own(const OrtApi* api, typename Owner::pointer object) {
  return Owner(object, typename Owner::deleter_type{api});
}

// Checks and releases a status: ok, or an error "what: ORT's message" with ORT's code mapped onto ual's.
Status check(const OrtApi* api, OrtStatus* status, std::string_view what);

// A string ORT allocated with the default allocator (SessionGetInputName), copied and freed.
Result<std::string> take_allocated_string(const OrtApi* api, OrtAllocator* allocator, char* text, std::string_view what);

#endif  // UAL_HAVE_ONNXRUNTIME_HEADERS

}  // namespace ual::onnxruntime
