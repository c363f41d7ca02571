// Loading one backend (a plugin file or the built-in CPU backend) through backend_abi.h, checking everything a
// plugin hands back before it is trusted, and opening its devices.
#include "compute/plugin_loader.hpp"

#include <fmt/format.h>

#include <cstring>

#include "backends/cpu/cpu_backend.hpp"

namespace ual::detail {
namespace {

std::string message_of(const ual_error& error) {
  return std::string(error.message, strnlen(error.message, sizeof error.message));
}

// The entries a plugin must provide (backend_abi.h marks the others optional).
std::string missing_required_entry(const ual_backend_api& api) {
#define UAL_REQUIRED_ENTRY(entry) \
  if (api.entry == nullptr) return #entry;
  UAL_REQUIRED_ENTRY(name)
  UAL_REQUIRED_ENTRY(device_count)
  UAL_REQUIRED_ENTRY(device_info)
  UAL_REQUIRED_ENTRY(device_open)
  UAL_REQUIRED_ENTRY(device_close)
  UAL_REQUIRED_ENTRY(buffer_allocate)
  UAL_REQUIRED_ENTRY(buffer_free)
  UAL_REQUIRED_ENTRY(copy_host_to_device)
  UAL_REQUIRED_ENTRY(copy_device_to_host)
  UAL_REQUIRED_ENTRY(copy_device_to_device)
  UAL_REQUIRED_ENTRY(event_wait)
  UAL_REQUIRED_ENTRY(event_free)
  UAL_REQUIRED_ENTRY(synchronize)
  UAL_REQUIRED_ENTRY(run)
  UAL_REQUIRED_ENTRY(shutdown)
#undef UAL_REQUIRED_ENTRY
  return {};
}

DeviceKind kind_from_abi(ual_device_kind kind) {
  switch (kind) {
    case UAL_DEVICE_GPU: return DeviceKind::gpu;
    case UAL_DEVICE_IGPU: return DeviceKind::igpu;
    case UAL_DEVICE_NPU: return DeviceKind::npu;
    default: return DeviceKind::cpu;
  }
}

std::string bounded_string(const char* text, std::size_t capacity) { return std::string(text, strnlen(text, capacity)); }

// Checks the table and opens every device; a device that fails to open is reported and skipped.
void open_devices(const std::shared_ptr<LoadedBackend>& backend, BackendReport& report,
                  std::vector<ComputeDevice>& devices) {
  const ual_backend_api& api = *backend->api;
  report.name = bounded_string(api.name, 64);
  const std::uint32_t count = api.device_count(api.backend);
  std::string problems;
  for (std::uint32_t index = 0; index < count; ++index) {
    ual_device_info abi_info{};
    abi_info.abi_version = UAL_BACKEND_ABI_VERSION;
    ual_error error = new_plugin_error();
    ual_status status = api.device_info(api.backend, index, &abi_info, &error);
    ual_device* handle = nullptr;
    if (status == UAL_STATUS_OK) status = api.device_open(api.backend, index, &handle, &error);
    if (status != UAL_STATUS_OK || handle == nullptr) {
      problems += fmt::format("{}device {} did not open: {}", problems.empty() ? "" : "; ", index,
                              status == UAL_STATUS_OK ? "no handle returned" : message_of(error));
      continue;
    }
    auto state = std::make_shared<DeviceState>();
    state->backend = backend;
    state->handle = handle;
    ComputeDeviceInfo& info = state->info;
    info.id = fmt::format("{}:{}", report.name, index);
    info.backend = report.name;
    info.name = bounded_string(abi_info.name, sizeof abi_info.name);
    info.kind = kind_from_abi(abi_info.kind);
    info.driver_version = bounded_string(abi_info.driver_version, sizeof abi_info.driver_version);
    info.pci_vendor_id = abi_info.pci_vendor_id;
    info.pci_device_id = abi_info.pci_device_id;
    info.memory_bytes = abi_info.memory_bytes;
    info.host_visible_memory = abi_info.host_visible_memory != 0;
    info.peak_f32_gflops = abi_info.peak_f32_gflops;
    info.memory_bandwidth_gbps = abi_info.memory_bandwidth_gbps;
    std::string pci_address = bounded_string(abi_info.pci_address, sizeof abi_info.pci_address);
    // Bound to the HardwareDevice discovery lists: its PCI address, or the machine's one CPU entry for a device that
    // is the host CPU (the built-in backend, PoCL's pthread device).
    info.hardware = !pci_address.empty() ? pci_address : (abi_info.kind == UAL_DEVICE_CPU ? "cpu" : "");
    report.device_ids.push_back(info.id);
    devices.emplace_back(std::move(state));
  }
  if (!problems.empty()) report.reason = problems;
}

}  // namespace

std::shared_ptr<PluginHost> make_plugin_host(const std::string& cache_directory) {
  auto host = std::make_shared<PluginHost>();
  host->cache_directory = cache_directory;
  host->host = ual_host{UAL_BACKEND_ABI_VERSION, UAL_VERSION_STRING,
                        host->cache_directory.empty() ? nullptr : host->cache_directory.c_str(), &log_from_plugin};
  return host;
}

void log_from_plugin(int32_t level, const char* message) {
  static const char* setting = std::getenv("UAL_LOG");
  if (setting == nullptr || message == nullptr) return;
  const int threshold = std::strcmp(setting, "debug") == 0 ? 0 : std::strcmp(setting, "info") == 0 ? 1 : 2;
  if (level >= threshold) fmt::print(stderr, "ual[backend]: {}\n", message);
}

Result<std::uint32_t> LoadedPlugin::score_check(const ual_host& host) const {
  ual_error why = new_plugin_error();
  std::uint32_t score = score_function(&host, &why);
  if (score == 0) {
    std::string reason = message_of(why);
    return make_error(ErrorCode::unavailable, reason.empty() ? "the plugin says it cannot run here" : reason);
  }
  return score;
}

Result<LoadedPlugin> open_plugin_file(const std::string& path) {
  // Kept mapped after close: plugins start vendor runtimes (threads, TLS destructors) that are unsafe to unload.
  auto library = DynamicLibrary::open(path, /*keep_mapped=*/true);
  if (!library) return make_error(ErrorCode::not_found, "cannot be loaded: " + library.error().message);
  LoadedPlugin plugin;
  plugin.score_function = library->symbol<ual_backend_score_function>("ual_backend_score");
  plugin.init_function = library->symbol<ual_backend_init_function>("ual_backend_init");
  if (plugin.score_function == nullptr || plugin.init_function == nullptr)
    return make_error(ErrorCode::parse_error,
                      fmt::format("not a ual backend plugin: it does not export {}",
                                  plugin.score_function == nullptr ? "ual_backend_score" : "ual_backend_init"));
  plugin.library = std::move(library.value());
  return plugin;
}

Status start_backend(DynamicLibrary library, ual_backend_init_function init, const std::shared_ptr<PluginHost>& host,
                     const std::string& path, BackendReport& report, std::vector<ComputeDevice>& devices) {
  ual_error error = new_plugin_error();
  const ual_backend_api* api = init(&host->host, &error);
  if (api == nullptr) {
    std::string reason = message_of(error);
    return make_error(ErrorCode::unavailable, "init failed: " + (reason.empty() ? "no reason given" : reason));
  }
  if (api->abi_version != UAL_BACKEND_ABI_VERSION) {
    // The table cannot be trusted beyond its first member: not even shutdown is called.
    return make_error(ErrorCode::unavailable,
                      fmt::format("built for backend ABI version {}, this libual speaks version {}",
                                  api->abi_version, UAL_BACKEND_ABI_VERSION));
  }
  if (std::string missing = missing_required_entry(*api); !missing.empty()) {
    if (api->shutdown != nullptr) api->shutdown(api->backend);
    return make_error(ErrorCode::unavailable, fmt::format("its ual_backend_api lacks the required entry {}", missing));
  }
  auto backend = std::make_shared<LoadedBackend>();
  backend->library = std::move(library);
  backend->host = host;
  backend->api = api;
  backend->path = path;
  open_devices(backend, report, devices);
  return ok_status();
}

}  // namespace ual::detail
