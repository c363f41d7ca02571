// The compute backends of this process: the built-in CPU backend plus every plugin (libual-backend-<name>.so) found
// on the search path, each with the devices it offers. A plugin that cannot run here (vendor library missing, wrong
// ABI version, init failure, not a plugin at all) is skipped with its reason; the other devices keep working.
//
// Search order (first hit per file name wins; between plugins offering the same backend name, the higher
// ual_backend_score wins, as ggml-backend does): the directories (or files) in $UAL_BACKEND_PATH, colon-separated;
// the directory holding libual.so; the install's library directory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/inventory.hpp"
#include "ual/result.hpp"
#include "ual/tensor.hpp"

namespace ual {

struct BackendReport {
  std::string name;  // backend name ("opencl"), or the file name when the plugin never said
  std::string path;  // plugin file; "" for the built-in CPU backend
  bool loaded = false;
  std::uint32_t score = 0;
  std::string reason;  // why it was skipped ("unavailable: libOpenCL.so.1 not found"); "" when loaded
  std::vector<std::string> device_ids;
};

struct BackendOptions {
  // Replaces the default search path when non-empty (tests use it). Entries are directories or plugin files.
  std::vector<std::string> search_path;
  bool load_plugins = true;       // false: only the built-in CPU backend
  bool use_environment = true;    // honour $UAL_BACKEND_PATH
  std::string cache_directory;    // lent to plugins for their caches; "" = $XDG_CACHE_HOME/ual (or ~/.cache/ual)
};

class UAL_API BackendRegistry {
 public:
  static Result<std::shared_ptr<BackendRegistry>> load(const BackendOptions& options = {});

  const std::vector<ComputeDevice>& devices() const noexcept { return devices_; }
  const std::vector<BackendReport>& reports() const noexcept { return reports_; }
  // "cpu:0", "opencl:1"; "cpu" means cpu:0.
  Result<ComputeDevice> device(std::string_view id) const;

  // Internal (the loader fills these).
  std::vector<ComputeDevice> devices_;
  std::vector<BackendReport> reports_;
};

// The process-wide registry, loaded with default options on first use (thread-safe).
UAL_API const BackendRegistry& default_backends();

// The directories searched for plugins with these options, in order (for `ual devices` and error messages).
UAL_API std::vector<std::string> backend_search_path(const BackendOptions& options = {});

// $XDG_CACHE_HOME/ual, else $HOME/.cache/ual, else "" (no cache).
UAL_API std::string default_cache_directory();

// What `ual devices` shows of the compute backends, without keeping them loaded. Loading them costs what their
// vendor stacks cost to start (PoCL's platform query alone ~40-60 ms here), so the listing is cached in
// $XDG_CACHE_HOME/ual/compute-devices-v1.json and reused while ual, the plugin files on the search path, the loader's
// inputs, the user's groups and the OpenCL ICD list are unchanged (the runtime probe cache's rule).
struct ComputeListing {
  std::vector<ComputeDeviceInfo> devices;
  std::vector<BackendReport> reports;
  bool from_cache = false;
};
UAL_API ComputeListing describe(const BackendRegistry& backends);
// refresh: ignore the cache and load every backend now.
UAL_API ComputeListing list_compute_devices(bool refresh = false, const std::string& cache_directory = {});

// `ual devices --json`: the inventory's JSON plus "compute_devices" ([{"id","backend","name","kind","hardware",
// "driver_version","memory_bytes"}]) and "compute_backends" ([{"name","path","loaded","score","reason","devices"}]).
// compute == nullptr gives empty lists (a recorded --sysroot tree has no live devices).
UAL_API std::string to_json(const Inventory& inventory, const ComputeListing* compute, int indent = 2);

// Per-call cost of an op through ual's public API (validation, device lock, ABI dispatch) against calling the
// backend's run() directly with an already-built op, for a tiny elementwise add of `elements` f32 values.
struct DispatchTiming {
  double api_seconds_per_call = 0;
  double direct_seconds_per_call = 0;
};
UAL_API Result<DispatchTiming> time_dispatch(const ComputeDevice& device, std::int64_t elements, int calls);

}  // namespace ual
