// The compute part of `ual devices --json`, appended to the inventory's document.
#include <nlohmann/json.hpp>

#include "ual/backends.hpp"

namespace ual {

std::string to_json(const Inventory& inventory, const ComputeListing* backends, int indent) {
  using nlohmann::ordered_json;
  ordered_json document = ordered_json::parse(to_json(inventory, indent), nullptr, false);
  if (document.is_discarded()) document = ordered_json::object();
  ordered_json devices = ordered_json::array();
  ordered_json reports = ordered_json::array();
  if (backends != nullptr) {
    for (const ComputeDeviceInfo& info : backends->devices) {
      devices.push_back({{"id", info.id},
                         {"backend", info.backend},
                         {"name", info.name},
                         {"kind", to_string(info.kind)},
                         {"hardware", info.hardware.empty() ? ordered_json(nullptr) : ordered_json(info.hardware)},
                         {"driver_version", info.driver_version},
                         {"memory_bytes", info.memory_bytes}});
    }
    for (const BackendReport& report : backends->reports) {
      reports.push_back({{"name", report.name},
                         {"path", report.path.empty() ? ordered_json(nullptr) : ordered_json(report.path)},
                         {"loaded", report.loaded},
                         {"score", report.score},
                         {"reason", report.reason.empty() ? ordered_json(nullptr) : ordered_json(report.reason)},
                         {"devices", report.device_ids}});
    }
  }
  document["compute_devices"] = std::move(devices);
  document["compute_backends"] = std::move(reports);
  return document.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace ual
