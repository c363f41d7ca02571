#include "kfd_topology.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

namespace ual::hip {
namespace {

std::map<std::string, std::uint64_t> read_properties(const std::filesystem::path& file) {
  std::map<std::string, std::uint64_t> properties;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key, value;
    if (!(fields >> key >> value)) continue;
    char* end = nullptr;
    const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
    if (end != value.c_str() && *end == '\0') properties.emplace(key, number);
  }
  return properties;
}

// "0000:c1:00.0" -> domain 0, bus 0xc1, device 0; false when it is not a PCI address.
bool parse_pci_address(const std::string& address, unsigned& domain, unsigned& bus, unsigned& device) {
  unsigned function = 0;
  return std::sscanf(address.c_str(), "%x:%x:%x.%x", &domain, &bus, &device, &function) == 4;
}

}  // namespace

std::string decode_gfx_target_version(std::uint64_t version) {
  const std::uint64_t major = version / 10000, minor = (version / 100) % 100, stepping = version % 100;
  if (major == 0 || major > 99 || minor > 15 || stepping > 15) return {};
  char text[16];
  std::snprintf(text, sizeof text, "gfx%u%x%x", static_cast<unsigned>(major), static_cast<unsigned>(minor),
                static_cast<unsigned>(stepping));
  return text;
}

bool read_kfd_node(const std::string& sysfs_root, const std::string& pci_address, KfdNode& node) {
  unsigned domain = 0, bus = 0, device = 0;
  if (!parse_pci_address(pci_address, domain, bus, device)) return false;
  const std::filesystem::path nodes = std::filesystem::path(sysfs_root) / "class/kfd/kfd/topology/nodes";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(nodes, ec)) {
    const auto properties = read_properties(entry.path() / "properties");
    const auto value = [&](const char* key) -> std::uint64_t {
      const auto found = properties.find(key);
      return found != properties.end() ? found->second : 0;
    };
    if (value("simd_count") == 0 || properties.count("location_id") == 0) continue;  // a CPU node
    // location_id is pci_dev_id(): bus << 8 | device << 3 | function, with a compute partition in bits 31:28 on
    // MI300 (kfd_topology.c); every partition of the slot describes the same chip.
    const std::uint64_t location = value("location_id");
    if (value("domain") != domain || ((location >> 8) & 0xff) != bus || ((location >> 3) & 0x1f) != device) continue;
    node.gfx_target = decode_gfx_target_version(value("gfx_target_version"));
    if (value("simd_per_cu") > 0) node.compute_units = static_cast<int>(value("simd_count") / value("simd_per_cu"));
    node.wavefront_size = static_cast<int>(value("wave_front_size"));
    node.device_id = static_cast<std::uint32_t>(value("device_id"));
    node.max_clock_mhz = static_cast<int>(value("max_engine_clk_fcompute"));
    return true;
  }
  return false;
}

}  // namespace ual::hip
