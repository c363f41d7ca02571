// list_compute_devices: the compute part of `ual devices`, from a cache when nothing it depends on has changed.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cache_file.hpp"
#include "discovery/runtime_cache.hpp"
#include "ual/backends.hpp"

namespace ual {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
constexpr int listing_format = 1;

// Everything a listing depends on: the runtime probes' environment, every plugin file the search would find (and
// libual itself), and the variables plugins read.
std::string listing_key() {
  std::string key = discovery::runtime_environment_signature();
  for (const std::string& entry : backend_search_path()) {
    std::error_code error;
    if (fs::is_directory(entry, error)) {
      std::vector<std::string> files;
      for (const auto& item : fs::directory_iterator(entry, error))
        if (item.path().filename().string().starts_with("libual")) files.push_back(item.path().string());
      std::sort(files.begin(), files.end());
      for (const std::string& file : files) key += ";" + discovery::RuntimeCache::file_signature(file);
    } else {
      key += ";" + discovery::RuntimeCache::file_signature(entry);
    }
  }
  for (const char* variable : {"UAL_BACKEND_PATH", "UAL_OPENCL_LIBRARY", "OCL_ICD_FILENAMES", "POCL_DEVICES",
                               "CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES"}) {
    const char* value = std::getenv(variable);
    key += fmt::format(";{}={}", variable, value ? value : "");
  }
  return key;
}

json info_json(const ComputeDeviceInfo& info) {
  return {{"id", info.id},           {"backend", info.backend},       {"name", info.name},
          {"kind", static_cast<int>(info.kind)}, {"hardware", info.hardware}, {"driver_version", info.driver_version},
          {"pci_vendor_id", info.pci_vendor_id}, {"pci_device_id", info.pci_device_id},
          {"memory_bytes", info.memory_bytes}, {"host_visible_memory", info.host_visible_memory},
          {"peak_f32_gflops", info.peak_f32_gflops}, {"memory_bandwidth_gbps", info.memory_bandwidth_gbps}};
}

ComputeDeviceInfo info_from_json(const json& item) {
  ComputeDeviceInfo info;
  info.id = item.at("id").get<std::string>();
  info.backend = item.at("backend").get<std::string>();
  info.name = item.at("name").get<std::string>();
  const int kind = item.at("kind").get<int>();
  if (kind < 0 || kind > static_cast<int>(DeviceKind::npu)) throw std::runtime_error("bad kind");
  info.kind = static_cast<DeviceKind>(kind);
  info.hardware = item.at("hardware").get<std::string>();
  info.driver_version = item.at("driver_version").get<std::string>();
  info.pci_vendor_id = item.at("pci_vendor_id").get<std::uint32_t>();
  info.pci_device_id = item.at("pci_device_id").get<std::uint32_t>();
  info.memory_bytes = item.at("memory_bytes").get<std::uint64_t>();
  info.host_visible_memory = item.at("host_visible_memory").get<bool>();
  info.peak_f32_gflops = item.at("peak_f32_gflops").get<double>();
  info.memory_bandwidth_gbps = item.at("memory_bandwidth_gbps").get<double>();
  return info;
}

json report_json(const BackendReport& report) {
  return {{"name", report.name},     {"path", report.path},     {"loaded", report.loaded},
          {"score", report.score},   {"reason", report.reason}, {"devices", report.device_ids}};
}

BackendReport report_from_json(const json& item) {
  BackendReport report;
  report.name = item.at("name").get<std::string>();
  report.path = item.at("path").get<std::string>();
  report.loaded = item.at("loaded").get<bool>();
  report.score = item.at("score").get<std::uint32_t>();
  report.reason = item.at("reason").get<std::string>();
  report.device_ids = item.at("devices").get<std::vector<std::string>>();
  return report;
}

std::optional<ComputeListing> load_listing(const fs::path& file, const std::string& key) {
  std::ifstream stream(file);
  if (!stream) return std::nullopt;
  std::stringstream content;
  content << stream.rdbuf();
  try {
    const json document = json::parse(content.str());
    if (document.at("format").get<int>() != listing_format || document.at("key").get<std::string>() != key)
      return std::nullopt;
    ComputeListing listing;
    for (const json& item : document.at("devices")) listing.devices.push_back(info_from_json(item));
    for (const json& item : document.at("backends")) listing.reports.push_back(report_from_json(item));
    if (listing.reports.empty()) return std::nullopt;  // the CPU backend is always there: this file is wrong
    listing.from_cache = true;
    return listing;
  } catch (const std::exception&) {
    return std::nullopt;  // corrupt: rebuilt below
  }
}

void save_listing(const fs::path& file, const std::string& key, const ComputeListing& listing) {
  json devices = json::array(), backends = json::array();
  for (const auto& info : listing.devices) devices.push_back(info_json(info));
  for (const auto& report : listing.reports) backends.push_back(report_json(report));
  const json document{{"format", listing_format}, {"key", key}, {"devices", devices}, {"backends", backends}};
  core::replace_file(file, document.dump(1) + "\n");
}

}  // namespace

ComputeListing describe(const BackendRegistry& backends) {
  ComputeListing listing;
  for (const ComputeDevice& device : backends.devices()) listing.devices.push_back(device.info());
  listing.reports = backends.reports();
  return listing;
}

ComputeListing list_compute_devices(bool refresh, const std::string& cache_directory) {
  const std::string directory = cache_directory.empty() ? default_cache_directory() : cache_directory;
  const fs::path file = directory.empty() ? fs::path() : fs::path(directory) / "compute-devices-v1.json";
  const std::string key = listing_key();
  if (!refresh && !file.empty())
    if (auto cached = load_listing(file, key)) return *cached;
  ComputeListing listing = describe(default_backends());
  if (!file.empty()) save_listing(file, key, listing);
  return listing;
}

}  // namespace ual
