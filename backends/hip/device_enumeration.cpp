#include "device_enumeration.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "kfd_topology.hpp"
#include "plugin_error.hpp"

namespace ual::hip {
namespace {

// An attribute, or `fallback` when the runtime refuses it or answers outside [minimum, maximum] (a renumbered enum
// in a future ROCm must not turn into a nonsense launch size).
int attribute(const HipLibrary& runtime, int ordinal, int which, int minimum, int maximum, int fallback) {
  int value = 0;
  if (runtime.hipDeviceGetAttribute(&value, which, ordinal) != hipSuccess) return fallback;
  return value >= minimum && value <= maximum ? value : fallback;
}

void copy_text(char* destination, std::size_t size, const std::string& text) {
  const std::size_t length = std::min(size - 1, text.size());
  std::memcpy(destination, text.data(), length);
  destination[length] = '\0';
}

DeviceDescription describe(const HipLibrary& runtime, int ordinal) {
  DeviceDescription device;
  device.ordinal = ordinal;
  hipDevice_t handle = ordinal;
  runtime.hipDeviceGet(&handle, ordinal);
  char name[256] = {};
  if (runtime.hipDeviceGetName(name, sizeof name, handle) == hipSuccess && name[0] != '\0') device.name = name;
  else device.name = "AMD GPU";
  std::size_t bytes = 0;
  if (runtime.hipDeviceTotalMem(&bytes, handle) == hipSuccess) device.memory_bytes = bytes;
  char pci[32] = {};
  if (runtime.hipDeviceGetPCIBusId(pci, sizeof pci, ordinal) == hipSuccess) {
    device.pci_address = pci;
    std::transform(device.pci_address.begin(), device.pci_address.end(), device.pci_address.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
  KfdNode node;
  const bool in_kfd = !device.pci_address.empty() && read_kfd_node("/sys", device.pci_address, node);
  if (in_kfd) {
    device.gfx_target = node.gfx_target;
    device.pci_device_id = node.device_id;
  }
  device.multiprocessors =
      attribute(runtime, ordinal, hipDeviceAttributeMultiprocessorCount, 1, 4096, in_kfd ? node.compute_units : 0);
  if (device.multiprocessors == 0) device.multiprocessors = 1;
  device.max_threads_per_block = attribute(runtime, ordinal, hipDeviceAttributeMaxThreadsPerBlock, 64, 1024, 1024);
  const int wavefront_fallback =
      in_kfd && node.wavefront_size > 0 ? node.wavefront_size : default_wavefront_size(device.gfx_target);
  device.wavefront_size = attribute(runtime, ordinal, hipDeviceAttributeWarpSize, 32, 64, wavefront_fallback);
  device.clock_khz = attribute(runtime, ordinal, hipDeviceAttributeClockRate, 1, 10'000'000,
                               in_kfd ? node.max_clock_mhz * 1000 : 0);
  device.memory_clock_khz = attribute(runtime, ordinal, hipDeviceAttributeMemoryClockRate, 1, 100'000'000, 0);
  device.memory_bus_bits = attribute(runtime, ordinal, hipDeviceAttributeMemoryBusWidth, 1, 65536, 0);
  device.integrated = attribute(runtime, ordinal, hipDeviceAttributeIntegrated, 0, 1, 0) == 1;
  return device;
}

}  // namespace

ual_status enumerate_devices(const HipLibrary& runtime, std::vector<DeviceDescription>& devices, ual_error* error) {
  devices.clear();
  // Without a GPU, HIP 5.2's hipInit fails (hipErrorInvalidDevice) and hipGetDeviceCount says hipErrorNoDevice; both
  // go into the reason, hipGetDeviceCount's last as the runtime's own answer to "how many devices".
  const hipError_t init = runtime.hipInit(0);
  const std::string init_failure = init != hipSuccess ? "hipInit: " + runtime.describe(init) + "; " : std::string();
  int count = 0;
  if (const hipError_t r = runtime.hipGetDeviceCount(&count); r != hipSuccess) {
    return fail(error, UAL_STATUS_UNAVAILABLE,
                "unavailable: HIP runtime loaded but reports no device (%shipGetDeviceCount: %s)",
                init_failure.c_str(), runtime.describe(r).c_str());
  }
  if (count <= 0 || init != hipSuccess) {
    return fail(error, UAL_STATUS_UNAVAILABLE,
                "unavailable: HIP runtime loaded but reports no device (%shipGetDeviceCount: %d devices)",
                init_failure.c_str(), count);
  }
  for (int ordinal = 0; ordinal < count; ++ordinal) devices.push_back(describe(runtime, ordinal));
  return UAL_STATUS_OK;
}

double peak_f32_gflops(const DeviceDescription& device) {
  return static_cast<double>(device.multiprocessors) * 64.0 * 2.0 * device.clock_khz / 1e6;
}

double memory_bandwidth_gbps(const DeviceDescription& device) {
  return 2.0 * device.memory_clock_khz * 1e3 * (device.memory_bus_bits / 8.0) / 1e9;
}

void describe_device(const Backend& backend, const DeviceDescription& device, ual_device_info* info) {
  *info = ual_device_info{};
  info->abi_version = UAL_BACKEND_ABI_VERSION;
  copy_text(info->name, sizeof info->name, device.name);
  info->kind = device.integrated ? UAL_DEVICE_IGPU : UAL_DEVICE_GPU;
  info->pci_vendor_id = 0x1002;
  info->pci_device_id = device.pci_device_id;
  copy_text(info->pci_address, sizeof info->pci_address, device.pci_address);
  // hipDriverGetVersion: HIP_VERSION of the runtime, major * 10'000'000 + minor * 100'000 + patch.
  const int version = backend.driver_version;
  const std::string driver = version > 0 ? "HIP " + std::to_string(version / 10'000'000) + "." +
                                               std::to_string(version / 100'000 % 100) + "." +
                                               std::to_string(version % 100'000)
                                         : std::string();
  copy_text(info->driver_version, sizeof info->driver_version, driver);
  info->memory_bytes = device.memory_bytes;
  info->host_visible_memory = 0;
  info->peak_f32_gflops = peak_f32_gflops(device);
  info->memory_bandwidth_gbps = memory_bandwidth_gbps(device);
}

std::string device_label(uint32_t index, const DeviceDescription& device) {
  return "hip:" + std::to_string(index) + " (" + device.name + ", " +
         (device.gfx_target.empty() ? "unknown gfx target" : device.gfx_target) + ")";
}

}  // namespace ual::hip
