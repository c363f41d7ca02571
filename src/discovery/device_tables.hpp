// ual's own device-id tables (data/pci/*.json, compiled in): names, kinds and architectures of accelerators that
// Debian's pci.ids does not know yet, and the display functions that are not accelerators (BMCs, NVSwitches).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/inventory.hpp"
#include "ual/result.hpp"

namespace ual::discovery {

struct PciDeviceEntry {
  std::uint32_t vendor_id = 0;
  std::uint32_t device_id = 0;
  std::optional<std::uint32_t> revision;  // set: matches only this revision (XDNA2 generations)
  std::string name;
  std::optional<DeviceKind> kind;
  std::string arch;
  std::string family;
  std::string generation;
  std::uint64_t memory_bytes = 0;
  std::optional<bool> fastflowlm;
};

struct PciVendorEntry {
  std::uint32_t vendor_id = 0;
  std::string key;   // "amd", "nvidia"
  std::string name;  // "AMD", "NVIDIA"
};

struct NotAcceleratorEntry {
  std::uint32_t vendor_id = 0;
  std::optional<std::uint32_t> device_id;  // unset: every device of the vendor
  std::string reason;
};

struct CpuMicroarchitectureEntry {
  std::string vendor;  // x86: "GenuineIntel"/"AuthenticAMD"; arm: implementer id as "0x41"
  int family = -1;     // x86 only
  std::vector<std::pair<int, int>> model_ranges;  // x86 models, inclusive
  std::uint32_t part = 0;                          // arm only
  std::string name;
};

struct CpuVendorEntry {
  std::string key;   // "amd", "intel", "arm", "nvidia"
  std::string name;  // "AMD", "Arm"
};

class DeviceTables {
 public:
  static Result<DeviceTables> parse_embedded();

  const PciDeviceEntry* find_device(std::uint32_t vendor_id, std::uint32_t device_id,
                                    std::optional<std::uint32_t> revision) const;
  const PciVendorEntry* find_vendor(std::uint32_t vendor_id) const;
  const NotAcceleratorEntry* find_not_accelerator(std::uint32_t vendor_id, std::uint32_t device_id) const;
  std::string find_x86_microarchitecture(std::string_view vendor, int family, int model) const;
  std::string find_arm_microarchitecture(std::uint32_t implementer, std::uint32_t part) const;
  std::optional<CpuVendorEntry> find_x86_vendor(std::string_view vendor_id) const;
  std::optional<CpuVendorEntry> find_arm_vendor(std::uint32_t implementer) const;
  // Feature flags reported for the CPU: cpuinfo flag -> reported name (identity on x86; asimd -> neon on arm).
  const std::vector<std::pair<std::string, std::string>>& x86_features() const { return x86_features_; }
  const std::vector<std::pair<std::string, std::string>>& arm_features() const { return arm_features_; }

 private:
  std::vector<PciDeviceEntry> devices_;
  std::vector<PciVendorEntry> vendors_;
  std::vector<NotAcceleratorEntry> not_accelerators_;
  std::vector<CpuMicroarchitectureEntry> x86_microarchitectures_;
  std::vector<CpuMicroarchitectureEntry> arm_microarchitectures_;
  std::vector<std::pair<std::string, CpuVendorEntry>> x86_vendors_;
  std::vector<std::pair<std::string, CpuVendorEntry>> arm_vendors_;  // implementer as "0x41"
  std::vector<std::pair<std::string, std::string>> x86_features_;
  std::vector<std::pair<std::string, std::string>> arm_features_;
};

// Parsed once per process. The tables are part of the build and checked by a unit test, so a failure here is a
// build defect; it is still reported as an Error rather than thrown.
const Result<DeviceTables>& device_tables();

}  // namespace ual::discovery
