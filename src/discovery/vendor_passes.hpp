// Vendor-specific passes over the PCI accelerators (and the non-PCI devices: Qualcomm, Apple). Each pass adds what
// only that vendor's files say (driver version, gfx target, device node) and the problems a user can act on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/context.hpp"
#include "discovery/device_tables.hpp"

namespace ual::discovery {

void describe_nvidia_gpus(DiscoveryContext& context, std::vector<HardwareDevice>& devices);
void query_nvml(DiscoveryContext& context, std::vector<HardwareDevice>& devices);  // live machine only
void describe_amd_gpus(DiscoveryContext& context, std::vector<HardwareDevice>& devices);
void describe_npus(DiscoveryContext& context, std::vector<HardwareDevice>& devices);  // AMD XDNA, Intel NPU
std::vector<HardwareDevice> discover_qualcomm_npus(DiscoveryContext& context);
std::vector<HardwareDevice> discover_apple_devices(DiscoveryContext& context);

// Pure parsers, for tests and the fuzzer.
struct NvidiaGpuInformation {
  std::string model;
  std::string uuid;
  std::string bus_location;
  std::optional<int> device_minor;
};
NvidiaGpuInformation parse_nvidia_gpu_information(std::string_view text);
std::string parse_nvidia_driver_version(std::string_view proc_version_text);  // "550.54.15" or empty

// amdkfd prints "name value" lines of unsigned decimal numbers; malformed lines are skipped.
std::map<std::string, std::uint64_t> parse_kfd_properties(std::string_view text);
// gfx_target_version (major*10000 + minor*100 + stepping) to an LLVM target: 90402 -> gfx942, 90010 -> gfx90a.
std::string decode_gfx_target_version(std::uint64_t version);

}  // namespace ual::discovery
