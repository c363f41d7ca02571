#include "discovery/vendor_passes.hpp"

#if defined(__APPLE__) && defined(__aarch64__)
#include <sys/sysctl.h>
#endif

namespace ual::discovery {

// Apple silicon: every arm64 Mac has a Neural Engine and an integrated GPU; there is no sysfs, so this path reads
// sysctl on the live machine only. Compiled on macOS arm64; not exercised by CI (Linux).
std::vector<HardwareDevice> discover_apple_devices([[maybe_unused]] DiscoveryContext& context) {
  std::vector<HardwareDevice> devices;
#if defined(__APPLE__) && defined(__aarch64__)
  if (!context.sysroot().is_live()) return devices;
  char brand[256] = {};
  std::size_t size = sizeof brand - 1;
  const std::string chip = sysctlbyname("machdep.cpu.brand_string", brand, &size, nullptr, 0) == 0 ? brand : "Apple";
  HardwareDevice gpu;
  gpu.kind = DeviceKind::igpu;
  gpu.vendor = "apple";
  gpu.name = chip + " GPU";
  gpu.arch = "apple-gpu";
  gpu.driver = "metal";
  devices.push_back(gpu);
  HardwareDevice npu;
  npu.kind = DeviceKind::npu;
  npu.vendor = "apple";
  npu.name = chip + " Neural Engine";
  npu.arch = "ane";
  npu.driver = "coreml";
  npu.fastflowlm_supported = false;
  devices.push_back(npu);
#endif
  return devices;
}

}  // namespace ual::discovery
