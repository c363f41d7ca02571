#include <algorithm>

#include <fmt/format.h>

#include "core/dynamic_library.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual::discovery {
namespace {

// NVML's C API (nvml.h, https://docs.nvidia.com/deploy/nvml-api/): only the calls used here, by their exported
// names. nvmlReturn_t is an int enum with NVML_SUCCESS == 0; nvmlDevice_t is an opaque pointer.
using NvmlDevice = void*;
struct NvmlMemory {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
};
using InitFunction = int (*)();
using ShutdownFunction = int (*)();
using HandleByBusIdFunction = int (*)(const char*, NvmlDevice*);
using MemoryInfoFunction = int (*)(NvmlDevice, NvmlMemory*);
using ComputeCapabilityFunction = int (*)(NvmlDevice, int*, int*);
using StringFunction = int (*)(NvmlDevice, char*, unsigned int);

}  // namespace

void query_nvml(DiscoveryContext& context, std::vector<HardwareDevice>& devices) {
  if (!context.sysroot().is_live() || !context.options().query_nvml) return;
  const bool any_nvidia = std::any_of(devices.begin(), devices.end(), [](const HardwareDevice& device) {
    return device.vendor_id == 0x10de && device.driver == "nvidia";
  });
  if (!any_nvidia) return;
  auto library = DynamicLibrary::open("libnvidia-ml.so.1");
  if (!library) return;  // reported by the runtimes pass
  const auto init = library->symbol<InitFunction>("nvmlInit_v2");
  const auto shutdown = library->symbol<ShutdownFunction>("nvmlShutdown");
  const auto by_bus_id = library->symbol<HandleByBusIdFunction>("nvmlDeviceGetHandleByPciBusId_v2");
  const auto memory_info = library->symbol<MemoryInfoFunction>("nvmlDeviceGetMemoryInfo");
  const auto capability = library->symbol<ComputeCapabilityFunction>("nvmlDeviceGetCudaComputeCapability");
  const auto uuid = library->symbol<StringFunction>("nvmlDeviceGetUUID");
  const auto name = library->symbol<StringFunction>("nvmlDeviceGetName");
  if (!init || !shutdown || !by_bus_id) return;
  if (const int status = init(); status != 0) {
    context.add_problem(fmt::format("NVML (libnvidia-ml.so.1) failed to initialise: nvmlReturn {}", status));
    return;
  }
  for (HardwareDevice& device : devices) {
    if (device.vendor_id != 0x10de || device.driver != "nvidia") continue;
    NvmlDevice handle = nullptr;
    if (by_bus_id(device.pci_address.c_str(), &handle) != 0) continue;
    NvmlMemory memory{};
    if (memory_info && memory_info(handle, &memory) == 0) device.memory_bytes = memory.total;
    int major = 0, minor = 0;
    if (capability && capability(handle, &major, &minor) == 0) device.arch = fmt::format("sm_{}{}", major, minor);
    char buffer[96] = {};
    if (uuid && uuid(handle, buffer, sizeof buffer) == 0) device.uuid = buffer;
    if (name && name(handle, buffer, sizeof buffer) == 0) device.name = buffer;
  }
  shutdown();
}

}  // namespace ual::discovery
