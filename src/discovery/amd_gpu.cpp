#include <algorithm>

#include <fmt/format.h>

#include "core/text.hpp"
#include "discovery/device_node.hpp"
#include "discovery/vendor_passes.hpp"

namespace ual::discovery {
namespace {

// amdkfd heap types (kfd_crat.h HSA_MEM_HEAP_TYPE_*): 0 system memory, 1 frame buffer public, 2 private.
// APUs report their carve-out/GTT share as heap type 1 too (kernels 6.10+ size it at half of RAM), so the heap
// type cannot tell an integrated GPU: the id table does, and an old-style combined CPU+GPU node does.
constexpr std::uint64_t heap_type_system = 0;

struct KfdGpuNode {
  std::string pci_slot;  // "0000:05:00": domain, bus, device
  std::uint64_t partition = 0;
  std::string gfx_target;
  std::uint32_t compute_units = 0;
  std::uint64_t vram_bytes = 0;
  bool combined_cpu_node = false;  // pre-4.19 kernels put an APU's CPU cores and GPU in one node
  std::optional<std::uint64_t> render_minor;
};

std::vector<KfdGpuNode> read_kfd_gpu_nodes(DiscoveryContext& context) {
  std::vector<KfdGpuNode> nodes;
  const std::string base = "/sys/class/kfd/kfd/topology/nodes/";
  for (const std::string& node : context.list_directory(base)) {
    if (!text::parse_unsigned(node)) continue;
    const auto text = context.optional_file(base + node + "/properties", 64 * 1024);
    if (!text) continue;
    const auto properties = parse_kfd_properties(*text);
    if (properties.empty()) {
      context.add_problem(fmt::format("{}{}/properties: no \"name value\" lines", base, node));
      continue;
    }
    const auto value = [&](const char* key) -> std::optional<std::uint64_t> {
      const auto found = properties.find(key);
      return found == properties.end() ? std::nullopt : std::optional<std::uint64_t>(found->second);
    };
    if (value("simd_count").value_or(0) == 0) continue;  // a CPU node
    const auto location = value("location_id");
    if (!location) {
      context.add_problem(fmt::format("{}{}/properties: GPU node without location_id", base, node));
      continue;
    }
    KfdGpuNode gpu;
    // location_id is pci_dev_id(): bus << 8 | device << 3 | function (kfd_topology.c kfd_topology_add_device).
    // On a GPU split into compute partitions (MI300 CPX/DPX) each partition is its own node: kernels 6.5-6.8 OR
    // the partition number into the function bits, later ones put it in bits 31:28 ("node id =
    // location_id[31:28]"), so both are read as the partition of one PCI slot.
    gpu.pci_slot = fmt::format("{:04x}:{:02x}:{:02x}", value("domain").value_or(0), (*location >> 8) & 0xff,
                               (*location >> 3) & 0x1f);
    gpu.partition = (*location >> 28) != 0 ? (*location >> 28) & 0xf : *location & 0x7;
    if (const auto target = value("gfx_target_version")) gpu.gfx_target = decode_gfx_target_version(*target);
    const std::uint64_t simd_per_cu = value("simd_per_cu").value_or(0);
    if (simd_per_cu > 0) gpu.compute_units = static_cast<std::uint32_t>(value("simd_count").value_or(0) / simd_per_cu);
    gpu.render_minor = value("drm_render_minor");
    gpu.combined_cpu_node = value("cpu_cores_count").value_or(0) > 0;
    const std::string banks = base + node + "/mem_banks/";
    for (const std::string& bank : context.list_directory(banks)) {
      const auto bank_text = context.optional_file(banks + bank + "/properties", 64 * 1024);
      if (!bank_text) continue;
      const auto bank_properties = parse_kfd_properties(*bank_text);
      const auto heap = bank_properties.find("heap_type");
      const auto size = bank_properties.find("size_in_bytes");
      if (heap == bank_properties.end() || size == bank_properties.end()) continue;
      if (heap->second != heap_type_system) gpu.vram_bytes += size->second;
    }
    nodes.push_back(std::move(gpu));
  }
  return nodes;
}

}  // namespace

std::map<std::string, std::uint64_t> parse_kfd_properties(std::string_view text) {
  std::map<std::string, std::uint64_t> properties;
  for (const auto& [key, value] : text::parse_key_value_lines(text, ' ')) {
    const auto number = text::parse_unsigned(value);
    if (number && text::is_printable(key)) properties.emplace(std::string(key), *number);
  }
  return properties;
}

std::string decode_gfx_target_version(std::uint64_t version) {
  const std::uint64_t major = version / 10000, minor = (version / 100) % 100, stepping = version % 100;
  if (major == 0 || major > 99 || minor > 15 || stepping > 15) return {};
  return fmt::format("gfx{}{:x}{:x}", major, minor, stepping);
}

void describe_amd_gpus(DiscoveryContext& context, std::vector<HardwareDevice>& devices) {
  const bool any_amd_gpu = std::any_of(devices.begin(), devices.end(), [](const HardwareDevice& device) {
    return device.vendor_id == 0x1002 && device.kind != DeviceKind::npu;
  });
  if (!any_amd_gpu) return;
  const std::vector<KfdGpuNode> nodes = read_kfd_gpu_nodes(context);
  const bool kfd_node_present = context.sysroot().exists("/dev/kfd");
  for (HardwareDevice& device : devices) {
    if (device.vendor_id != 0x1002 || device.kind == DeviceKind::npu) continue;
    if (device.driver != "amdgpu") {
      device.problems.push_back(missing_driver_problem(context, "amdgpu", device.driver));
      continue;
    }
    // Every KFD node of this PCI slot: one, or one per compute partition (summed: the device is the whole GPU).
    const std::string slot = device.pci_address.substr(0, device.pci_address.rfind('.'));
    const KfdGpuNode* node = nullptr;
    std::uint32_t compute_units = 0;
    std::uint64_t vram_bytes = 0;
    for (const KfdGpuNode& gpu : nodes) {
      if (gpu.pci_slot != slot) continue;
      compute_units += gpu.compute_units;
      vram_bytes += gpu.vram_bytes;
      if (!node || gpu.partition < node->partition) node = &gpu;
    }
    if (!node) {
      device.problems.push_back("not in the KFD topology (/sys/class/kfd): ROCm/HIP cannot use it; check that the "
                                "amdgpu driver was built with HSA_AMD (KFD) support");
      continue;
    }
    if (!node->gfx_target.empty()) device.arch = node->gfx_target;  // the driver's word beats the id table
    device.compute_units = compute_units;
    if (vram_bytes > 0) device.memory_bytes = vram_bytes;
    if (node->combined_cpu_node) device.kind = DeviceKind::igpu;
    if (node->render_minor) {
      device.device_node = fmt::format("/dev/dri/renderD{}", *node->render_minor);
      if (auto problem = check_device_node_access(context, device.device_node)) device.problems.push_back(*problem);
    }
    if (!kfd_node_present) device.problems.push_back("/dev/kfd is missing: ROCm/HIP cannot reach the GPU");
    else if (auto problem = check_device_node_access(context, "/dev/kfd")) device.problems.push_back(*problem);
  }
}

}  // namespace ual::discovery
