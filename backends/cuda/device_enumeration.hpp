// Listing CUDA devices through the driver API and describing them in the ABI's ual_device_info.
#pragma once

#include <vector>

#include "plugin_objects.hpp"

namespace ual::cuda {

// Every device the driver reports, with the attributes the plugin needs. UNAVAILABLE when the driver has none.
ual_status enumerate_devices(const CudaDriver& driver, std::vector<DeviceDescription>& devices, ual_error* error);

// Peak f32 rate from the SM count, the FP32 lanes per SM of the compute capability and the clock; memory bandwidth
// from the memory clock (double data rate) and the bus width. 0 when the driver does not say.
double peak_f32_gflops(const DeviceDescription& device);
double memory_bandwidth_gbps(const DeviceDescription& device);

void describe_device(const Backend& backend, const DeviceDescription& device, ual_device_info* info);

}  // namespace ual::cuda
