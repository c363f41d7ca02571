#include "discovery/device_tables.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"
#include "core/text.hpp"

namespace ual::discovery {
namespace {

using nlohmann::json;

std::uint32_t hex_field(const json& object, const char* key) {
  const auto value = text::parse_hex_id(object.at(key).get<std::string>());
  if (!value) throw std::runtime_error(fmt::format("{} is not a hex id", key));
  return *value;
}

std::optional<DeviceKind> parse_kind(const std::string& kind) {
  if (kind == "gpu") return DeviceKind::gpu;
  if (kind == "igpu") return DeviceKind::igpu;
  if (kind == "npu") return DeviceKind::npu;
  if (kind == "cpu") return DeviceKind::cpu;
  throw std::runtime_error("unknown kind " + kind);
}

std::string string_or_empty(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

void add_pci_device_file(const json& file, std::vector<PciDeviceEntry>& devices) {
  const std::uint32_t vendor_id = hex_field(file, "vendor_id");
  for (const json& item : file.at("devices")) {
    PciDeviceEntry entry;
    entry.vendor_id = vendor_id;
    entry.device_id = hex_field(item, "device_id");
    if (item.contains("revision")) entry.revision = hex_field(item, "revision");
    entry.name = item.at("name").get<std::string>();
    if (item.contains("kind")) entry.kind = parse_kind(item.at("kind").get<std::string>());
    entry.arch = string_or_empty(item, "arch");
    entry.family = string_or_empty(item, "family");
    entry.generation = string_or_empty(item, "generation");
    entry.memory_bytes = item.value("memory_bytes", std::uint64_t{0});
    if (item.contains("fastflowlm")) entry.fastflowlm = item.at("fastflowlm").get<bool>();
    devices.push_back(std::move(entry));
  }
}

json parse_embedded_json(std::string_view path) {
  const auto content = data::find_embedded_file(path);
  if (!content) throw std::runtime_error(fmt::format("data/{} is not compiled in", path));
  return json::parse(*content);
}

}  // namespace

Result<DeviceTables> DeviceTables::parse_embedded() {
  DeviceTables tables;
  std::string current;
  try {
    for (const data::EmbeddedFile& file : data::embedded_files()) {
      current = std::string(file.path);
      if (!text::starts_with(file.path, "pci/")) continue;
      const json content = json::parse(file.content);
      if (file.path == "pci/vendors.json") {
        for (const json& item : content.at("vendors"))
          tables.vendors_.push_back({hex_field(item, "vendor_id"), item.at("key").get<std::string>(),
                                     item.at("name").get<std::string>()});
      } else if (file.path == "pci/not-accelerators.json") {
        for (const json& item : content.at("entries")) {
          NotAcceleratorEntry entry{hex_field(item, "vendor_id"), std::nullopt, item.at("reason").get<std::string>()};
          if (item.contains("device_id")) entry.device_id = hex_field(item, "device_id");
          tables.not_accelerators_.push_back(std::move(entry));
        }
      } else {
        add_pci_device_file(content, tables.devices_);
      }
    }
    current = "cpu/microarchitectures.json";
    const json microarchitectures = parse_embedded_json(current);
    for (const json& item : microarchitectures.at("x86")) {
      CpuMicroarchitectureEntry entry;
      entry.vendor = item.at("vendor").get<std::string>();
      entry.family = item.at("family").get<int>();
      for (const json& range : item.at("models")) entry.model_ranges.emplace_back(range.at(0).get<int>(), range.at(1).get<int>());
      entry.name = item.at("name").get<std::string>();
      tables.x86_microarchitectures_.push_back(std::move(entry));
    }
    for (const json& item : microarchitectures.at("arm")) {
      CpuMicroarchitectureEntry entry;
      entry.vendor = text::to_lower(item.at("implementer").get<std::string>());
      entry.part = hex_field(item, "part");
      entry.name = item.at("name").get<std::string>();
      tables.arm_microarchitectures_.push_back(std::move(entry));
    }
    current = "cpu/vendors.json";
    const json cpu_vendors = parse_embedded_json(current);
    for (const auto& [id, item] : cpu_vendors.at("x86").items())
      tables.x86_vendors_.emplace_back(id, CpuVendorEntry{item.at("key").get<std::string>(), item.at("name").get<std::string>()});
    for (const auto& [id, item] : cpu_vendors.at("arm_implementers").items())
      tables.arm_vendors_.emplace_back(text::to_lower(id),
                                       CpuVendorEntry{item.at("key").get<std::string>(), item.at("name").get<std::string>()});
    current = "cpu/features.json";
    const json features = parse_embedded_json(current);
    for (const json& name : features.at("x86")) tables.x86_features_.emplace_back(name.get<std::string>(), name.get<std::string>());
    for (const auto& [flag, name] : features.at("arm64").items()) tables.arm_features_.emplace_back(flag, name.get<std::string>());
  } catch (const std::exception& error) {
    return make_error(ErrorCode::parse_error, fmt::format("data/{}: {}", current, error.what()));
  }
  return tables;
}

const PciDeviceEntry* DeviceTables::find_device(std::uint32_t vendor_id, std::uint32_t device_id,
                                                std::optional<std::uint32_t> revision) const {
  const PciDeviceEntry* any_revision = nullptr;
  for (const PciDeviceEntry& entry : devices_) {
    if (entry.vendor_id != vendor_id || entry.device_id != device_id) continue;
    if (!entry.revision) {
      if (!any_revision) any_revision = &entry;
    } else if (revision && *entry.revision == *revision) {
      return &entry;
    }
  }
  return any_revision;
}

const PciVendorEntry* DeviceTables::find_vendor(std::uint32_t vendor_id) const {
  for (const PciVendorEntry& entry : vendors_)
    if (entry.vendor_id == vendor_id) return &entry;
  return nullptr;
}

const NotAcceleratorEntry* DeviceTables::find_not_accelerator(std::uint32_t vendor_id, std::uint32_t device_id) const {
  for (const NotAcceleratorEntry& entry : not_accelerators_)
    if (entry.vendor_id == vendor_id && (!entry.device_id || *entry.device_id == device_id)) return &entry;
  return nullptr;
}

std::string DeviceTables::find_x86_microarchitecture(std::string_view vendor, int family, int model) const {
  for (const CpuMicroarchitectureEntry& entry : x86_microarchitectures_) {
    if (entry.vendor != vendor || entry.family != family) continue;
    for (const auto& [low, high] : entry.model_ranges)
      if (model >= low && model <= high) return entry.name;
  }
  return {};
}

std::string DeviceTables::find_arm_microarchitecture(std::uint32_t implementer, std::uint32_t part) const {
  const std::string implementer_text = fmt::format("0x{:02x}", implementer);
  for (const CpuMicroarchitectureEntry& entry : arm_microarchitectures_)
    if (entry.vendor == implementer_text && entry.part == part) return entry.name;
  return {};
}

std::optional<CpuVendorEntry> DeviceTables::find_x86_vendor(std::string_view vendor_id) const {
  for (const auto& [id, entry] : x86_vendors_)
    if (id == vendor_id) return entry;
  return std::nullopt;
}

std::optional<CpuVendorEntry> DeviceTables::find_arm_vendor(std::uint32_t implementer) const {
  const std::string implementer_text = fmt::format("0x{:02x}", implementer);
  for (const auto& [id, entry] : arm_vendors_)
    if (id == implementer_text) return entry;
  return std::nullopt;
}

const Result<DeviceTables>& device_tables() {
  static const Result<DeviceTables> tables = DeviceTables::parse_embedded();
  return tables;
}

}  // namespace ual::discovery
