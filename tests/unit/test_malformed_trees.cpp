// Discovery over broken, hostile or absurd sysroots: every case must return (no crash, no hang, no host file read)
// and say what was wrong, naming the file. Each test builds its own tree under a fresh temporary folder.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/text.hpp"
#include "malformed_tree.hpp"
#include "ual/inventory.hpp"

namespace ual::malformed {
namespace {

using namespace std::string_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* nvidia_h100 = "0000:1b:00.0";
constexpr const char* amd_mi300x = "0000:05:00.0";
constexpr const char* amd_npu = "0000:c6:00.1";

// discover() on the tree, which must succeed and serialise; a failure is recorded and an empty inventory returned.
Inventory run_discover(const TempTree& tree, bool probe_runtimes = false) {
  auto result = discover(options_for(tree, probe_runtimes));
  if (!result) {
    ADD_FAILURE() << "discover failed on " << tree.root() << ": " << result.error().message;
    return {};
  }
  Inventory inventory = std::move(result).value();
  EXPECT_NO_THROW((void)to_json(inventory)) << "to_json must print any inventory";
  return inventory;
}

const CpuDetails& cpu_of(const Inventory& inventory) {
  static const CpuDetails none;
  if (inventory.devices.empty() || !inventory.devices.front().cpu) {
    ADD_FAILURE() << "the first device is not the CPU";
    return none;
  }
  return *inventory.devices.front().cpu;
}

void add_nvidia_h100(const TempTree& tree) {
  add_pci_function(tree, {nvidia_h100, "0x10de\n", "0x2330\n", "0x030200\n", "0xa1\n", "nvidia"});
}

void add_amd_mi300x(const TempTree& tree) {
  add_pci_function(tree, {amd_mi300x, "0x1002\n", "0x74a1\n", "0x120000\n", "0x00\n", "amdgpu"});
}

void add_amd_npu(const TempTree& tree) {
  add_pci_function(tree, {amd_npu, "0x1022\n", "0x1502\n", "0x118000\n", "0x00\n", "amdxdna"});
  tree.write("dev/accel/accel0", "");
}

// ---------------------------------------------------------------------------------------------------------------
// The sysroot itself

TEST(MalformedSysroot, NonexistentSysrootIsAnErrorNamingThePath) {
  const std::string missing = "/nonexistent/ual-malformed-sysroot";
  const auto result = discover(options_for(missing));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find(missing), std::string::npos) << result.error().message;
}

TEST(MalformedSysroot, RegularFileSysrootIsAnErrorNamingThePath) {
  TempTree tree;
  tree.write("not-a-directory", "just a file\n");
  const std::string file = tree.path("not-a-directory").string();
  const auto result = discover(options_for(file));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find(file), std::string::npos) << result.error().message;
  EXPECT_NE(result.error().message.find("not a directory"), std::string::npos) << result.error().message;
}

TEST(MalformedSysroot, FifoSysrootIsAnErrorNamingThePath) {
  Watchdog watchdog;
  TempTree tree;
  tree.fifo("pipe");
  const std::string pipe = tree.path("pipe").string();
  const auto result = discover(options_for(pipe));
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find(pipe), std::string::npos) << result.error().message;
}

TEST(MalformedSysroot, EmptyTreeReportsCpuinfoAndMeminfo) {
  TempTree tree;
  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  EXPECT_TRUE(mentions(inventory, "/proc/cpuinfo")) << describe(inventory);
  EXPECT_TRUE(mentions(inventory, "/proc/meminfo")) << describe(inventory);
  ASSERT_EQ(inventory.devices.size(), 1u) << describe(inventory);
  EXPECT_EQ(inventory.devices.front().kind, DeviceKind::cpu);
  EXPECT_EQ(cpu_of(inventory).threads, 0u);
  EXPECT_EQ(inventory.devices.front().memory_bytes, 0u);
  for (const Runtime& runtime : inventory.runtimes) {
    EXPECT_FALSE(runtime.usable) << runtime.name;
    EXPECT_FALSE(runtime.loaded) << runtime.name;
  }
}

TEST(MalformedSysroot, MissingSysfsFallsBackToCpuinfoSilently) {
  TempTree tree;
  tree.write("proc/cpuinfo", minimal_cpuinfo);
  tree.write("proc/meminfo", "MemTotal:       1024 kB\n");
  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  EXPECT_TRUE(all_problems(inventory).empty()) << describe(inventory);
  const CpuDetails& cpu = cpu_of(inventory);
  EXPECT_EQ(cpu.threads, 2u);
  EXPECT_EQ(cpu.cores, 2u);
  EXPECT_EQ(cpu.sockets, 1u);
  EXPECT_EQ(inventory.devices.front().memory_bytes, 1024u * 1024u);
}

TEST(MalformedSysroot, AmdGpuWithoutKfdTopologyIsReported) {
  TempTree tree;
  write_minimal_machine(tree);
  add_amd_mi300x(tree);  // no sys/class/kfd at all
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* gpu = find_device(inventory, amd_mi300x);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"not in the KFD topology", "/sys/class/kfd"})) << describe(inventory);
}

TEST(MalformedSysroot, FileWhereADirectoryIsExpectedDoesNotCrash) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  tree.write("sys/bus/pci/devices", "not a directory\n");
  tree.remove("sys/devices/system/cpu/cpu0/cache");
  tree.write("sys/devices/system/cpu/cpu0/cache", "not a directory\n");
  tree.remove("sys/devices/system/node");
  tree.fifo("sys/devices/system/node");
  tree.write("sys/class/accel", "");
  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  EXPECT_EQ(inventory.devices.size(), 1u) << describe(inventory);
  EXPECT_EQ(cpu_of(inventory).threads, 2u);
  EXPECT_EQ(cpu_of(inventory).cache_bytes.l1d, 0u);
}

// ---------------------------------------------------------------------------------------------------------------
// Empty files

TEST(MalformedEmptyFiles, EveryAttributeEmptyIsReported) {
  TempTree tree;
  for (const char* file :
       {"proc/cpuinfo", "proc/meminfo", "proc/sys/kernel/osrelease", "sys/devices/system/cpu/online",
        "sys/devices/system/cpu/cpu0/topology/physical_package_id", "sys/devices/system/cpu/cpu0/topology/core_id",
        "sys/devices/system/cpu/cpu0/cache/index0/level", "sys/devices/system/cpu/cpu0/cache/index0/type",
        "sys/devices/system/cpu/cpu0/cache/index0/size", "etc/group", "proc/driver/nvidia/version",
        "sys/module/nvidia/version", "usr/share/misc/pci.ids", "dev/kfd", "dev/accel/accel0"})
    tree.write(file, "");
  // Every attribute empty; a valid class with empty ids; valid ids with empty everything else.
  add_pci_function(tree, {"0000:01:00.0", "", "", "", "", ""});
  add_pci_function(tree, {"0000:02:00.0", "", "", "0x030000\n", "", ""});
  add_pci_function(tree, {nvidia_h100, "0x10de\n", "0x2330\n", "0x030200\n", "", "nvidia"});
  tree.write("sys/bus/pci/devices/0000:1b:00.0/numa_node", "");
  tree.write("proc/driver/nvidia/gpus/0000:1b:00.0/information", "");
  add_amd_mi300x(tree);
  tree.write("sys/class/kfd/kfd/topology/nodes/1/properties", "");
  tree.write("sys/class/kfd/kfd/topology/nodes/1/mem_banks/0/properties", "");
  add_amd_npu(tree);
  tree.write("sys/bus/pci/devices/0000:c6:00.1/fw_version", "");
  tree.write("sys/bus/pci/devices/0000:c6:00.1/vbnv", "");

  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  EXPECT_TRUE(has_problem(inventory, {"/proc/cpuinfo", "no processor entries"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"/proc/meminfo", "no MemTotal"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"/sys/devices/system/cpu/online", "not a CPU list"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"cpu0/cache/index0/size", "not a cache size"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:01:00.0/class", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:02:00.0/vendor", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:02:00.0/device", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:02:00.0/", "without readable vendor/device ids"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:1b:00.0/revision", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"not in the KFD topology", "/sys/class/kfd"})) << describe(inventory);

  EXPECT_EQ(find_device(inventory, "0000:01:00.0"), nullptr);
  EXPECT_EQ(find_device(inventory, "0000:02:00.0"), nullptr);
  const HardwareDevice* h100 = find_device(inventory, nvidia_h100);
  ASSERT_NE(h100, nullptr) << describe(inventory);
  EXPECT_EQ(h100->name, "NVIDIA H100 SXM5 80GB");  // the table's name stands when the driver's file is empty
  EXPECT_FALSE(h100->revision.has_value());
  EXPECT_TRUE(h100->uuid.empty());
  EXPECT_TRUE(h100->driver_version.empty());
  const HardwareDevice* npu = find_device(inventory, amd_npu);
  ASSERT_NE(npu, nullptr) << describe(inventory);
  EXPECT_TRUE(npu->firmware_version.empty());
}

// ---------------------------------------------------------------------------------------------------------------
// CPU files: cpuinfo, meminfo, online list, caches

TEST(MalformedCpu, GarbageTextCpuinfoIsReported) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.remove("sys/devices/system/cpu");
  tree.write("proc/cpuinfo",
             "processor : banana\nprocessor:\n:::::\nvendor_id\nmodel name\t: \ncpu family : -3\nmodel : 0x\n"
             "physical id : 99999999999999999999\ncore id : -1\nflags : \n" +
                 std::string(5000, ':') + "\n" + std::string(5000, '\n'));
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/proc/cpuinfo", "no processor entries"})) << describe(inventory);
  const HardwareDevice& cpu = inventory.devices.front();
  EXPECT_TRUE(cpu.vendor.empty()) << cpu.vendor;
  EXPECT_EQ(cpu_of(inventory).threads, 0u);
  EXPECT_EQ(cpu_of(inventory).family, -1);
}

TEST(MalformedCpu, BinaryCpuinfoIsReported) {
  TempTree tree;
  write_minimal_machine(tree);
  std::string garbage;
  for (int i = 0; i < 65536; ++i) garbage.push_back(static_cast<char>((i * 7919) & 0xff));
  garbage += "\0\0\0\xff\xfe processor\0: 0\n"s;
  tree.write("proc/cpuinfo", garbage);
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/proc/cpuinfo", "no processor entries"})) << describe(inventory);
  EXPECT_TRUE(is_clean_text(inventory.devices.front().name));
  EXPECT_TRUE(is_clean_text(inventory.devices.front().vendor));
}

TEST(MalformedCpu, BinaryValuesInAValidCpuinfoAreDropped) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: Auth\0\x01\xff"
                             "enticAMD\nmodel name\t: EPYC\x1b[31m\0\x07\nflags\t\t: avx2 \x01\x02 \0sse\n\n"s);
  const Inventory inventory = run_discover(tree);
  const HardwareDevice& cpu = inventory.devices.front();
  EXPECT_EQ(cpu_of(inventory).isa, "x86_64");
  EXPECT_TRUE(is_clean_text(cpu.name)) << cpu.name;
  EXPECT_TRUE(is_clean_text(cpu.vendor)) << cpu.vendor;
  for (const std::string& feature : cpu_of(inventory).features) EXPECT_TRUE(is_clean_text(feature)) << feature;
}

TEST(MalformedCpu, GarbageMeminfoIsReported) {
  for (const std::string& meminfo :
       {"MemTotal: lots kB\n"s, "MemTotal: 99999999999999999999 kB\n"s, "MemTotal: 18014398509481984 kB\n"s,
        "MemTotal: 1024 MB\n"s, "MemTotal:\n"s, "\0\xff\xfe\x01MemTotal: 1\0 kB\n"s, "MemTotal 1024 kB\n"s}) {
    TempTree tree;
    write_minimal_machine(tree);
    tree.write("proc/meminfo", meminfo);
    const Inventory inventory = run_discover(tree);
    EXPECT_TRUE(has_problem(inventory, {"/proc/meminfo", "no MemTotal"})) << describe(inventory);
    EXPECT_EQ(inventory.devices.front().memory_bytes, 0u);
  }
}

TEST(MalformedCpu, GarbageOnlineListIsReported) {
  for (const std::string& online : {"0-3,banana\n"s, "3-0\n"s, "0--1\n"s, "-\n"s, ",,,\n"s, "0-1-2\n"s}) {
    TempTree tree;
    write_minimal_machine(tree);
    tree.write("sys/devices/system/cpu/online", online);
    const Inventory inventory = run_discover(tree);
    EXPECT_TRUE(has_problem(inventory, {"/sys/devices/system/cpu/online", "not a CPU list"}))
        << "online = '" << online << "'\n" << describe(inventory);
    EXPECT_EQ(cpu_of(inventory).threads, 2u) << "cpuinfo stands in";
  }
}

TEST(MalformedCpu, BinaryOnlineListIsReported) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.write("sys/devices/system/cpu/online", "0-\0\xff\x01" "3\n"s);
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/sys/devices/system/cpu/online", "binary"})) << describe(inventory);
  EXPECT_EQ(cpu_of(inventory).threads, 2u);
}

TEST(MalformedCpu, HugeOnlineRangeIsCappedNotAllocated) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  tree.write("sys/devices/system/cpu/online", "0-999999999\n");
  const auto start = Clock::now();
  const Inventory inventory = run_discover(tree);
  EXPECT_LT(seconds_since(start), 5.0);
  EXPECT_TRUE(has_problem(inventory, {"/sys/devices/system/cpu/online", "not a CPU list"})) << describe(inventory);
  EXPECT_EQ(cpu_of(inventory).threads, 2u);
  // Many small ranges that add up past the cap are refused the same way.
  std::string many;
  for (int i = 0; i < 300; ++i) many += std::to_string(i * 1000) + "-" + std::to_string(i * 1000 + 999) + ",";
  many.pop_back();
  EXPECT_FALSE(text::parse_cpu_list(many, 1u << 16).has_value());
}

TEST(MalformedCpu, OnlineListAtTheCapWithoutTopologyFilesTerminates) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  tree.remove("sys/devices/system/cpu/cpu0/topology");
  tree.write("sys/devices/system/cpu/online", "0-65535\n");
  const auto start = Clock::now();
  const Inventory inventory = run_discover(tree);
  EXPECT_LT(seconds_since(start), 10.0);
  EXPECT_EQ(cpu_of(inventory).threads, 65536u);
}

// A range ending at UINT64_MAX once wrapped parse_cpu_list's loop counter and grew the list until memory ran out.
TEST(MalformedCpu, OnlineListEndingAtUint64MaxTerminates) {
  Watchdog watchdog(10);
  EXPECT_FALSE(text::parse_cpu_list("18446744073709551615"));
  EXPECT_FALSE(text::parse_cpu_list("18446744073709551614-18446744073709551615"));
}

TEST(MalformedCpu, GarbageTopologyFallsBackToCpuinfo) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.write("sys/devices/system/cpu/cpu0/topology/physical_package_id", "\0\xff"s);
  tree.write("sys/devices/system/cpu/cpu1/topology/core_id", "banana\n");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"cpu0/topology/physical_package_id", "binary"})) << describe(inventory);
  const CpuDetails& cpu = cpu_of(inventory);
  EXPECT_EQ(cpu.threads, 2u);
  EXPECT_EQ(cpu.sockets, 1u);
  EXPECT_EQ(cpu.cores, 2u);
}

TEST(MalformedCpu, GarbageCacheSizesAreReported) {
  TempTree tree;
  write_minimal_machine(tree);
  const std::string base = "sys/devices/system/cpu/cpu0/cache/";
  const auto add_cache = [&](const std::string& index, std::string_view level, std::string_view type,
                             std::string_view size) {
    tree.write(base + index + "/level", level);
    tree.write(base + index + "/type", type);
    tree.write(base + index + "/size", size);
  };
  add_cache("index0", "1\n", "Data\n", "48Q\n");
  add_cache("index1", "1\n", "Instruction\n", "\0\xff" "32K\n"s);
  add_cache("index2", "2\n", "Unified\n", "99999999999999999999K\n");
  add_cache("index3", "3\n", "Unified\n", "18014398509481984G\n");  // 2^54 GiB overflows 64 bits
  add_cache("index4", "\xff\xfe\n", "Data\n", "K\n");
  add_cache("index5", "2\n", "Unified\n", "-1K\n");
  tree.write(base + "index6", "a file, not a folder\n");
  tree.mkdir(base + "index7");  // empty folder
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"index0/size", "not a cache size", "48Q"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"index1/size", "binary"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"index2/size", "not a cache size"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"index3/size", "not a cache size"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"index5/size", "not a cache size"})) << describe(inventory);
  const CacheSizes& caches = cpu_of(inventory).cache_bytes;
  EXPECT_EQ(caches.l1d, 0u);
  EXPECT_EQ(caches.l1i, 0u);
  EXPECT_EQ(caches.l2, 0u);
  EXPECT_EQ(caches.l3, 0u);
}

TEST(MalformedCpu, HugeCpuinfoIsRefusedNotRead) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  {
    std::string block(minimal_cpuinfo);
    std::ofstream stream(tree.path("proc/cpuinfo"), std::ios::binary | std::ios::trunc);
    for (std::size_t written = 0; written < (40u << 20); written += block.size()) stream << block;
  }
  ASSERT_GE(std::filesystem::file_size(tree.path("proc/cpuinfo")), 40u << 20);
  const auto start = Clock::now();
  const Inventory inventory = run_discover(tree);
  EXPECT_LT(seconds_since(start), 10.0);
  EXPECT_TRUE(has_problem(inventory, {"/proc/cpuinfo", "larger than"})) << describe(inventory);
  EXPECT_TRUE(inventory.devices.front().vendor.empty()) << "the refused file must not be parsed";
  EXPECT_EQ(cpu_of(inventory).threads, 2u) << "sysfs topology still counts the CPUs";
}

TEST(MalformedCpu, HugeSparseMeminfoIsRefused) {
  TempTree tree;
  write_minimal_machine(tree);
  std::filesystem::resize_file(tree.path("proc/meminfo"), 8u << 20);  // 8 MiB of NULs after the real text
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/proc/meminfo", "larger than"})) << describe(inventory);
  EXPECT_EQ(inventory.devices.front().memory_bytes, 0u);
}

TEST(MalformedCpu, DirectoryOrFifoWhereAFileIsExpectedIsRefusedWithoutBlocking) {
  Watchdog watchdog(30);
  TempTree tree;
  write_minimal_machine(tree);
  tree.remove("proc/cpuinfo");
  tree.mkdir("proc/cpuinfo");  // a directory where a file is expected
  tree.fifo("proc/meminfo");   // a FIFO with no writer: opening it blocking would hang discovery
  tree.fifo("sys/devices/system/cpu/online");
  tree.fifo("proc/sys/kernel/osrelease");
  const auto start = Clock::now();
  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  EXPECT_LT(seconds_since(start), 10.0);
  EXPECT_TRUE(has_problem(inventory, {"/proc/cpuinfo", "not a regular file"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"/proc/meminfo", "not a regular file"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"/sys/devices/system/cpu/online", "not a regular file"})) << describe(inventory);
}

// ---------------------------------------------------------------------------------------------------------------
// PCI functions

TEST(MalformedPci, GarbageIdsAreReported) {
  TempTree tree;
  write_minimal_machine(tree);
  add_pci_function(tree, {"0000:01:00.0", "0x10de\n", "0x2330\n", "0xZZZZ\n", "0x00\n", "nvidia"});
  add_pci_function(tree, {"0000:02:00.0", "0x10de\n", "0x2330\n", "\0\xff\x03\x02\n"s, "0x00\n", "nvidia"});
  add_pci_function(tree, {"0000:03:00.0", "garbage\n", "0x2330\n", "0x030200\n", "0x00\n", "nvidia"});
  add_pci_function(tree, {"0000:04:00.0", "0x10de\n", "\xff\xfe\0\n"s, "0x030200\n", "0x00\n", "nvidia"});
  add_pci_function(tree, {"0000:05:00.0", "0x10de\n", "0x2330\n", "0x030200\n", "0x1ffffffff\n", "nvidia"});
  add_pci_function(tree, {"0000:06:00.0", "0x10de\n", "0x2330\n", "0xffffffffffffffffffff\n", "0x00\n", ""});
  add_pci_function(tree, {"0000:07:00.0", "0x\n", "0x\n", "0x030000 0x030000\n", "-1\n", ""});
  tree.write("sys/bus/pci/devices/0000:05:00.0/numa_node", "99999999999999999999999\n");
  tree.write("sys/bus/pci/devices/0000:05:00.0/subsystem_vendor", "\x01\x02");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"0000:01:00.0/class", "not a hex number", "0xZZZZ"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:02:00.0/class", "binary"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:03:00.0/vendor", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:03:00.0/", "without readable vendor/device ids"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:04:00.0/device", "binary"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:05:00.0/revision", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:05:00.0/subsystem_vendor", "binary"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:06:00.0/class", "not a hex number"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:07:00.0/class", "not a hex number"})) << describe(inventory);
  for (const char* skipped : {"0000:01:00.0", "0000:02:00.0", "0000:03:00.0", "0000:04:00.0", "0000:06:00.0"})
    EXPECT_EQ(find_device(inventory, skipped), nullptr) << skipped;
  const HardwareDevice* kept = find_device(inventory, "0000:05:00.0");
  ASSERT_NE(kept, nullptr) << describe(inventory);
  EXPECT_FALSE(kept->revision.has_value());
  EXPECT_FALSE(kept->numa_node.has_value());
  EXPECT_FALSE(kept->subsystem_vendor_id.has_value());
}

TEST(MalformedPci, OversizedAttributeIsRefused) {
  TempTree tree;
  write_minimal_machine(tree);
  add_pci_function(tree, {"0000:01:00.0", "0x10de\n", "0x2330\n", "0x030200" + std::string(5000, ' ') + "\n",
                          "0x00\n", "nvidia"});
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"0000:01:00.0/class", "larger than"})) << describe(inventory);
  EXPECT_EQ(find_device(inventory, "0000:01:00.0"), nullptr);
}

TEST(MalformedPci, FolderNamesThatAreNotAddressesAreIgnored) {
  TempTree tree;
  write_minimal_machine(tree);
  // A folder name can hold no '/', so "../../etc" itself cannot exist: these are its nearest spellings, plus an
  // address-shaped link that climbs out with "..", which RESOLVE_IN_ROOT clamps at the tree's root.
  for (const char* name : {"..etc", "...", "not-an-address", "0000:01:00.8", "0000:01:00.0.bak", "0000:zz:00.0",
                           "0000:01:00", "0000:01:00.0 ", " 0000:01:00.0", "0000:01:00.0\n", "000:01:00.0",
                           "000000000:01:00.0", "0000-01-00.0"}) {
    add_pci_function(tree, {name, "0x10de\n", "0x2330\n", "0x030200\n", "0xa1\n", "nvidia"});
  }
  tree.symlink("sys/bus/pci/devices/0000:02:00.0", "../../../../../../../../../../etc");
  tree.symlink("sys/bus/pci/devices/0000:03:00.0", "/etc");
  tree.write("sys/bus/pci/devices/0000:04:00.0", "a file, not a folder\n");
  const Inventory inventory = run_discover(tree);
  EXPECT_EQ(inventory.devices.size(), 1u) << describe(inventory);
}

TEST(MalformedPci, DanglingDriverLinkIsNormal) {
  TempTree tree;
  write_minimal_machine(tree);
  add_nvidia_h100(tree);  // driver -> ../../../bus/pci/drivers/nvidia, which does not exist in the tree
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* gpu = find_device(inventory, nvidia_h100);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_EQ(gpu->driver, "nvidia");
  EXPECT_FALSE(mentions(inventory, "/driver:")) << describe(inventory);
}

TEST(MalformedPci, DriverThatIsNotALinkReadsAsNoDriver) {
  TempTree tree;
  write_minimal_machine(tree);
  add_pci_function(tree, {nvidia_h100, "0x10de\n", "0x2330\n", "0x030200\n", "0xa1\n", ""});
  tree.write("sys/bus/pci/devices/0000:1b:00.0/driver", "nvidia\n");
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* gpu = find_device(inventory, nvidia_h100);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_TRUE(gpu->driver.empty());
  EXPECT_TRUE(has_problem(inventory, {"no driver bound"})) << describe(inventory);
}

TEST(MalformedPci, DanglingClassLinkIsIgnoredOrReported) {
  TempTree tree;
  write_minimal_machine(tree);
  add_nvidia_h100(tree);
  tree.symlink("sys/bus/pci/devices/0000:1b:00.0/class", "../nowhere/class");
  const Inventory inventory = run_discover(tree);
  EXPECT_EQ(find_device(inventory, nvidia_h100), nullptr) << describe(inventory);
}

TEST(MalformedPci, ClassSymlinkLoopIsReported) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  add_pci_function(tree, {"0000:01:00.0", "0x10de\n", "0x2330\n", "", "0xa1\n", "nvidia"});
  tree.symlink("sys/bus/pci/devices/0000:01:00.0/class", "b");
  tree.symlink("sys/bus/pci/devices/0000:01:00.0/b", "class");
  tree.symlink("sys/bus/pci/devices/0000:01:00.0/vendor", "vendor");  // a link to itself
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(mentions(inventory, "/sys/bus/pci/devices/0000:01:00.0/class")) << describe(inventory);
  EXPECT_EQ(find_device(inventory, "0000:01:00.0"), nullptr) << describe(inventory);
}

TEST(MalformedPci, DirectoryOrFifoWhereAnAttributeIsExpectedIsRefused) {
  Watchdog watchdog(30);
  TempTree tree;
  write_minimal_machine(tree);
  add_pci_function(tree, {"0000:01:00.0", "0x10de\n", "0x2330\n", "", "0xa1\n", "nvidia"});
  tree.remove("sys/bus/pci/devices/0000:01:00.0/class");
  tree.mkdir("sys/bus/pci/devices/0000:01:00.0/class");
  add_nvidia_h100(tree);
  tree.fifo("sys/bus/pci/devices/0000:1b:00.0/vendor");
  tree.fifo("sys/bus/pci/devices/0000:1b:00.0/revision");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"0000:01:00.0/class", "not a regular file"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:1b:00.0/vendor", "not a regular file"})) << describe(inventory);
  EXPECT_EQ(inventory.devices.size(), 1u) << describe(inventory);
}

TEST(MalformedPci, TooManyEntriesAreRefusedQuickly) {
  Watchdog watchdog(120);
  TempTree tree(fast_temp_parent());
  write_minimal_machine(tree);
  tree.mkdir("sys/bus/pci/devices");
  // Dangling symlinks are the cheapest entries to make (one syscall each, no inode data).
  const int folder = ::open(tree.path("sys/bus/pci/devices").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(folder, 0);
  for (int i = 0; i < 70000; ++i) {
    // Every address-shaped name there is (256 buses x 32 devices x 8 functions), then 4464 more entries.
    char name[48];
    if (i < 65536) std::snprintf(name, sizeof name, "0000:%02x:%02x.%d", (i >> 8) & 0xff, (i >> 3) & 0x1f, i & 7);
    else std::snprintf(name, sizeof name, "extra-%d", i);
    ASSERT_EQ(::symlinkat("../../../devices/pci0000:00/nowhere", folder, name), 0) << name;
  }
  ::close(folder);
  const auto start = Clock::now();
  const Inventory inventory = run_discover(tree);
  const double elapsed = seconds_since(start);
  EXPECT_LT(elapsed, 5.0);
  EXPECT_TRUE(has_problem(inventory, {"/sys/bus/pci/devices", "more than"})) << describe(inventory);
  EXPECT_EQ(inventory.devices.size(), 1u);
}

TEST(MalformedPci, GarbagePciIdsStillNamesTheDevice) {
  for (const std::string& pci_ids :
       {"\0\xff\xfe\n\t\t\t\n1234\n\t5678\n"s, "1234  \n\t5678  \n"s, "1234  Vendor\n\t56\n\t\t5678  x\nC 03\n"s,
        std::string(100000, '\t'), "\n\n\n#\n1234  Fake Vendor\n\t5678  Fake \xff\xfe Device\n"s}) {
    TempTree tree;
    write_minimal_machine(tree);
    add_pci_function(tree, {"0000:01:00.0", "0x1234\n", "0x5678\n", "0x120000\n", "0x00\n", ""});
    tree.write("usr/share/misc/pci.ids", pci_ids);
    const Inventory inventory = run_discover(tree);
    const HardwareDevice* device = find_device(inventory, "0000:01:00.0");
    ASSERT_NE(device, nullptr) << describe(inventory);
    EXPECT_FALSE(device->name.empty());
  }
}

TEST(MalformedPci, PciIdsAsFifoIsRefused) {
  Watchdog watchdog(30);
  TempTree tree;
  write_minimal_machine(tree);
  add_pci_function(tree, {"0000:01:00.0", "0x1234\n", "0x5678\n", "0x120000\n", "0x00\n", ""});
  tree.fifo("usr/share/misc/pci.ids");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/usr/share/misc/pci.ids", "not a regular file"})) << describe(inventory);
  const HardwareDevice* device = find_device(inventory, "0000:01:00.0");
  ASSERT_NE(device, nullptr) << describe(inventory);
  EXPECT_NE(device->name.find("0x5678"), std::string::npos) << device->name;
}

// ---------------------------------------------------------------------------------------------------------------
// Vendor files: NVIDIA procfs, amdkfd topology, accel class

TEST(MalformedVendorFiles, GarbageNvidiaInformationIsIgnored) {
  TempTree tree;
  write_minimal_machine(tree);
  add_nvidia_h100(tree);
  tree.write("proc/driver/nvidia/version", "NVRM version: \0\xff 550.\0.15 ..... 1.2.3.4.5 .\n"s);
  tree.write("proc/driver/nvidia/gpus/0000:1b:00.0/information",
             "Model: \t\t NVIDIA \0\xff\x01 H100\nGPU UUID: \x1b[2J\nDevice Minor: 99999999999999999999\n"
             "Bus Location: \xff\xfe\nModel\nDevice Minor: -1\n:\n::::\n"s +
                 std::string(1000, '\0'));
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* gpu = find_device(inventory, nvidia_h100);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_EQ(gpu->name, "NVIDIA H100 SXM5 80GB");
  EXPECT_TRUE(gpu->uuid.empty()) << gpu->uuid;
  EXPECT_TRUE(gpu->device_node.empty()) << gpu->device_node;
  EXPECT_TRUE(is_clean_text(gpu->driver_version)) << gpu->driver_version;
}

TEST(MalformedVendorFiles, BinaryNvidiaModuleVersionIsReported) {
  TempTree tree;
  write_minimal_machine(tree);
  add_nvidia_h100(tree);
  tree.write("proc/driver/nvidia/version", "\0\xff\xfe garbage\n"s);
  tree.write("sys/module/nvidia/version", "550\0\x01.54\n"s);
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/sys/module/nvidia/version", "binary"})) << describe(inventory);
  const HardwareDevice* gpu = find_device(inventory, nvidia_h100);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_TRUE(gpu->driver_version.empty()) << gpu->driver_version;
}

TEST(MalformedVendorFiles, NvidiaInformationThatIsAFifoOrTooLargeIsReported) {
  Watchdog watchdog(30);
  TempTree tree;
  write_minimal_machine(tree);
  add_nvidia_h100(tree);
  add_pci_function(tree, {"0000:1c:00.0", "0x10de\n", "0x2330\n", "0x030200\n", "0xa1\n", "nvidia"});
  tree.fifo("proc/driver/nvidia/gpus/0000:1b:00.0/information");
  tree.write("proc/driver/nvidia/gpus/0000:1c:00.0/information", "Model: " + std::string(70000, 'x') + "\n");
  tree.symlink("proc/driver/nvidia/version", "version");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"gpus/0000:1b:00.0/information", "not a regular file"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"gpus/0000:1c:00.0/information", "larger than"})) << describe(inventory);
  EXPECT_TRUE(mentions(inventory, "/proc/driver/nvidia/version")) << describe(inventory);
}

TEST(MalformedVendorFiles, KfdNodeWithGarbageLocationIsReported) {
  TempTree tree;
  write_minimal_machine(tree);
  add_amd_mi300x(tree);
  tree.write("sys/class/kfd/kfd/topology/nodes/1/properties",
             "simd_count 1216\nsimd_per_cu 4\nlocation_id banana\ngfx_target_version 90402\n");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/sys/class/kfd/kfd/topology/nodes/1/properties", "without location_id"}))
      << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"not in the KFD topology"})) << describe(inventory);
}

TEST(MalformedVendorFiles, BinaryKfdPropertiesAreSkipped) {
  TempTree tree;
  write_minimal_machine(tree);
  add_amd_mi300x(tree);
  std::string garbage = "simd_count \0\xff" "1216\nlocation_id\t\t\t\n\xff\xfe 5\n \n"s;
  for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>(i * 31));
  tree.write("sys/class/kfd/kfd/topology/nodes/1/properties", garbage);
  tree.write("sys/class/kfd/kfd/topology/nodes/1/mem_banks/0/properties", garbage);
  tree.write("sys/class/kfd/kfd/topology/nodes/banana/properties", "simd_count 4\n");
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* gpu = find_device(inventory, amd_mi300x);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"not in the KFD topology", "/sys/class/kfd"})) << describe(inventory);
  EXPECT_EQ(gpu->compute_units, 0u);
}

TEST(MalformedVendorFiles, ExtremeKfdValuesDoNotOverflow) {
  TempTree tree;
  write_minimal_machine(tree);
  add_amd_mi300x(tree);
  tree.write("dev/kfd", "");
  tree.write("dev/dri/renderD128", "");
  // location_id 0x500 is bus 05, device 0, function 0; every other number is as large as the format allows.
  tree.write("sys/class/kfd/kfd/topology/nodes/1/properties",
             "simd_count 18446744073709551615\nsimd_per_cu 0\nlocation_id 1280\ndomain 0\n"
             "gfx_target_version 18446744073709551615\ndrm_render_minor 18446744073709551615\n"
             "cpu_cores_count 99999999999999999999\n");
  tree.write("sys/class/kfd/kfd/topology/nodes/1/mem_banks/0/properties",
             "heap_type 1\nsize_in_bytes 18446744073709551615\n");
  tree.write("sys/class/kfd/kfd/topology/nodes/1/mem_banks/1/properties",
             "heap_type 2\nsize_in_bytes 18446744073709551615\n");
  tree.write("sys/class/kfd/kfd/topology/nodes/2/properties",
             "simd_count 4\nsimd_per_cu 1\nlocation_id 18446744073709551615\ngfx_target_version 0\n"
             "domain 18446744073709551615\n");
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* gpu = find_device(inventory, amd_mi300x);
  ASSERT_NE(gpu, nullptr) << describe(inventory);
  EXPECT_EQ(gpu->arch, "gfx942") << "an undecodable gfx_target_version leaves the table's arch";
  EXPECT_EQ(gpu->compute_units, 0u);
}

TEST(MalformedVendorFiles, OversizedKfdPropertiesAreReported) {
  TempTree tree;
  write_minimal_machine(tree);
  add_amd_mi300x(tree);
  tree.write("sys/class/kfd/kfd/topology/nodes/1/properties", std::string(70000, 'x'));
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(has_problem(inventory, {"/sys/class/kfd/kfd/topology/nodes/1/properties", "larger than"}))
      << describe(inventory);
}

TEST(MalformedVendorFiles, AccelDeviceSymlinkLoopIsSurvived) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  add_amd_npu(tree);
  tree.symlink("sys/class/accel/accel0/device", "device");        // a link to itself
  tree.symlink("sys/class/accel/accel1", "accel2");               // a folder loop: accel1 -> accel2 -> accel1
  tree.symlink("sys/class/accel/accel2", "accel1");
  tree.symlink("sys/class/accel/accel3/device", "/sys/class/accel/accel3/device/../device");
  tree.write("sys/bus/pci/devices/0000:c6:00.1/fw_version", "\0\xff"s);
  const Inventory inventory = run_discover(tree);
  const HardwareDevice* npu = find_device(inventory, amd_npu);
  ASSERT_NE(npu, nullptr) << describe(inventory);
  EXPECT_TRUE(npu->device_node.empty()) << npu->device_node;
  EXPECT_TRUE(has_problem(inventory, {"no /sys/class/accel entry points at 0000:c6:00.1"})) << describe(inventory);
  EXPECT_TRUE(has_problem(inventory, {"0000:c6:00.1/fw_version", "binary"})) << describe(inventory);
}

// ---------------------------------------------------------------------------------------------------------------
// Symlinks that point out of the tree: resolved inside it (openat2 RESOLVE_IN_ROOT), never on the host

TEST(MalformedSymlinks, AbsoluteLinkToHostCpuinfoIsNotFollowedToTheHost) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  tree.remove("sys/devices/system/cpu");
  tree.symlink("proc/cpuinfo", "/proc/cpuinfo");  // inside the tree this names itself: a loop
  tree.symlink("proc/meminfo", "/proc/meminfo");
  const Inventory inventory = run_discover(tree);
  EXPECT_TRUE(mentions(inventory, "/proc/cpuinfo")) << describe(inventory);
  EXPECT_TRUE(mentions(inventory, "/proc/meminfo")) << describe(inventory);
  EXPECT_TRUE(inventory.devices.front().vendor.empty()) << "the host's CPU was read: " << inventory.devices.front().name;
  EXPECT_TRUE(inventory.devices.front().name.empty()) << "the host's CPU was read: " << inventory.devices.front().name;
  EXPECT_EQ(cpu_of(inventory).threads, 0u);
  EXPECT_EQ(inventory.devices.front().memory_bytes, 0u);
}

TEST(MalformedSymlinks, AbsoluteLinkToHostEtcPasswdResolvesInsideTheTree) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.symlink("proc/cpuinfo", "/etc/passwd");
  const Inventory missing = run_discover(tree);
  EXPECT_TRUE(has_problem(missing, {"/proc/cpuinfo", "No such file"})) << describe(missing);
  EXPECT_TRUE(missing.devices.front().vendor.empty());

  // With a tree/etc/passwd, that file (and not the host's) is what the link reaches.
  tree.write("etc/passwd", "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Tree-local CPU\n\n");
  const Inventory local = run_discover(tree);
  EXPECT_EQ(local.devices.front().name, "Tree-local CPU") << describe(local);
}

TEST(MalformedSymlinks, RelativeLinkClimbingOutOfTheTreeIsClamped) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.symlink("proc/meminfo", "../../../../../../../../../../../../etc/tree-meminfo");
  tree.write("etc/tree-meminfo", "MemTotal: 1024 kB\n");
  tree.symlink("proc/cpuinfo", "../../../../../../../../../../../../proc/cpuinfo");  // itself again: a loop
  const Inventory inventory = run_discover(tree);
  EXPECT_EQ(inventory.devices.front().memory_bytes, 1024u * 1024u) << describe(inventory);
  EXPECT_TRUE(mentions(inventory, "/proc/cpuinfo")) << describe(inventory);
  EXPECT_TRUE(inventory.devices.front().vendor.empty()) << inventory.devices.front().name;
}

TEST(MalformedSymlinks, DirectoryLinksToHostProcAndSysStayInTheTree) {
  Watchdog watchdog;
  TempTree tree;
  tree.symlink("proc", "/proc");  // inside the tree: proc -> proc, a loop
  tree.symlink("sys", "/sys");
  tree.symlink("usr", "/usr");
  tree.symlink("etc", "/etc");
  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  EXPECT_TRUE(mentions(inventory, "/proc/cpuinfo")) << describe(inventory);
  EXPECT_TRUE(mentions(inventory, "/proc/meminfo")) << describe(inventory);
  EXPECT_TRUE(mentions(inventory, "/sys/devices/system/cpu/online")) << describe(inventory);
  EXPECT_EQ(inventory.devices.size(), 1u) << describe(inventory);
  EXPECT_EQ(cpu_of(inventory).threads, 0u) << "the host's CPUs were counted";
  EXPECT_EQ(inventory.devices.front().memory_bytes, 0u) << "the host's memory was read";
  for (const Runtime& runtime : inventory.runtimes) EXPECT_FALSE(runtime.usable) << runtime.name << " " << runtime.path;
}

TEST(MalformedSymlinks, RuntimeLibraryLinksAreResolvedInsideTheTree) {
  Watchdog watchdog;
  TempTree tree;
  write_minimal_machine(tree);
  const std::string lib = "usr/lib/x86_64-linux-gnu/";
  tree.write(lib + "libcuda.so.550.54.15", "");
  tree.symlink(lib + "libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15");  // absolute, in the tree
  tree.symlink(lib + "libnvidia-ml.so.1", "/lib/x86_64-linux-gnu/libc.so.6");             // the host's, not here
  tree.symlink(lib + "libamdhip64.so.6", "libamdhip64.so.6");                             // a loop
  tree.symlink(lib + "libOpenCL.so.1", "libOpenCL.so.1.0");                                // dangling
  tree.mkdir(lib + "libxrt_coreutil.so.2");                                                // a folder
  tree.fifo("usr/bin/flm");
  const Inventory inventory = run_discover(tree, /*probe_runtimes=*/true);
  for (const Runtime& runtime : inventory.runtimes) {
    EXPECT_FALSE(runtime.loaded) << runtime.name;
    if (runtime.name == "cuda") {
      // Found inside the tree; not usable only because this tree has no NVIDIA GPU (requires_device).
      EXPECT_EQ(runtime.path, "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
      EXPECT_EQ(runtime.version, "550.54.15");
      EXPECT_NE(runtime.reason.find("no NVIDIA GPU"), std::string::npos) << runtime.reason;
    } else if (runtime.name == "nvml" || runtime.name == "hip" || runtime.name == "opencl" || runtime.name == "xrt") {
      EXPECT_FALSE(runtime.usable) << runtime.name << " found at " << runtime.path;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The command line

struct CommandResult {
  int exit_code = -1;
  std::string standard_error;
};

CommandResult run_cli(const std::string& arguments) {
  TempTree scratch;
  const std::string error_file = scratch.path("stderr.txt").string();
  const std::string command = std::string("'") + UAL_CLI_PATH + "' " + arguments + " >/dev/null 2>'" + error_file + "'";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream stream(error_file, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  result.standard_error = text.str();
  return result;
}

TEST(MalformedCli, NonexistentSysrootExitsOneNamingThePath) {
  const CommandResult result = run_cli("devices --sysroot /nonexistent");
  EXPECT_EQ(result.exit_code, 1) << result.standard_error;
  EXPECT_NE(result.standard_error.find("/nonexistent"), std::string::npos) << result.standard_error;
}

TEST(MalformedCli, UnknownOptionExitsTwo) {
  const CommandResult result = run_cli("devices --bogus");
  EXPECT_EQ(result.exit_code, 2) << result.standard_error;
  EXPECT_NE(result.standard_error.find("--bogus"), std::string::npos) << result.standard_error;
}

TEST(MalformedCli, BinaryGarbageTreePrintsJsonAndTable) {
  TempTree tree;
  write_minimal_machine(tree);
  tree.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: \xff\xfe\nmodel name\t: CPU \xc3\x28 \xff\n\n");
  add_pci_function(tree, {"0000:01:00.0", "0x10de\n", "0x2330\n", "0x\xff\xfe\n", "0x00\n", ""});
  const std::string sysroot = "'" + tree.root().string() + "'";
  EXPECT_EQ(run_cli("devices --json --no-runtimes --sysroot " + sysroot).exit_code, 0);
  EXPECT_EQ(run_cli("devices --no-runtimes --sysroot " + sysroot).exit_code, 0);
}

}  // namespace
}  // namespace ual::malformed
