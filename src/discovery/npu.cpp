#include <fmt/format.h>

#include "discovery/device_node.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual::discovery {
namespace {

std::string expected_npu_driver(const HardwareDevice& device) {
  if (device.vendor_id == 0x1022) return "amdxdna";   // drivers/accel/amdxdna
  if (device.vendor_id == 0x8086) return "intel_vpu";  // drivers/accel/ivpu
  return device.driver;
}

}  // namespace

void describe_npus(DiscoveryContext& context, std::vector<HardwareDevice>& devices) {
  for (HardwareDevice& device : devices) {
    if (device.kind != DeviceKind::npu || device.pci_address.empty()) continue;
    const std::string driver = expected_npu_driver(device);
    if (driver.empty() || device.driver != driver) {
      device.problems.push_back(driver.empty() ? std::string("no driver bound")
                                               : missing_driver_problem(context, driver, device.driver));
      continue;
    }
    const std::string folder = "/sys/bus/pci/devices/" + device.pci_address + "/";
    if (device.vendor_id == 0x1022) {
      // amdxdna's sysfs attributes on the PCI device (amdxdna_sysfs.c): vbnv (product name), fw_version.
      if (const auto firmware = context.optional_attribute(folder + "fw_version")) device.firmware_version = *firmware;
      // vbnv ("RyzenAI-npu5") names the NPU generation when ual's table does not know this revision.
      if (const auto vbnv = context.optional_attribute(folder + "vbnv"); vbnv && device.generation.empty())
        device.generation = *vbnv;
    }
    device.device_node = find_accel_node(context, device.pci_address);
    const bool accel_driver = driver == "amdxdna" || driver == "intel_vpu";  // both register /dev/accel nodes
    if (device.device_node.empty() && accel_driver) {
      device.problems.push_back(fmt::format("driver {} is bound but no /sys/class/accel entry points at {}: the "
                                            "driver did not finish probing (check dmesg, firmware files)",
                                            driver, device.pci_address));
      continue;
    }
    if (device.device_node.empty()) continue;
    if (auto problem = check_device_node_access(context, device.device_node)) device.problems.push_back(*problem);
  }
}

}  // namespace ual::discovery
