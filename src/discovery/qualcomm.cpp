#include "core/text.hpp"
#include "discovery/device_node.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual::discovery {

// Qualcomm's Hexagon NPU is reached through FastRPC: the kernel's fastrpc driver (drivers/misc/fastrpc.c) creates
// /dev/fastrpc-cdsp (and -secure) for the compute DSP. It is a platform device, not PCI.
std::vector<HardwareDevice> discover_qualcomm_npus(DiscoveryContext& context) {
  std::vector<HardwareDevice> devices;
  for (const std::string& name : context.list_directory("/dev")) {
    if (name != "fastrpc-cdsp" && name != "fastrpc-cdsp1") continue;
    HardwareDevice device;
    device.kind = DeviceKind::npu;
    device.vendor = "qualcomm";
    device.name = "Qualcomm Hexagon NPU (compute DSP)";
    device.arch = "hexagon";
    device.driver = "fastrpc";
    device.device_node = "/dev/" + name;
    device.fastflowlm_supported = false;
    if (auto problem = check_device_node_access(context, device.device_node)) device.problems.push_back(*problem);
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace ual::discovery
