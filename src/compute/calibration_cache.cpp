#include "compute/calibration_cache.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cache_file.hpp"

namespace ual::detail {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int cache_format = 1;

// Without a measurement: the backend's reported peak if any, else a deliberately modest figure (a CPU core's worth),
// so that an unmeasured accelerator does not win by default.
DeviceCost unmeasured_cost(const ComputeDevice& device) {
  const ComputeDeviceInfo& info = device.info();
  DeviceCost cost;
  cost.gemm_flops_per_second = info.peak_f32_gflops > 0 ? info.peak_f32_gflops * 1e9 * 0.7 : 20e9;
  cost.op_overhead_seconds = info.host_visible_memory ? 2e-6 : 20e-6;
  cost.stream_bytes_per_second = info.memory_bandwidth_gbps > 0 ? info.memory_bandwidth_gbps * 1e9 * 0.7 : 5e9;
  cost.transfer_bytes_per_second = info.host_visible_memory ? 0 : 5e9;
  cost.transfer_latency_seconds = info.host_visible_memory ? 0 : 10e-6;
  return cost;
}

json to_json(const DeviceCost& cost) {
  return {{"gemm_flops_per_second", cost.gemm_flops_per_second},
          {"op_overhead_seconds", cost.op_overhead_seconds},
          {"stream_bytes_per_second", cost.stream_bytes_per_second},
          {"transfer_bytes_per_second", cost.transfer_bytes_per_second},
          {"transfer_latency_seconds", cost.transfer_latency_seconds}};
}

std::optional<DeviceCost> from_json(const json& entry) {
  try {
    DeviceCost cost;
    cost.gemm_flops_per_second = entry.at("gemm_flops_per_second").get<double>();
    cost.op_overhead_seconds = entry.at("op_overhead_seconds").get<double>();
    cost.stream_bytes_per_second = entry.at("stream_bytes_per_second").get<double>();
    cost.transfer_bytes_per_second = entry.at("transfer_bytes_per_second").get<double>();
    cost.transfer_latency_seconds = entry.at("transfer_latency_seconds").get<double>();
    cost.measured = true;
    if (!plausible(cost)) return std::nullopt;
    return cost;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

json load_document(const fs::path& file) {
  std::ifstream stream(file);
  if (!stream) return json::object();
  std::stringstream content;
  content << stream.rdbuf();
  try {
    json document = json::parse(content.str());
    if (document.is_object() && document.value("format", 0) == cache_format &&
        document.value("ual_version", std::string()) == UAL_VERSION_STRING && document.contains("devices") &&
        document["devices"].is_object())
      return document;
  } catch (const std::exception&) {
  }
  return json::object();  // corrupt or from another version: rebuilt
}


}  // namespace

bool plausible(const DeviceCost& cost) {
  auto finite_in = [](double value, double low, double high) { return std::isfinite(value) && value >= low && value <= high; };
  return finite_in(cost.gemm_flops_per_second, 1e6, 1e17) && finite_in(cost.op_overhead_seconds, 0, 1) &&
         finite_in(cost.stream_bytes_per_second, 1e6, 1e14) &&
         (cost.transfer_bytes_per_second == 0 || finite_in(cost.transfer_bytes_per_second, 1e5, 1e13)) &&
         finite_in(cost.transfer_latency_seconds, 0, 1);
}

std::string calibration_key(const ComputeDevice& device) {
  const ComputeDeviceInfo& info = device.info();
  return fmt::format("{}|{}|{}|{}", info.id, info.name, info.driver_version, info.hardware);
}

Result<std::vector<DeviceCost>> device_costs(const std::vector<ComputeDevice>& devices, const std::string& directory,
                                             bool calibrate,
                                             const std::function<void(const ComputeDevice&)>& on_calibration) {
  std::vector<DeviceCost> costs;
  if (!calibrate) {
    for (const ComputeDevice& device : devices) costs.push_back(unmeasured_cost(device));
    return costs;
  }
  const fs::path file = directory.empty() ? fs::path() : fs::path(directory) / calibration_file_name;
  json document = file.empty() ? json::object() : load_document(file);
  bool changed = !document.contains("devices");
  if (changed) document = {{"format", cache_format}, {"ual_version", UAL_VERSION_STRING}, {"devices", json::object()}};
  for (const ComputeDevice& device : devices) {
    const std::string key = calibration_key(device);
    std::optional<DeviceCost> cost;
    if (document["devices"].contains(key)) cost = from_json(document["devices"][key]);
    if (!cost) {
      if (on_calibration) on_calibration(device);
      auto measured = measure_device_cost(device);
      if (!measured) {
        costs.push_back(unmeasured_cost(device));  // a device that cannot run the probe ops is never preferred
        continue;
      }
      cost = measured.value();
      document["devices"][key] = to_json(*cost);
      changed = true;
    }
    costs.push_back(*cost);
  }
  if (changed && !file.empty()) core::replace_file(file, document.dump(2) + "\n");
  return costs;
}

}  // namespace ual::detail
