#include "discovery/pci.hpp"

#include <cctype>

#include <fmt/format.h>

#include "core/text.hpp"

namespace ual::discovery {
namespace {

constexpr std::size_t pci_ids_limit = 16u << 20;

std::optional<std::uint32_t> read_hex(DiscoveryContext& context, const std::string& path) {
  const auto value = context.optional_attribute(path);
  if (!value) return std::nullopt;
  const auto number = text::parse_hex_id(*value);
  if (!number) context.add_problem(fmt::format("{}: not a hex number: '{}'", path, *value));
  return number;
}

DeviceKind default_kind(std::uint32_t class_code, std::uint32_t vendor_id) {
  if ((class_code >> 16) == 0x03) return DeviceKind::gpu;
  // Processing accelerators from GPU vendors are compute GPUs (MI300X, A100 in compute mode); others are NPUs.
  if ((class_code >> 16) == 0x12 && (vendor_id == 0x1002 || vendor_id == 0x10de)) return DeviceKind::gpu;
  return DeviceKind::npu;
}

bool is_hex_digits(std::string_view text) {
  for (const char c : text)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

bool is_pci_address(std::string_view text) {
  // DDDD:BB:DD.F with hex digits (domain may be longer on some hypervisors: accept 4 to 8).
  const std::size_t first_colon = text.find(':');
  if (first_colon < 4 || first_colon > 8 || text.size() != first_colon + 8) return false;
  return is_hex_digits(text.substr(0, first_colon)) && text[first_colon + 3] == ':' && text[first_colon + 6] == '.' &&
         is_hex_digits(text.substr(first_colon + 1, 2)) && is_hex_digits(text.substr(first_colon + 4, 2)) &&
         text[first_colon + 7] >= '0' && text[first_colon + 7] <= '7';
}

bool is_accelerator_class(std::uint32_t class_code) {
  const std::uint32_t base = class_code >> 16;
  return base == 0x03 || base == 0x12 || (class_code >> 8) == 0x1180;
}

std::string pci_address_of_link(std::string_view link_target) {
  while (!link_target.empty() && link_target.back() == '/') link_target.remove_suffix(1);
  const std::size_t slash = link_target.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? link_target : link_target.substr(slash + 1);
  return is_pci_address(last) ? std::string(last) : std::string();
}

std::optional<std::string> lookup_pci_ids_name(std::string_view pci_ids, std::uint32_t vendor_id,
                                               std::uint32_t device_id) {
  // Format (pciutils pci.ids): "vvvv  Vendor" at column 0, "\tdddd  Device" under it, "\t\tssss ssss  Sub" below.
  const std::string vendor_key = fmt::format("{:04x}", vendor_id);
  const std::string device_key = fmt::format("{:04x}", device_id);
  std::string vendor_name;
  bool in_vendor = false;
  for (const std::string_view line : text::split(pci_ids, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    if (line.front() != '\t') {
      if (in_vendor) return std::nullopt;  // next vendor: device not listed
      if (text::starts_with(line, "C ")) return std::nullopt;  // class section: vendor not listed
      if (line.size() > 6 && text::to_lower(line.substr(0, 4)) == vendor_key && line.substr(4, 2) == "  ") {
        in_vendor = true;
        vendor_name = std::string(text::trim(line.substr(6)));
      }
      continue;
    }
    if (!in_vendor || line.size() < 8 || line[1] == '\t') continue;
    if (text::to_lower(line.substr(1, 4)) == device_key && line.substr(5, 2) == "  ")
      return fmt::format("{} {}", vendor_name, text::trim(line.substr(7)));
  }
  return std::nullopt;
}

std::vector<HardwareDevice> discover_pci_accelerators(DiscoveryContext& context, const DeviceTables& tables) {
  std::vector<HardwareDevice> devices;
  std::optional<std::string> pci_ids;  // read once, only if some id is missing from our tables
  bool pci_ids_read = false;
  const std::string base = "/sys/bus/pci/devices/";
  for (const std::string& address : context.list_directory(base)) {
    if (!is_pci_address(address)) continue;
    const std::string folder = base + address + "/";
    const auto class_code = read_hex(context, folder + "class");
    if (!class_code || !is_accelerator_class(*class_code)) continue;
    const auto vendor_id = read_hex(context, folder + "vendor");
    const auto device_id = read_hex(context, folder + "device");
    if (!vendor_id || !device_id) {
      context.add_problem(fmt::format("{}: accelerator-class function without readable vendor/device ids", folder));
      continue;
    }
    if (tables.find_not_accelerator(*vendor_id, *device_id)) continue;
    const auto revision = read_hex(context, folder + "revision");
    const PciDeviceEntry* entry = tables.find_device(*vendor_id, *device_id, revision);
    // 0x1180 "signal processing controller" also covers thermal, telemetry and sensor-hub functions (Intel's
    // proc_thermal_pci and intel_vsec on Lunar Lake): only ids ual knows as NPUs count.
    if ((*class_code >> 8) == 0x1180 && !entry) continue;

    HardwareDevice device;
    device.pci_address = address;
    device.vendor_id = vendor_id;
    device.device_id = device_id;
    device.revision = revision;
    device.subsystem_vendor_id = read_hex(context, folder + "subsystem_vendor");
    device.subsystem_device_id = read_hex(context, folder + "subsystem_device");
    if (const auto numa = context.optional_attribute(folder + "numa_node")) {
      const auto node = text::parse_signed(*numa);
      if (node && *node >= 0 && *node < 65536) device.numa_node = static_cast<int>(*node);
    }
    if (const auto link = context.sysroot().read_link(folder + "driver")) {
      const std::size_t slash = link->rfind('/');
      device.driver = slash == std::string::npos ? *link : link->substr(slash + 1);
    }

    const PciVendorEntry* vendor = tables.find_vendor(*vendor_id);
    device.vendor = vendor ? vendor->key : fmt::format("0x{:04x}", *vendor_id);
    device.kind = default_kind(*class_code, *vendor_id);
    if (entry) {
      device.name = entry->name;
      if (entry->kind) device.kind = *entry->kind;
      device.arch = entry->arch;
      device.generation = entry->generation;
      device.memory_bytes = entry->memory_bytes;
      device.fastflowlm_supported = entry->fastflowlm;
    } else {
      if (!pci_ids_read) {
        pci_ids_read = true;
        pci_ids = context.optional_file("/usr/share/misc/pci.ids", pci_ids_limit);
        if (!pci_ids) pci_ids = context.optional_file("/usr/share/hwdata/pci.ids", pci_ids_limit);
      }
      const auto listed = pci_ids ? lookup_pci_ids_name(*pci_ids, *vendor_id, *device_id) : std::nullopt;
      device.name = listed ? *listed
                           : fmt::format("{} device 0x{:04x}", vendor ? vendor->name : fmt::format("PCI vendor 0x{:04x}", *vendor_id),
                                         *device_id);
    }
    if (device.kind == DeviceKind::npu) device.fastflowlm_supported = device.fastflowlm_supported.value_or(false);
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace ual::discovery
