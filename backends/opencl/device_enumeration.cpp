#include "device_enumeration.hpp"

#include <CL/cl_ext.h>

#include <cstdio>
#include <cstring>
#include <fstream>

#include "plugin_error.hpp"

namespace ual::opencl {
namespace {

// Vendor extensions that expose the PCI address where cl_khr_pci_bus_info is missing (values from the vendors'
// extension specs; cl_ext.h does not carry the NVIDIA ones).
constexpr cl_device_info kNvidiaPciBusId = 0x4008;     // CL_DEVICE_PCI_BUS_ID_NV
constexpr cl_device_info kNvidiaPciSlotId = 0x4009;    // CL_DEVICE_PCI_SLOT_ID_NV
constexpr cl_device_info kNvidiaPciDomainId = 0x400A;  // CL_DEVICE_PCI_DOMAIN_ID_NV

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ' || text.back() == '\n')) text.pop_back();
  std::size_t first = 0;
  while (first < text.size() && text[first] == ' ') ++first;
  return text.substr(first);
}

template <class T>
bool device_value(const OpenClLibrary& cl, cl_device_id device, cl_device_info what, T& value) {
  return cl.clGetDeviceInfo(device, what, sizeof value, &value, nullptr) == CL_SUCCESS;
}

bool has_extension(const std::string& extensions, const char* name) {
  const std::string padded = " " + extensions + " ";
  return padded.find(std::string(" ") + name + " ") != std::string::npos;
}

// "OpenCL 3.0 PoCL ..." -> 300; 0 when unreadable.
int opencl_version(const std::string& version) {
  int major = 0;
  int minor = 0;
  if (std::sscanf(version.c_str(), "OpenCL %d.%d", &major, &minor) != 2) return 0;
  return major * 100 + minor * 10;
}

struct PciAddress {
  unsigned domain = 0, bus = 0, device = 0, function = 0;
  bool known = false;
};

PciAddress pci_address(const OpenClLibrary& cl, cl_device_id device, const std::string& extensions) {
  PciAddress address;
  if (has_extension(extensions, "cl_khr_pci_bus_info")) {
    cl_device_pci_bus_info_khr info{};
    if (device_value(cl, device, CL_DEVICE_PCI_BUS_INFO_KHR, info)) {
      return {info.pci_domain, info.pci_bus, info.pci_device, info.pci_function, true};
    }
  }
  if (has_extension(extensions, "cl_amd_device_attribute_query")) {
    cl_device_topology_amd topology{};
    if (device_value(cl, device, CL_DEVICE_TOPOLOGY_AMD, topology) &&
        topology.raw.type == CL_DEVICE_TOPOLOGY_TYPE_PCIE_AMD) {
      return {0, static_cast<unsigned char>(topology.pcie.bus), static_cast<unsigned char>(topology.pcie.device),
              static_cast<unsigned char>(topology.pcie.function), true};
    }
  }
  if (has_extension(extensions, "cl_nv_device_attribute_query")) {
    cl_uint bus = 0, slot = 0, domain = 0;
    if (device_value(cl, device, kNvidiaPciBusId, bus) && device_value(cl, device, kNvidiaPciSlotId, slot)) {
      device_value(cl, device, kNvidiaPciDomainId, domain);  // newer drivers only; 0 otherwise
      // The NV slot id packs device and function as (device << 3) | function.
      return {domain, bus, slot >> 3, slot & 7, true};
    }
  }
  return address;
}

// The PCI device id is not an OpenCL query; sysfs has it for the address the driver reported.
unsigned read_sysfs_hex(const std::string& path) {
  std::ifstream file(path);
  unsigned value = 0;
  if (file >> std::hex >> value) return value;
  return 0;
}

void copy_text(char* destination, std::size_t size, const std::string& text) {
  std::snprintf(destination, size, "%s", text.c_str());
}

}  // namespace

std::string device_string(const OpenClLibrary& cl, cl_device_id device, cl_device_info what) {
  std::size_t size = 0;
  if (cl.clGetDeviceInfo(device, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string text(size, '\0');
  if (cl.clGetDeviceInfo(device, what, size, text.data(), nullptr) != CL_SUCCESS) return "";
  return trim(text);
}

std::string platform_string(const OpenClLibrary& cl, cl_platform_id platform, cl_platform_info what) {
  std::size_t size = 0;
  if (cl.clGetPlatformInfo(platform, what, 0, nullptr, &size) != CL_SUCCESS || size == 0) return "";
  std::string text(size, '\0');
  if (cl.clGetPlatformInfo(platform, what, size, text.data(), nullptr) != CL_SUCCESS) return "";
  return trim(text);
}

ual_status enumerate_devices(const OpenClLibrary& cl, std::vector<DeviceEntry>& devices, ual_error* error) {
  devices.clear();
  cl_uint platform_count = 0;
  cl_int status = cl.clGetPlatformIDs(0, nullptr, &platform_count);
  if (status == -1001 /* CL_PLATFORM_NOT_FOUND_KHR: the ICD loader found no driver */ || platform_count == 0) {
    return UAL_STATUS_OK;
  }
  if (status != CL_SUCCESS) {
    return fail(error, UAL_STATUS_DEVICE_ERROR, "clGetPlatformIDs failed: %s", cl_error_text(status).c_str());
  }
  std::vector<cl_platform_id> platforms(platform_count);
  status = cl.clGetPlatformIDs(platform_count, platforms.data(), nullptr);
  if (status != CL_SUCCESS) {
    return fail(error, UAL_STATUS_DEVICE_ERROR, "clGetPlatformIDs failed: %s", cl_error_text(status).c_str());
  }
  for (cl_platform_id platform : platforms) {
    cl_uint count = 0;
    if (cl.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, nullptr, &count) != CL_SUCCESS || count == 0) continue;
    std::vector<cl_device_id> ids(count);
    if (cl.clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, count, ids.data(), nullptr) != CL_SUCCESS) continue;
    for (cl_device_id id : ids) {
      if (opencl_version(device_string(cl, id, CL_DEVICE_VERSION)) < 120) continue;
      devices.push_back({platform, id});
    }
  }
  return UAL_STATUS_OK;
}

ual_status describe_device(const OpenClLibrary& cl, const DeviceEntry& entry, ual_device_info* info,
                           ual_error* error) {
  if (info == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device_info: info is NULL");
  *info = ual_device_info{};
  info->abi_version = UAL_BACKEND_ABI_VERSION;
  copy_text(info->name, sizeof info->name, device_string(cl, entry.device, CL_DEVICE_NAME));
  copy_text(info->driver_version, sizeof info->driver_version, device_string(cl, entry.device, CL_DRIVER_VERSION));

  cl_device_type type = 0;
  device_value(cl, entry.device, CL_DEVICE_TYPE, type);
  cl_bool unified = CL_FALSE;
  device_value(cl, entry.device, CL_DEVICE_HOST_UNIFIED_MEMORY, unified);
  if ((type & CL_DEVICE_TYPE_GPU) != 0) {
    info->kind = unified ? UAL_DEVICE_IGPU : UAL_DEVICE_GPU;
  } else if ((type & CL_DEVICE_TYPE_CPU) != 0) {
    info->kind = UAL_DEVICE_CPU;
  } else {
    info->kind = UAL_DEVICE_OTHER;
  }

  cl_uint vendor_id = 0;
  device_value(cl, entry.device, CL_DEVICE_VENDOR_ID, vendor_id);
  info->pci_vendor_id = vendor_id;
  cl_ulong memory = 0;
  device_value(cl, entry.device, CL_DEVICE_GLOBAL_MEM_SIZE, memory);
  info->memory_bytes = memory;

  const PciAddress address = pci_address(cl, entry.device, device_string(cl, entry.device, CL_DEVICE_EXTENSIONS));
  if (address.known) {
    std::snprintf(info->pci_address, sizeof info->pci_address, "%04x:%02x:%02x.%x", address.domain, address.bus,
                  address.device, address.function);
    const std::string sysfs = std::string("/sys/bus/pci/devices/") + info->pci_address + "/";
    if (const unsigned vendor = read_sysfs_hex(sysfs + "vendor"); vendor != 0) info->pci_vendor_id = vendor;
    info->pci_device_id = read_sysfs_hex(sysfs + "device");
  }
  // Device buffers are cl_mem objects, never plain host memory: the host always copies.
  info->host_visible_memory = 0;
  info->peak_f32_gflops = 0.0;
  info->memory_bandwidth_gbps = 0.0;
  return UAL_STATUS_OK;
}

}  // namespace ual::opencl
