#include "hip_library.hpp"

#include <dlfcn.h>

#include <cstdlib>

#include "plugin_error.hpp"

namespace ual::hip {
namespace {

// RTLD_NODELETE: the HIP runtime (and the HSA runtime under it) keep threads and global state that do not survive
// being unmapped and mapped again; libual keeps vendor runtimes mapped for the same reason.
constexpr int kOpenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE;

// Newest first: ROCm 7 and 6 install .so.7 / .so.6 (the ABI broke at 6.0), Debian bookworm's HIP 5.2 .so.5.
constexpr const char* kRuntimeNames[] = {"libamdhip64.so.7", "libamdhip64.so.6", "libamdhip64.so.5",
                                         "libamdhip64.so"};

}  // namespace

void* open_first_library(const char* const* names, std::size_t count, std::string& opened) {
  for (std::size_t i = 0; i < count; ++i) {
    if (void* handle = dlopen(names[i], kOpenFlags)) {
      opened = names[i];
      return handle;
    }
  }
  return nullptr;
}

ual_status open_hip_library(HipLibrary& library, ual_error* error) {
  close_hip_library(library);
  const char* override_name = std::getenv("UAL_HIP_LIBRARY");
  if (override_name != nullptr && override_name[0] != '\0') {
    library.handle = dlopen(override_name, kOpenFlags);
    if (library.handle == nullptr) {
      const char* reason = dlerror();
      return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: no AMD HIP runtime (%s (UAL_HIP_LIBRARY) not found: %s)",
                  override_name, reason != nullptr ? reason : "dlopen failed");
    }
    library.path = override_name;
  } else {
    library.handle = open_first_library(kRuntimeNames, std::size(kRuntimeNames), library.path);
    if (library.handle == nullptr) {
      return fail(error, UAL_STATUS_UNAVAILABLE,
                  "unavailable: no AMD HIP runtime (libamdhip64.so.5/.6/.7 not found; Debian: libamdhip64-5, or "
                  "ROCm's hip-runtime-amd)");
    }
  }
  dlerror();
#define UAL_HIP_RESOLVE(name)                                                                                     \
  library.name = reinterpret_cast<decltype(library.name)>(dlsym(library.handle, #name));                          \
  if (library.name == nullptr) {                                                                                  \
    const std::string opened = library.path;                                                                      \
    close_hip_library(library);                                                                                   \
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: %s lacks the HIP symbol %s (not an AMD HIP runtime)", \
                opened.c_str(), #name);                                                                           \
  }
  UAL_HIP_SYMBOLS(UAL_HIP_RESOLVE)
#undef UAL_HIP_RESOLVE
  return UAL_STATUS_OK;
}

void close_hip_library(HipLibrary& library) {
  if (library.handle != nullptr) dlclose(library.handle);
  library = HipLibrary{};
}

std::string HipLibrary::describe(hipError_t error) const {
  const char* name = hipGetErrorName != nullptr ? hipGetErrorName(error) : nullptr;
  const char* text = hipGetErrorString != nullptr ? hipGetErrorString(error) : nullptr;
  const std::string label = name != nullptr ? name : "hipError";
  std::string result = label + " (" + std::to_string(error);
  // HIP 5.2's hipGetErrorString often repeats the name; only a real sentence is worth adding.
  if (text != nullptr && text[0] != '\0' && label != text) result += std::string(": ") + text;
  return result + ")";
}

}  // namespace ual::hip
