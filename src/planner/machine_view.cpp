#include "planner/machine_view.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"
#include "core/text.hpp"

namespace ual::planner {

namespace {

using nlohmann::json;

const json& device_match_rules() {
  static const json rules = [] {
    const auto content = data::find_embedded_file("planner/device-matches.json");
    if (!content) return json::array();
    json file = json::parse(*content, nullptr, false);
    return file.is_object() && file.contains("rules") ? file["rules"] : json::array();
  }();
  return rules;
}

bool contains_case_insensitive(std::string_view haystack, std::string_view needle) {
  return text::to_lower(haystack).find(text::to_lower(needle)) != std::string::npos;
}

std::optional<sim::HardwareSpec> catalog_entry(const HardwareDevice& device) {
  const auto id = match_catalog_hardware(device);
  if (!id) return std::nullopt;
  auto spec = sim::find_hardware(*id);
  if (!spec) return std::nullopt;
  return *spec;
}

DeviceGroup make_group(const HardwareDevice& device) {
  DeviceGroup group;
  group.kind = device.kind;
  group.vendor = device.vendor;
  group.name = device.name;
  group.arch = device.arch;
  group.generation = device.generation;
  group.memory_bytes = device.memory_bytes;
  group.catalog = catalog_entry(device);
  group.problems = device.problems;
  group.fastflowlm_supported = device.fastflowlm_supported;
  return group;
}

}  // namespace

std::string DeviceGroup::label() const {
  std::string prefix = to_string(kind);
  if (kind == DeviceKind::gpu) prefix += count > 1 ? fmt::format(":0-{}", count - 1) : ":0";
  return fmt::format("{} {}", prefix, name);
}

const Runtime* MachineView::runtime(std::string_view name) const {
  if (inventory == nullptr) return nullptr;
  for (const Runtime& candidate : inventory->runtimes)
    if (candidate.name == name) return &candidate;
  return nullptr;
}

std::optional<std::string> match_catalog_hardware(const HardwareDevice& device) {
  for (const json& rule : device_match_rules()) {
    if (rule.contains("kind") && rule["kind"].get<std::string>() != to_string(device.kind)) continue;
    if (rule.contains("vendor") && rule["vendor"].get<std::string>() != device.vendor) continue;
    if (rule.contains("arch") && rule["arch"].get<std::string>() != device.arch) continue;
    if (rule.contains("generation") && rule["generation"].get<std::string>() != device.generation) continue;
    bool names_match = true;
    for (const json& part : rule.value("name_contains", json::array()))
      names_match = names_match && contains_case_insensitive(device.name, part.get<std::string>());
    if (names_match) return rule["catalog_id"].get<std::string>();
  }
  return std::nullopt;
}

MachineView make_machine_view(const Inventory& inventory) {
  MachineView machine;
  machine.inventory = &inventory;
  machine.sysroot = inventory.sysroot;
  machine.live = inventory.sysroot.empty() || std::filesystem::path(inventory.sysroot) == "/";
  for (const HardwareDevice& device : inventory.devices) {
    if (device.kind == DeviceKind::cpu) {
      machine.cpu = make_group(device);
      machine.system_memory_bytes = device.memory_bytes;
      if (device.cpu) machine.physical_cores = device.cpu->cores;
      continue;
    }
    std::vector<DeviceGroup>& groups = device.kind == DeviceKind::gpu    ? machine.gpus
                                       : device.kind == DeviceKind::igpu ? machine.igpus
                                                                         : machine.npus;
    auto same = std::find_if(groups.begin(), groups.end(), [&](const DeviceGroup& group) {
      return group.name == device.name && group.arch == device.arch && group.memory_bytes == device.memory_bytes;
    });
    if (same != groups.end() && device.kind == DeviceKind::gpu) {
      ++same->count;
      for (const std::string& problem : device.problems)
        if (std::find(same->problems.begin(), same->problems.end(), problem) == same->problems.end())
          same->problems.push_back(problem);
      continue;
    }
    groups.push_back(make_group(device));
  }
  // NPUs and integrated GPUs without memory of their own work from system memory.
  for (auto* groups : {&machine.npus, &machine.igpus})
    for (DeviceGroup& group : *groups)
      if (group.memory_bytes == 0) {
        group.memory_bytes = machine.system_memory_bytes;
        group.memory_is_shared = true;
      }
  machine.cpu.memory_bytes = machine.system_memory_bytes;
  machine.cpu.memory_is_shared = true;
  return machine;
}

ProgramLocation find_program(const MachineView& machine, const std::string& program) {
  namespace fs = std::filesystem;
  auto executable = [](const fs::path& path) {
    std::error_code error;
    return fs::is_regular_file(path, error) && ::access(path.c_str(), X_OK) == 0;
  };
  if (machine.live) {
    const char* path_variable = std::getenv("PATH");
    for (std::string_view directory : text::split(path_variable ? path_variable : "", ':')) {
      if (directory.empty()) continue;
      const fs::path candidate = fs::path(std::string(directory)) / program;
      if (executable(candidate)) return {true, candidate.string(), false};
    }
    return {};
  }
  const fs::path root(machine.sysroot);
  std::vector<fs::path> directories{"usr/local/bin", "usr/bin", "bin"};
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root / "opt", error))
    directories.push_back(fs::relative(entry.path(), root, error) / "bin");
  for (const fs::path& directory : directories) {
    const fs::path candidate = root / directory / program;
    if (fs::exists(candidate, error)) return {true, "/" + directory.string() + "/" + program, true};
  }
  return {};
}

}  // namespace ual::planner
