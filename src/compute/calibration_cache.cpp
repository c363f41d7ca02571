#include "compute/calibration_cache.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "compute/cost_fields.hpp"
#include "compute/device_cost_seed.hpp"
#include "core/cache_file.hpp"

namespace ual::detail {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int cache_format = 2;

// Only the measured figures are stored: seeded ones are recomputed from the compiled-in data on every load.
json to_json(const DeviceCost& cost) {
  json entry = json::object();
  for (const CostField& field : cost_fields())
    if (cost.source(field.name) == "measured") entry[field.name] = cost.*field.member;
  return entry;
}

std::optional<DeviceCost> from_json(const json& entry) {
  try {
    DeviceCost cost;
    for (const CostField& field : cost_fields()) {
      if (!entry.contains(field.name)) {
        if (field.required) return std::nullopt;
        continue;
      }
      cost.*field.member = entry.at(field.name).get<double>();
      cost.sources[field.name] = "measured";
    }
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
  for (const CostField& field : cost_fields()) {
    const double value = cost.*field.member;
    if (!std::isfinite(value)) return false;
    if (value == 0 && !field.required) continue;
    if (value < field.low || value > field.high) return false;
  }
  return true;
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
    for (const ComputeDevice& device : devices) costs.push_back(seeded_cost(device.info()));
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
        costs.push_back(seeded_cost(device.info()));  // a device that cannot run the probe ops keeps its seed
        continue;
      }
      cost = measured.value();
      document["devices"][key] = to_json(*cost);
      changed = true;
    }
    costs.push_back(with_measurements(seeded_cost(device.info()), *cost));
  }
  if (changed && !file.empty()) core::replace_file(file, document.dump(2) + "\n");
  return costs;
}

}  // namespace ual::detail
