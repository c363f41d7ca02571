// The HIP plugin loaded as libual loads it (dlopen of UAL_PLUGIN_PATH), a session holding its api table and first
// device, and the skip every device test makes on a machine without an AMD GPU (the CI machine), with the reason.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "ual/backend_abi.h"

namespace ual::hip::test {

inline ual_error make_error() {
  ual_error error{};
  error.abi_version = UAL_BACKEND_ABI_VERSION;
  return error;
}

struct PluginLibrary {
  void* handle = nullptr;
  ual_backend_score_function score = nullptr;
  ual_backend_init_function init = nullptr;
  std::string error;
};

inline PluginLibrary& plugin_library() {
  static PluginLibrary library = [] {
    PluginLibrary loaded;
    loaded.handle = dlopen(UAL_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (loaded.handle == nullptr) {
      const char* reason = dlerror();
      loaded.error = reason != nullptr ? reason : "dlopen failed";
      return loaded;
    }
    loaded.score = reinterpret_cast<ual_backend_score_function>(dlsym(loaded.handle, "ual_backend_score"));
    loaded.init = reinterpret_cast<ual_backend_init_function>(dlsym(loaded.handle, "ual_backend_init"));
    return loaded;
  }();
  return library;
}

// Sets UAL_HIP_LIBRARY for one scope (the plugin reads it on every score/init call).
class ScopedLibraryOverride {
 public:
  explicit ScopedLibraryOverride(const char* value) { setenv("UAL_HIP_LIBRARY", value, 1); }
  ~ScopedLibraryOverride() { unsetenv("UAL_HIP_LIBRARY"); }
  ScopedLibraryOverride(const ScopedLibraryOverride&) = delete;
  ScopedLibraryOverride& operator=(const ScopedLibraryOverride&) = delete;
};

// The plugin initialised once for the device tests, with device hip:0 open; `unavailable` says why not.
struct Session {
  const ual_backend_api* api = nullptr;
  ual_device* device = nullptr;
  std::string unavailable;
};

inline Session& session() {
  static Session state = [] {
    Session s;
    PluginLibrary& library = plugin_library();
    if (library.init == nullptr) {
      s.unavailable = "plugin did not load: " + library.error;
      return s;
    }
    ual_error error = make_error();
    s.api = library.init(nullptr, &error);
    if (s.api == nullptr) {
      s.unavailable = error.message;
      return s;
    }
    if (s.api->device_open(s.api->backend, 0, &s.device, &error) != UAL_STATUS_OK) {
      s.unavailable = std::string("hip:0 did not open: ") + error.message;
    }
    return s;
  }();
  return state;
}

class SessionEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    Session& s = session();
    if (s.device != nullptr) s.api->device_close(s.device);
    if (s.api != nullptr) s.api->shutdown(s.api->backend);
    s = Session{};
  }
};

}  // namespace ual::hip::test

// Device tests skip with the plugin's own reason on machines without an AMD GPU (CI: no GPU at all).
#define UAL_HIP_REQUIRE_DEVICE()                                                                 \
  do {                                                                                           \
    if (::ual::hip::test::session().device == nullptr) {                                         \
      GTEST_SKIP() << "no HIP device: " << ::ual::hip::test::session().unavailable;              \
    }                                                                                            \
  } while (false)
