// Listing HIP devices through the runtime (and the KFD topology for what the runtime only says in hipDeviceProp_t,
// whose layout differs between ROCm 5 and 6) and describing them in the ABI's ual_device_info.
#pragma once

#include <vector>

#include "plugin_objects.hpp"

namespace ual::hip {

// hipInit and every device the runtime reports. UNAVAILABLE with the runtime's words when it has none:
// "unavailable: HIP runtime loaded but reports no device (hipInit: hipErrorInvalidDevice (101); hipGetDeviceCount:
// hipErrorNoDevice (100))" on a machine with the runtime but no GPU.
ual_status enumerate_devices(const HipLibrary& runtime, std::vector<DeviceDescription>& devices, ual_error* error);

// Peak f32 rate from the CU count, 64 lanes x 2 flops (FMA) per CU per clock (CDNA's packed FP32 and RDNA3's dual
// issue not counted), and the clock; memory bandwidth from the memory clock (double data rate) and bus width.
// 0 when the runtime does not say.
double peak_f32_gflops(const DeviceDescription& device);
double memory_bandwidth_gbps(const DeviceDescription& device);

void describe_device(const Backend& backend, const DeviceDescription& device, ual_device_info* info);

// "hip:0 (AMD Instinct MI210, gfx90a)": how messages name a device.
std::string device_label(uint32_t index, const DeviceDescription& device);

}  // namespace ual::hip
