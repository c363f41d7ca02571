// Loading a backend through backend_abi.h: opening a plugin file, asking its score, initialising it, checking the
// table it returns, and opening its devices.
#pragma once

#include <string>
#include <vector>

#include "compute/compute_state.hpp"
#include "core/dynamic_library.hpp"
#include "ual/backends.hpp"

namespace ual::detail {

struct LoadedPlugin {
  DynamicLibrary library;
  ual_backend_score_function score_function = nullptr;
  ual_backend_init_function init_function = nullptr;
  // The plugin's score; an error carrying its reason when the score is 0.
  Result<std::uint32_t> score_check(const ual_host& host) const;
};

// dlopen + the two entry points; errors say "cannot be loaded: ..." or "not a ual backend plugin: ...".
Result<LoadedPlugin> open_plugin_file(const std::string& path);

// Calls init, validates the returned table (ABI version, required entries) and opens every device, appending them
// to devices and their ids (and per-device problems) to report. library is empty for the built-in backend.
Status start_backend(DynamicLibrary library, ual_backend_init_function init, const std::shared_ptr<PluginHost>& host,
                     const std::string& path, BackendReport& report, std::vector<ComputeDevice>& devices);

// The host struct lent to plugins; LoadedBackend keeps it alive as long as the plugin may use it.
std::shared_ptr<PluginHost> make_plugin_host(const std::string& cache_directory);
void log_from_plugin(int32_t level, const char* message);

}  // namespace ual::detail
