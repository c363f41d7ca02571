// Which OpenCL devices the plugin offers (every OpenCL 1.2+ device of every platform, platform then device order,
// as opencl:0, opencl:1, ...) and how each is described to ual (ual_device_info).
#pragma once

#include <string>
#include <vector>

#include "opencl_library.hpp"

namespace ual::opencl {

struct DeviceEntry {
  cl_platform_id platform = nullptr;
  cl_device_id device = nullptr;
};

// No platform or no device is not an error: the list is empty. Devices older than OpenCL 1.2 are left out (the
// plugin relies on clEnqueueFillBuffer and OpenCL C 1.2).
ual_status enumerate_devices(const OpenClLibrary& cl, std::vector<DeviceEntry>& devices, ual_error* error);

ual_status describe_device(const OpenClLibrary& cl, const DeviceEntry& entry, ual_device_info* info,
                           ual_error* error);

// String properties, trimmed of surrounding spaces and the trailing NUL ("" when the query fails).
std::string device_string(const OpenClLibrary& cl, cl_device_id device, cl_device_info what);
std::string platform_string(const OpenClLibrary& cl, cl_platform_id platform, cl_platform_info what);

}  // namespace ual::opencl
