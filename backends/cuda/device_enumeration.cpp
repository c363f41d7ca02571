#include "device_enumeration.hpp"

#include <cstdio>
#include <cstring>

#include "../common/plugin_status.hpp"

namespace ual::cuda {
namespace {

using ual::plugin::fail;

int attribute(const CudaDriver& driver, CUdevice device, CUdevice_attribute which) {
  int value = 0;
  if (driver.cuDeviceGetAttribute(&value, which, device) != CUDA_SUCCESS) return 0;
  return value;
}

// FP32 FMA lanes per SM by compute capability: CUDA C++ Programming Guide, "Arithmetic Instructions" throughput
// table (32-bit floating-point add, multiply, multiply-add: 64 results per clock per SM on 6.0/7.x/8.0, 128 on
// 5.x/6.1/6.2/8.6/8.7/8.9/9.0 and later).
int fp32_lanes_per_multiprocessor(int major, int minor) {
  if (major == 6 && minor == 0) return 64;
  if (major == 7) return 64;
  if (major == 8 && minor == 0) return 64;
  return 128;
}

}  // namespace

ual_status enumerate_devices(const CudaDriver& driver, std::vector<DeviceDescription>& devices, ual_error* error) {
  int count = 0;
  if (const CUresult result = driver.cuDeviceGetCount(&count); result != CUDA_SUCCESS) {
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: cuDeviceGetCount failed: %s",
                driver.describe(result).c_str());
  }
  if (count == 0) {
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: the NVIDIA driver (%s) reports no CUDA device",
                driver.path.c_str());
  }
  for (int ordinal = 0; ordinal < count; ++ordinal) {
    DeviceDescription description;
    if (const CUresult result = driver.cuDeviceGet(&description.device, ordinal); result != CUDA_SUCCESS) {
      return fail(error, UAL_STATUS_DEVICE_ERROR, "cuDeviceGet(%d) failed: %s", ordinal,
                  driver.describe(result).c_str());
    }
    const CUdevice device = description.device;
    char name[256] = {};
    if (driver.cuDeviceGetName(name, sizeof name - 1, device) == CUDA_SUCCESS) description.name = name;
    if (description.name.empty()) description.name = "NVIDIA GPU " + std::to_string(ordinal);
    description.compute_major = attribute(driver, device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    description.compute_minor = attribute(driver, device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    description.multiprocessors = attribute(driver, device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    description.max_threads_per_block = attribute(driver, device, CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
    if (description.max_threads_per_block <= 0) description.max_threads_per_block = 1024;
    description.clock_khz = attribute(driver, device, CU_DEVICE_ATTRIBUTE_CLOCK_RATE);
    description.memory_clock_khz = attribute(driver, device, CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE);
    description.memory_bus_bits = attribute(driver, device, CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH);
    description.integrated = attribute(driver, device, CU_DEVICE_ATTRIBUTE_INTEGRATED) != 0;
    std::size_t bytes = 0;
    if (driver.cuDeviceTotalMem_v2(&bytes, device) == CUDA_SUCCESS) description.memory_bytes = bytes;
    char pci[32] = {};
    if (driver.cuDeviceGetPCIBusId(pci, sizeof pci - 1, device) == CUDA_SUCCESS) {
      description.pci_address = pci;
      // The driver writes "0000:C1:00.0"; discovery and sysfs use lower case.
      for (char& c : description.pci_address) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
    }
    devices.push_back(std::move(description));
  }
  return UAL_STATUS_OK;
}

double peak_f32_gflops(const DeviceDescription& device) {
  if (device.multiprocessors <= 0 || device.clock_khz <= 0) return 0;
  const int lanes = fp32_lanes_per_multiprocessor(device.compute_major, device.compute_minor);
  return 2.0 * lanes * device.multiprocessors * (device.clock_khz * 1e3) / 1e9;  // one FMA = 2 flops
}

double memory_bandwidth_gbps(const DeviceDescription& device) {
  if (device.memory_clock_khz <= 0 || device.memory_bus_bits <= 0) return 0;
  return 2.0 * (device.memory_clock_khz * 1e3) * (device.memory_bus_bits / 8.0) / 1e9;
}

void describe_device(const Backend& backend, const DeviceDescription& device, ual_device_info* info) {
  std::memset(info, 0, sizeof *info);
  info->abi_version = UAL_BACKEND_ABI_VERSION;
  std::snprintf(info->name, sizeof info->name, "%s", device.name.c_str());
  info->kind = device.integrated ? UAL_DEVICE_IGPU : UAL_DEVICE_GPU;
  info->pci_vendor_id = 0x10de;  // NVIDIA; the device id comes from discovery's sysfs binding by PCI address
  std::snprintf(info->pci_address, sizeof info->pci_address, "%s", device.pci_address.c_str());
  std::snprintf(info->driver_version, sizeof info->driver_version, "CUDA %d.%d, compute %d.%d",
                backend.driver_version / 1000, (backend.driver_version % 1000) / 10, device.compute_major,
                device.compute_minor);
  info->memory_bytes = device.memory_bytes;
  info->host_visible_memory = 0;
  info->peak_f32_gflops = peak_f32_gflops(device);
  info->memory_bandwidth_gbps = memory_bandwidth_gbps(device);
}

}  // namespace ual::cuda
