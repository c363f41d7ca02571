// The planner's view of a machine: the inventory grouped into what engines run on (groups of identical discrete
// GPUs, integrated GPUs, NPUs, the CPU), each device matched to its simulator catalog entry where there is one
// (data/planner/device-matches.json), and engine programs found on PATH (live) or under the recorded tree's program
// directories (a sysroot, where they are marked as found by file presence).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ual/inventory.hpp"
#include "ual/sim.hpp"

namespace ual::planner {

struct DeviceGroup {
  DeviceKind kind = DeviceKind::cpu;
  std::string vendor;
  std::string name;
  std::string arch;
  std::string generation;
  int count = 1;                       // identical devices (GPUs of one node)
  std::uint64_t memory_bytes = 0;      // per device (shared system memory for NPUs/iGPUs without their own)
  bool memory_is_shared = false;       // the device uses system memory
  std::optional<sim::HardwareSpec> catalog;  // HopperSim's model of it
  std::vector<std::string> problems;   // discovery's problems for these devices (permissions, driver)
  std::optional<bool> fastflowlm_supported;
  std::string label() const;           // "gpu:0-7 NVIDIA H100 80GB HBM3", "npu AMD XDNA2 NPU (Strix Halo)"
};

struct ProgramLocation {
  bool found = false;
  std::string path;
  bool by_file_presence = false;  // in a sysroot: present, not run
};

struct MachineView {
  bool live = true;                  // the running machine (sysroot "/")
  std::string sysroot;
  std::vector<DeviceGroup> gpus;     // discrete GPUs, one group per model
  std::vector<DeviceGroup> igpus;
  std::vector<DeviceGroup> npus;
  DeviceGroup cpu;
  std::uint64_t system_memory_bytes = 0;
  std::uint32_t physical_cores = 0;
  const Runtime* runtime(std::string_view name) const;  // nullptr when discovery has no entry
  const Inventory* inventory = nullptr;
};

MachineView make_machine_view(const Inventory& inventory);

// The catalog entry for one device, by data/planner/device-matches.json.
std::optional<std::string> match_catalog_hardware(const HardwareDevice& device);

// An engine program: PATH on the live machine; usr/local/bin, usr/bin, bin, opt/*/bin under a sysroot.
ProgramLocation find_program(const MachineView& machine, const std::string& program);

}  // namespace ual::planner
