#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "discovery/device_node.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual::discovery {

NvidiaGpuInformation parse_nvidia_gpu_information(std::string_view text) {
  // Format: open-gpu-kernel-modules kernel-open/nvidia/nv-procfs.c (nv_procfs_read_gpu_info): "Model: \t\t ...".
  NvidiaGpuInformation information;
  for (const auto& [key, value] : text::parse_key_value_lines(text, ':')) {
    if (!text::is_printable(value)) continue;
    if (key == "Model") information.model = std::string(value);
    else if (key == "GPU UUID") information.uuid = std::string(value);
    else if (key == "Bus Location") information.bus_location = text::to_lower(value);
    else if (key == "Device Minor") {
      const auto minor = text::parse_unsigned(value);
      if (minor && *minor < 4096) information.device_minor = static_cast<int>(*minor);
    }
  }
  return information;
}

std::string parse_nvidia_driver_version(std::string_view proc_version_text) {
  // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024"
  // (open kernel modules print "NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build ...").
  for (const std::string_view line : text::split(proc_version_text, '\n')) {
    if (!text::starts_with(line, "NVRM version:")) continue;
    for (const std::string_view word : text::split_whitespace(line)) {
      const auto parts = text::split(word, '.');
      if (parts.size() >= 2 && parts.size() <= 4 &&
          std::all_of(parts.begin(), parts.end(), [](std::string_view part) { return text::parse_unsigned(part).has_value(); }))
        return std::string(word);
    }
  }
  return {};
}

void describe_nvidia_gpus(DiscoveryContext& context, std::vector<HardwareDevice>& devices) {
  std::optional<std::string> driver_version;
  bool driver_version_read = false;
  for (HardwareDevice& device : devices) {
    if (device.vendor_id != 0x10de) continue;
    if (device.driver != "nvidia") {
      device.problems.push_back(missing_driver_problem(context, "nvidia", device.driver));
      continue;
    }
    if (!driver_version_read) {
      driver_version_read = true;
      if (const auto text = context.optional_file("/proc/driver/nvidia/version", 64 * 1024)) {
        const std::string version = parse_nvidia_driver_version(*text);
        if (!version.empty()) driver_version = version;
      }
      if (!driver_version) driver_version = context.optional_attribute("/sys/module/nvidia/version");
    }
    device.driver_version = driver_version.value_or("");
    const std::string path = "/proc/driver/nvidia/gpus/" + device.pci_address + "/information";
    if (const auto text = context.optional_file(path, 64 * 1024)) {
      const NvidiaGpuInformation information = parse_nvidia_gpu_information(*text);
      if (information.model.empty() && information.uuid.empty() && !information.device_minor)
        context.add_problem(fmt::format("{}: no Model, GPU UUID or Device Minor line", path));
      if (!information.model.empty()) device.name = information.model;  // the driver's own product name
      device.uuid = information.uuid;
      if (information.device_minor) {
        device.device_node = fmt::format("/dev/nvidia{}", *information.device_minor);
        if (auto problem = check_device_node_access(context, device.device_node)) device.problems.push_back(*problem);
      }
    }
  }
}

}  // namespace ual::discovery
