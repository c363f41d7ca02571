#include "discovery/context.hpp"
#include "discovery/cpu.hpp"
#include "discovery/pci.hpp"
#include "discovery/runtimes.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual {

const char* to_string(DeviceKind kind) noexcept {
  switch (kind) {
    case DeviceKind::cpu: return "cpu";
    case DeviceKind::gpu: return "gpu";
    case DeviceKind::igpu: return "igpu";
    case DeviceKind::npu: return "npu";
  }
  return "unknown";
}

Result<Inventory> discover(const DiscoveryOptions& options) {
  auto sysroot = discovery::Sysroot::open(options.sysroot.string());
  if (!sysroot) return sysroot.error();
  const auto& tables = discovery::device_tables();
  if (!tables) return tables.error();

  discovery::DiscoveryContext context(*sysroot, options);
  Inventory inventory;
  inventory.sysroot = sysroot->root();
  inventory.devices.push_back(discovery::discover_cpu(context, *tables));

  std::vector<HardwareDevice> accelerators = discovery::discover_pci_accelerators(context, *tables);
  discovery::describe_nvidia_gpus(context, accelerators);
  discovery::query_nvml(context, accelerators);
  discovery::describe_amd_gpus(context, accelerators);
  discovery::describe_npus(context, accelerators);
  for (HardwareDevice& device : discovery::discover_qualcomm_npus(context)) accelerators.push_back(std::move(device));
  for (HardwareDevice& device : discovery::discover_apple_devices(context)) accelerators.push_back(std::move(device));
  for (HardwareDevice& device : accelerators) inventory.devices.push_back(std::move(device));

  if (options.probe_runtimes) inventory.runtimes = discovery::discover_runtimes(context, inventory.devices);
  inventory.problems = context.take_problems();
  return inventory;
}

}  // namespace ual
