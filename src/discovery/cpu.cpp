#include "discovery/cpu.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/text.hpp"
#include "discovery/cpuinfo_parser.hpp"

namespace ual::discovery {
namespace {

constexpr std::size_t cpuinfo_limit = 32u << 20;  // 8192 logical CPUs at ~4 KiB each

struct Topology {
  std::uint32_t threads = 0;
  std::uint32_t sockets = 0;
  std::uint32_t cores = 0;
};

// Sockets and cores from sysfs topology (present on every architecture, unlike cpuinfo's "physical id").
std::optional<Topology> read_sysfs_topology(DiscoveryContext& context) {
  const auto online_text = context.optional_attribute("/sys/devices/system/cpu/online");
  if (!online_text) return std::nullopt;
  const auto online = text::parse_cpu_list(*online_text);
  if (!online || online->empty()) {
    context.add_problem("/sys/devices/system/cpu/online: not a CPU list");
    return std::nullopt;
  }
  std::set<std::uint32_t> packages;
  std::set<std::pair<std::uint32_t, std::uint32_t>> cores;
  for (const std::uint32_t cpu : *online) {
    const std::string base = fmt::format("/sys/devices/system/cpu/cpu{}/topology/", cpu);
    const auto package = context.optional_attribute(base + "physical_package_id");
    const auto core = context.optional_attribute(base + "core_id");
    // -2 marks "unreadable" (GCC 12 misreads std::optional here under -Wmaybe-uninitialized). arm64 machines
    // without an ACPI PPTT report physical_package_id -1: one package.
    std::int64_t package_id = package ? text::parse_signed(*package).value_or(-2) : -2;
    const std::int64_t core_id = core ? text::parse_signed(*core).value_or(-2) : -2;
    if (package_id == -1) package_id = 0;
    if (package_id < 0 || core_id < 0) {
      if (package || core)
        context.add_problem(fmt::format("{}: physical_package_id/core_id are not numbers", base));
      return Topology{static_cast<std::uint32_t>(online->size()), 0, 0};
    }
    packages.insert(static_cast<std::uint32_t>(package_id));
    cores.emplace(static_cast<std::uint32_t>(package_id), static_cast<std::uint32_t>(core_id));
  }
  return Topology{static_cast<std::uint32_t>(online->size()), static_cast<std::uint32_t>(packages.size()),
                  static_cast<std::uint32_t>(cores.size())};
}

CacheSizes read_caches(DiscoveryContext& context) {
  CacheSizes caches;
  const std::string base = "/sys/devices/system/cpu/cpu0/cache";
  for (const std::string& index : context.list_directory(base)) {
    if (!text::starts_with(index, "index")) continue;
    const auto level = context.optional_attribute(base + "/" + index + "/level");
    const auto type = context.optional_attribute(base + "/" + index + "/type");
    const auto size_text = context.optional_attribute(base + "/" + index + "/size");
    if (!level || !type || !size_text) continue;
    const auto size = text::parse_size_with_suffix(*size_text);
    if (!size) {
      context.add_problem(fmt::format("{}/{}/size: not a cache size: '{}'", base, index, *size_text));
      continue;
    }
    if (*level == "1" && *type == "Data") caches.l1d = *size;
    else if (*level == "1" && *type == "Instruction") caches.l1i = *size;
    else if (*level == "2") caches.l2 = *size;
    else if (*level == "3") caches.l3 = *size;
  }
  return caches;
}

std::vector<std::string> select_features(const std::set<std::string>& flags,
                                         const std::vector<std::pair<std::string, std::string>>& table) {
  std::vector<std::string> features;
  for (const auto& [flag, name] : table)
    if (flags.count(flag)) features.push_back(name);
  return features;
}

}  // namespace

HardwareDevice discover_cpu(DiscoveryContext& context, const DeviceTables& tables) {
  HardwareDevice device;
  device.kind = DeviceKind::cpu;
  CpuDetails details;

  CpuinfoSummary summary;
  if (const auto cpuinfo = context.required_file("/proc/cpuinfo", cpuinfo_limit)) {
    summary = parse_cpuinfo(*cpuinfo);
    if (summary.processors == 0) context.add_problem("/proc/cpuinfo: no processor entries");
  }

  if (summary.is_arm()) {
    details.isa = "aarch64";
    const auto vendor = tables.find_arm_vendor(*summary.arm_implementer);
    device.vendor = vendor ? vendor->key : fmt::format("arm-implementer-0x{:02x}", *summary.arm_implementer);
    if (summary.arm_part) {
      details.model = static_cast<int>(*summary.arm_part);
      device.arch = tables.find_arm_microarchitecture(*summary.arm_implementer, *summary.arm_part);
    }
    if (summary.arm_revision) details.stepping = static_cast<int>(*summary.arm_revision);
    // arm64 kernels print no model name: name it after the vendor and core.
    device.name = summary.model_name.empty()
                      ? fmt::format("{} {}", vendor ? vendor->name : "Arm", device.arch.empty() ? "CPU" : device.arch)
                      : summary.model_name;
    details.features = select_features(summary.flags, tables.arm_features());
  } else if (summary.processors > 0) {
    details.isa = "x86_64";
    const auto vendor = tables.find_x86_vendor(summary.vendor_id);
    device.vendor = vendor ? vendor->key : text::to_lower(summary.vendor_id);
    device.name = summary.model_name;
    details.family = summary.family;
    details.model = summary.model;
    details.stepping = summary.stepping;
    device.arch = tables.find_x86_microarchitecture(summary.vendor_id, summary.family, summary.model);
    details.features = select_features(summary.flags, tables.x86_features());
  }
  if (device.arch.empty() && summary.processors > 0)
    device.problems.push_back("microarchitecture not in ual's table (data/cpu/microarchitectures.json); "
                              "kernels are chosen from the ISA features alone");

  if (const auto topology = read_sysfs_topology(context)) {
    details.threads = topology->threads;
    details.sockets = topology->sockets;
    details.cores = topology->cores;
  }
  // cpuinfo's "physical id"/"core id" (x86) stand in when sysfs topology is missing or unreadable.
  if (details.threads == 0) details.threads = static_cast<std::uint32_t>(summary.processors);
  if (details.sockets == 0) details.sockets = static_cast<std::uint32_t>(summary.physical_ids.size());
  if (details.cores == 0) details.cores = static_cast<std::uint32_t>(summary.physical_cores.size());
  if (details.sockets == 0 && details.threads > 0) details.sockets = 1;
  if (details.cores == 0) details.cores = details.threads;

  details.cache_bytes = read_caches(context);
  for (const std::string& node : context.list_directory("/sys/devices/system/node"))
    if (text::starts_with(node, "node") && text::parse_unsigned(std::string_view(node).substr(4))) ++details.numa_nodes;

  if (const auto meminfo = context.required_file("/proc/meminfo", 1u << 20)) {
    if (const auto total = parse_meminfo_total(*meminfo)) device.memory_bytes = *total;
    else context.add_problem("/proc/meminfo: no MemTotal line in kB");
  }
  device.cpu = std::move(details);
  return device;
}

}  // namespace ual::discovery
