// Helpers for the malformed-tree tests: a scratch sysroot under a fresh temporary folder, a minimal well-formed
// machine to corrupt one file at a time, and problem matching over inventory and per-device problems.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <gtest/gtest.h>

#include "ual/inventory.hpp"

namespace ual::malformed {

namespace fs = std::filesystem;

// A sysroot under a fresh temporary folder, removed (links not followed) when the test ends.
class TempTree {
 public:
  // `parent`: where to make the folder (default: the system's temporary folder).
  explicit TempTree(const fs::path& parent = fs::temp_directory_path()) {
    std::string pattern = (parent / "ual-malformed-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    root_ = pattern;
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  ~TempTree() {
    std::error_code error;
    fs::remove_all(root_, error);
  }

  const fs::path& root() const { return root_; }

  // "proc/cpuinfo" or "/proc/cpuinfo": both name the file inside the tree.
  fs::path path(std::string_view relative) const {
    while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
    return root_ / fs::path(relative);
  }

  void write(std::string_view relative, std::string_view content) const {
    const fs::path file = path(relative);
    fs::create_directories(file.parent_path());
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!stream) throw std::runtime_error("cannot write " + file.string());
  }

  void mkdir(std::string_view relative) const { fs::create_directories(path(relative)); }

  // A symlink at `relative` whose text is `target` (not resolved, may dangle or loop).
  void symlink(std::string_view relative, std::string_view target) const {
    const fs::path link = path(relative);
    fs::create_directories(link.parent_path());
    std::error_code error;
    fs::remove(link, error);
    fs::create_symlink(fs::path(target), link);
  }

  void fifo(std::string_view relative) const {
    const fs::path node = path(relative);
    fs::create_directories(node.parent_path());
    std::error_code error;
    fs::remove(node, error);
    if (::mkfifo(node.c_str(), 0644) != 0) throw std::runtime_error("mkfifo failed for " + node.string());
  }

  void remove(std::string_view relative) const {
    std::error_code error;
    fs::remove_all(path(relative), error);
  }

 private:
  fs::path root_;
};

// A RAM-backed folder (tmpfs /dev/shm) where there is one, else the temporary folder: for trees of tens of
// thousands of entries, which take seconds to create on a disk-backed /tmp.
inline fs::path fast_temp_parent() {
  std::error_code error;
  if (fs::is_directory("/dev/shm", error) && ::access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  return fs::temp_directory_path();
}

// Kills the test binary (SIGALRM) if a test blocks: a hang must fail loudly, not stall CI until its timeout.
class Watchdog {
 public:
  explicit Watchdog(unsigned seconds = 60) { ::alarm(seconds); }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() { ::alarm(0); }
};

inline constexpr std::string_view minimal_cpuinfo =
    "processor\t: 0\n"
    "vendor_id\t: AuthenticAMD\n"
    "cpu family\t: 25\n"
    "model\t\t: 17\n"
    "model name\t: AMD EPYC 9654 96-Core Processor\n"
    "stepping\t: 1\n"
    "physical id\t: 0\n"
    "core id\t\t: 0\n"
    "flags\t\t: fpu sse sse2 avx avx2 avx512f\n"
    "\n"
    "processor\t: 1\n"
    "vendor_id\t: AuthenticAMD\n"
    "cpu family\t: 25\n"
    "model\t\t: 17\n"
    "model name\t: AMD EPYC 9654 96-Core Processor\n"
    "stepping\t: 1\n"
    "physical id\t: 0\n"
    "core id\t\t: 1\n"
    "flags\t\t: fpu sse sse2 avx avx2 avx512f\n"
    "\n";

// A small, well-formed two-CPU x86 machine: each test then corrupts the one file it is about.
inline void write_minimal_machine(const TempTree& tree) {
  tree.write("proc/cpuinfo", minimal_cpuinfo);
  tree.write("proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         8192000 kB\n");
  tree.write("proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
  tree.write("sys/devices/system/cpu/online", "0-1\n");
  for (const char* cpu : {"cpu0", "cpu1"}) {
    const std::string base = std::string("sys/devices/system/cpu/") + cpu + "/topology/";
    tree.write(base + "physical_package_id", "0\n");
    tree.write(base + "core_id", cpu == std::string_view("cpu0") ? "0\n" : "1\n");
  }
  const std::string cache = "sys/devices/system/cpu/cpu0/cache/index0/";
  tree.write(cache + "level", "1\n");
  tree.write(cache + "type", "Data\n");
  tree.write(cache + "size", "32K\n");
  tree.write(cache + "shared_cpu_list", "0\n");
  tree.mkdir("sys/devices/system/node/node0");
  tree.write("etc/group", "root:x:0:\nrender:x:992:\nvideo:x:44:\n");
}

struct PciFunction {
  std::string address;
  std::string vendor;
  std::string device;
  std::string class_code;
  std::string revision = "0x00\n";
  std::string driver;  // empty: no driver link
};

// sys/bus/pci/devices/ADDR/{vendor,device,class,revision,subsystem_*,numa_node} and the driver link.
inline void add_pci_function(const TempTree& tree, const PciFunction& function) {
  const std::string folder = "sys/bus/pci/devices/" + function.address + "/";
  tree.write(folder + "vendor", function.vendor);
  tree.write(folder + "device", function.device);
  tree.write(folder + "class", function.class_code);
  tree.write(folder + "revision", function.revision);
  tree.write(folder + "subsystem_vendor", function.vendor);
  tree.write(folder + "subsystem_device", "0x0000\n");
  tree.write(folder + "numa_node", "-1\n");
  if (!function.driver.empty()) tree.symlink(folder + "driver", "../../../bus/pci/drivers/" + function.driver);
}

// The sysroot and an explicit root identity (uid 0), so results do not depend on who runs the tests.
inline DiscoveryOptions options_for(const fs::path& sysroot, bool probe_runtimes = true) {
  DiscoveryOptions options;
  options.sysroot = sysroot;
  options.identity = UserIdentity{0, {0}};
  options.probe_runtimes = probe_runtimes;
  return options;
}

inline DiscoveryOptions options_for(const TempTree& tree, bool probe_runtimes = true) {
  return options_for(tree.root(), probe_runtimes);
}

// Every problem, device problems prefixed with the device's name and address, for matching and messages.
inline std::vector<std::string> all_problems(const Inventory& inventory) {
  std::vector<std::string> problems = inventory.problems;
  for (const HardwareDevice& device : inventory.devices)
    for (const std::string& problem : device.problems)
      problems.push_back(device.name + " (" + device.pci_address + "): " + problem);
  return problems;
}

inline std::string describe(const Inventory& inventory) {
  std::string text = "problems reported:";
  for (const std::string& problem : all_problems(inventory)) text += "\n  - " + problem;
  text += "\ndevices:";
  for (const HardwareDevice& device : inventory.devices)
    text += "\n  - " + std::string(to_string(device.kind)) + " '" + device.name + "' " + device.pci_address;
  return text;
}

// True when one problem contains every needle (a file name and what was wrong with it, say).
inline bool has_problem(const Inventory& inventory, std::initializer_list<std::string_view> needles) {
  for (const std::string& problem : all_problems(inventory)) {
    bool all = true;
    for (const std::string_view needle : needles) all = all && problem.find(needle) != std::string::npos;
    if (all) return true;
  }
  return false;
}

inline bool mentions(const Inventory& inventory, std::string_view needle) { return has_problem(inventory, {needle}); }

inline const HardwareDevice* find_device(const Inventory& inventory, std::string_view pci_address) {
  for (const HardwareDevice& device : inventory.devices)
    if (device.pci_address == pci_address) return &device;
  return nullptr;
}

// Printable ASCII/UTF-8 without control bytes: what may be shown to a user.
inline bool is_clean_text(std::string_view text) {
  for (const char c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ual::malformed
