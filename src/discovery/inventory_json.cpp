#include <nlohmann/json.hpp>

#include "discovery/inventory_json.hpp"

namespace ual {
namespace {

using nlohmann::ordered_json;

template <class T>
ordered_json optional_value(const std::optional<T>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json text_or_null(const std::string& text) { return text.empty() ? ordered_json(nullptr) : ordered_json(text); }

ordered_json device_json(const HardwareDevice& device) {
  ordered_json json;
  json["kind"] = to_string(device.kind);
  json["vendor"] = device.vendor;
  json["name"] = device.name;
  json["arch"] = text_or_null(device.arch);
  json["generation"] = text_or_null(device.generation);
  json["pci_address"] = text_or_null(device.pci_address);
  json["vendor_id"] = optional_value(device.vendor_id);
  json["device_id"] = optional_value(device.device_id);
  json["revision"] = optional_value(device.revision);
  json["subsystem_vendor_id"] = optional_value(device.subsystem_vendor_id);
  json["subsystem_device_id"] = optional_value(device.subsystem_device_id);
  json["driver"] = text_or_null(device.driver);
  json["driver_version"] = text_or_null(device.driver_version);
  json["firmware_version"] = text_or_null(device.firmware_version);
  json["device_node"] = text_or_null(device.device_node);
  json["uuid"] = text_or_null(device.uuid);
  json["numa_node"] = optional_value(device.numa_node);
  json["memory_bytes"] = device.memory_bytes;
  json["compute_units"] = device.compute_units;
  if (device.kind == DeviceKind::npu) json["fastflowlm_supported"] = device.fastflowlm_supported.value_or(false);
  if (device.cpu) {
    const CpuDetails& cpu = *device.cpu;
    json["isa"] = cpu.isa;
    json["family"] = cpu.family >= 0 ? ordered_json(cpu.family) : ordered_json(nullptr);
    json["model"] = cpu.model >= 0 ? ordered_json(cpu.model) : ordered_json(nullptr);
    json["stepping"] = cpu.stepping >= 0 ? ordered_json(cpu.stepping) : ordered_json(nullptr);
    json["sockets"] = cpu.sockets;
    json["cores"] = cpu.cores;
    json["threads"] = cpu.threads;
    json["numa_nodes"] = cpu.numa_nodes;
    json["features"] = cpu.features;
    json["cache_bytes"] = {{"l1d", cpu.cache_bytes.l1d}, {"l1i", cpu.cache_bytes.l1i},
                           {"l2", cpu.cache_bytes.l2}, {"l3", cpu.cache_bytes.l3}};
  }
  json["problems"] = device.problems;
  return json;
}

}  // namespace

ordered_json runtime_json(const Runtime& runtime) {
  ordered_json json;
  json["name"] = runtime.name;
  json["usable"] = runtime.usable;
  json["loaded"] = runtime.loaded;
  json["version"] = text_or_null(runtime.version);
  json["path"] = text_or_null(runtime.path);
  json["reason"] = text_or_null(runtime.reason);
  if (runtime.name == "onnxruntime") json["providers"] = runtime.providers;
  if (runtime.name == "opencl") {
    json["platforms"] = ordered_json::array();
    for (const OpenClPlatform& platform : runtime.platforms) {
      ordered_json entry{{"name", platform.name}, {"vendor", platform.vendor}, {"version", platform.version}};
      entry["devices"] = ordered_json::array();
      for (const OpenClDevice& device : platform.devices)
        entry["devices"].push_back({{"name", device.name}, {"type", device.type}, {"memory_bytes", device.memory_bytes}});
      json["platforms"].push_back(std::move(entry));
    }
  }
  return json;
}

std::string to_json(const Inventory& inventory, int indent) {
  ordered_json json;
  json["sysroot"] = inventory.sysroot;
  json["devices"] = ordered_json::array();
  for (const HardwareDevice& device : inventory.devices) json["devices"].push_back(device_json(device));
  json["runtimes"] = ordered_json::array();
  for (const Runtime& runtime : inventory.runtimes) json["runtimes"].push_back(runtime_json(runtime));
  json["problems"] = inventory.problems;
  // Invalid UTF-8 from a corrupt file is replaced rather than thrown: discovery output must always print.
  return json.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace ual
