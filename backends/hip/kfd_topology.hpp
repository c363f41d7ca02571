// The amdgpu kernel driver's view of a GPU (KFD topology in sysfs): its gfx target ("gfx90a", "gfx942"), compute
// units and wavefront size, read without the HIP runtime's hipDeviceProp_t (whose layout changed between ROCm 5 and
// 6). The plugin is standalone, so this is its own small reader of what libual's discovery also parses.
#pragma once

#include <cstdint>
#include <string>

namespace ual::hip {

struct KfdNode {
  std::string gfx_target;  // "gfx90a"; "" when gfx_target_version is absent or malformed
  int compute_units = 0;   // simd_count / simd_per_cu; 0 when unknown
  int wavefront_size = 0;  // 64 on CDNA/GCN, 32 on RDNA; 0 when unknown
  std::uint32_t device_id = 0;
  int max_clock_mhz = 0;   // max_engine_clk_fcompute
};

// The KFD GPU node at PCI address "0000:c1:00.0" (any case; the function digit is ignored, as KFD's location_id
// carries compute partitions there) under `sysfs_root` + /class/kfd/kfd/topology/nodes. False when none matches.
bool read_kfd_node(const std::string& sysfs_root, const std::string& pci_address, KfdNode& node);

// gfx_target_version 90010 -> "gfx90a", 110501 -> "gfx1151" (major, minor and stepping, the last two in hex).
std::string decode_gfx_target_version(std::uint64_t version);

}  // namespace ual::hip
