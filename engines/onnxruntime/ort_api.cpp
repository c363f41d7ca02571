#include "engines/onnxruntime/ort_api.hpp"

#if UAL_HAVE_ONNXRUNTIME_HEADERS

#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "engines/onnxruntime/library_search.hpp"

namespace ual::onnxruntime {
namespace {

ErrorCode error_code_for(OrtErrorCode code) {
  switch (code) {
    case ORT_INVALID_ARGUMENT: return ErrorCode::invalid_argument;
    case ORT_NO_SUCHFILE: return ErrorCode::not_found;
    case ORT_NO_MODEL:
    case ORT_INVALID_PROTOBUF:
    case ORT_INVALID_GRAPH:
    case ORT_MODEL_LOADED: return ErrorCode::parse_error;
    case ORT_NOT_IMPLEMENTED:
    case ORT_EP_FAIL: return ErrorCode::unavailable;
    default: return ErrorCode::internal;
  }
}

Result<std::unique_ptr<OrtRuntime>> open_runtime() {
  auto library = open_onnxruntime_library();
  if (!library) return library.error();
  auto runtime = std::make_unique<OrtRuntime>();
  runtime->path = library->path();
  using GetApiBase = const OrtApiBase* (*)();
  const auto get_api_base = library->symbol<GetApiBase>("OrtGetApiBase");
  const OrtApiBase* base = get_api_base ? get_api_base() : nullptr;
  if (!base)
    return make_error(ErrorCode::unavailable,
                      fmt::format("unavailable: {} has no OrtGetApiBase (not an ONNX Runtime library)", runtime->path));
  if (const char* version = base->GetVersionString()) runtime->version = version;
  // ORT 1.N serves OrtApi versions 1..N; GetApi(higher) returns NULL after printing a complaint to stderr, so the
  // version is chosen from the release number first and only then tried, newest to oldest.
  std::uint32_t wanted = ORT_API_VERSION;
  int major = 0, minor = 0;
  if (std::sscanf(runtime->version.c_str(), "%d.%d", &major, &minor) == 2 && major == 1 && minor > 0)
    wanted = std::min<std::uint32_t>(wanted, static_cast<std::uint32_t>(minor));
  for (std::uint32_t version = wanted; version >= minimum_api_version && !runtime->api; --version) {
    runtime->api = base->GetApi(version);
    runtime->api_version = runtime->api ? version : 0;
  }
  if (!runtime->api)
    return make_error(ErrorCode::unavailable,
                      fmt::format("unavailable: ONNX Runtime {} at {} is too old (ual needs API version {}, "
                                  "ONNX Runtime 1.{} or newer)",
                                  runtime->version, runtime->path, minimum_api_version, minimum_api_version));
  runtime->library = std::move(*library);
  return runtime;
}

}  // namespace

Result<const OrtRuntime*> load_onnxruntime() {
  // Loaded once; a failure is not cached, so a test or user that fetches the library later can try again.
  static std::mutex mutex;
  static std::unique_ptr<OrtRuntime> loaded;
  const std::lock_guard lock(mutex);
  if (!loaded) {
    auto runtime = open_runtime();
    if (!runtime) return runtime.error();
    loaded = std::move(*runtime);
  }
  return static_cast<const OrtRuntime*>(loaded.get());
}

Status check(const OrtApi* api, OrtStatus* status, std::string_view what) {
  if (!status) return ok_status();
  const ErrorCode code = error_code_for(api->GetErrorCode(status));
  std::string message = fmt::format("{}: {}", what, api->GetErrorMessage(status));
  api->ReleaseStatus(status);
  return make_error(code, std::move(message));
}

Result<std::string> take_allocated_string(const OrtApi* api, OrtAllocator* allocator, char* text,
                                          std::string_view what) {
  std::string copy = text ? text : "";
  if (auto freed = check(api, api->AllocatorFree(allocator, text), what); !freed) return freed.error();
  return copy;
}

}  // namespace ual::onnxruntime

#endif  // UAL_HAVE_ONNXRUNTIME_HEADERS
