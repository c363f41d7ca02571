// `ual devices`: what accelerators this machine has, which vendor stacks can use them, and what to fix.
#include <cstdio>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "ual/backends.hpp"
#include "ual/inventory.hpp"

namespace ual::cli {
namespace {

struct DevicesOptions {
  std::string sysroot = "/";
  bool json = false;
  bool no_runtimes = false;
  bool refresh = false;
  bool no_compute = false;
};

void print_compute(const ComputeListing& backends) {
  fmt::print("\nCompute devices\n");
  fmt::print("  {:<10} {:<7} {:<5} {:<44} {}\n", "ID", "BACKEND", "KIND", "NAME", "HARDWARE");
  for (const ComputeDeviceInfo& info : backends.devices) {
    fmt::print("  {:<10} {:<7} {:<5} {:<44} {}\n", info.id, info.backend, to_string(info.kind),
               info.name.size() > 44 ? info.name.substr(0, 41) + "..." : info.name,
               info.hardware.empty() ? "-" : info.hardware);
  }
  for (const BackendReport& report : backends.reports)
    if (!report.loaded) fmt::print("  skipped backend {} ({}): {}\n", report.name, report.path, report.reason);
}

std::string device_summary(const HardwareDevice& device) {
  std::vector<std::string> parts;
  if (device.cpu) {
    const CpuDetails& cpu = *device.cpu;
    parts.push_back(fmt::format("{} socket{}, {} cores, {} threads", cpu.sockets, cpu.sockets == 1 ? "" : "s", cpu.cores,
                                cpu.threads));
    parts.push_back(fmt::format("L1d {} L2 {} L3 {}", format_bytes(cpu.cache_bytes.l1d), format_bytes(cpu.cache_bytes.l2),
                                format_bytes(cpu.cache_bytes.l3)));
  }
  if (device.compute_units) parts.push_back(fmt::format("{} CUs", device.compute_units));
  if (!device.driver_version.empty()) parts.push_back("driver " + device.driver_version);
  if (!device.firmware_version.empty()) parts.push_back("firmware " + device.firmware_version);
  if (!device.device_node.empty()) parts.push_back(device.device_node);
  if (device.kind == DeviceKind::npu && device.fastflowlm_supported.value_or(false)) parts.push_back("FastFlowLM: yes");
  return fmt::format("{}", fmt::join(parts, ", "));
}

void print_table(const Inventory& inventory) {
  fmt::print("Devices\n");
  fmt::print("  {:<5} {:<7} {:<44} {:<14} {:<12} {:<9} {:>9}\n", "KIND", "VENDOR", "NAME", "ARCH", "PCI", "DRIVER",
             "MEMORY");
  for (const HardwareDevice& device : inventory.devices) {
    fmt::print("  {:<5} {:<7} {:<44} {:<14} {:<12} {:<9} {:>9}\n", to_string(device.kind), device.vendor,
               device.name.size() > 44 ? device.name.substr(0, 41) + "..." : device.name,
               device.arch.empty() ? "-" : device.arch, device.pci_address.empty() ? "-" : device.pci_address,
               device.driver.empty() ? "-" : device.driver,
               device.memory_bytes ? format_bytes(device.memory_bytes) : "-");
    if (const std::string summary = device_summary(device); !summary.empty()) fmt::print("        {}\n", summary);
    if (device.cpu && !device.cpu->features.empty())
      fmt::print("        features: {}\n", fmt::join(device.cpu->features, " "));
  }
  if (!inventory.runtimes.empty()) {
    fmt::print("\nRuntimes\n");
    fmt::print("  {:<12} {:<6} {:<14} {}\n", "NAME", "USABLE", "VERSION", "PATH / REASON");
    for (const Runtime& runtime : inventory.runtimes) {
      fmt::print("  {:<12} {:<6} {:<14} {}\n", runtime.name, runtime.usable ? "yes" : "no",
                 runtime.version.empty() ? "-" : runtime.version, runtime.usable ? runtime.path : runtime.reason);
      if (!runtime.providers.empty()) fmt::print("               providers: {}\n", fmt::join(runtime.providers, ", "));
      for (const OpenClPlatform& platform : runtime.platforms)
        for (const OpenClDevice& device : platform.devices)
          fmt::print("               {}: {} ({})\n", platform.name, device.name, device.type);
      if (runtime.usable && !runtime.loaded) fmt::print("               found by file presence; not loaded\n");
    }
  }
  std::vector<std::string> problems;
  for (const HardwareDevice& device : inventory.devices)
    for (const std::string& problem : device.problems)
      problems.push_back(fmt::format("{}{}: {}", device.name, device.pci_address.empty() ? "" : " (" + device.pci_address + ")", problem));
  for (const std::string& problem : inventory.problems) problems.push_back(problem);
  if (!problems.empty()) {
    fmt::print("\nProblems\n");
    for (const std::string& problem : problems) fmt::print("  - {}\n", problem);
  }
}

}  // namespace

void add_devices_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<DevicesOptions>();
  CLI::App* command = app.add_subcommand("devices", "List accelerators, vendor runtimes, and problems to fix");
  command->add_option("--sysroot", options->sysroot,
                      "Read a recorded machine tree (sys/, proc/, dev/) instead of this machine")
      ->capture_default_str();
  command->add_flag("--json", options->json, "Print the machine-readable inventory (stable keys)");
  command->add_flag("--no-runtimes", options->no_runtimes, "Skip the vendor runtime probes (dlopen, flm)");
  command->add_flag("--refresh", options->refresh,
                    "Probe every runtime and compute backend again instead of reusing cached probes of unchanged files");
  command->add_flag("--no-compute", options->no_compute, "Do not load the compute backends (compute_devices is empty)");
  command->callback([options, &action] {
    action = [options] {
      DiscoveryOptions discovery;
      discovery.sysroot = options->sysroot;
      discovery.probe_runtimes = !options->no_runtimes;
      discovery.refresh_runtime_cache = options->refresh;
      const auto inventory = discover(discovery);
      if (!inventory) {
        fmt::print(stderr, "ual devices: {}\n", inventory.error().message);
        return 1;
      }
      // Compute devices are this machine's; a recorded --sysroot tree has none.
      const bool live = options->sysroot == "/" && !options->no_compute;
      std::optional<ComputeListing> listing;
      if (live) listing = list_compute_devices(options->refresh);
      const ComputeListing* backends = listing ? &*listing : nullptr;
      if (options->json) {
        fmt::print("{}\n", to_json(*inventory, backends));
      } else {
        print_table(*inventory);
        if (backends != nullptr) print_compute(*backends);
      }
      return 0;
    };
  });
}

namespace {
const CommandRegistration registration{"devices", 10, add_devices_command};
}  // namespace

}  // namespace ual::cli
