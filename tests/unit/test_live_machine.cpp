// The live machine: the CPU entry agrees with util-linux's lscpu (an independent reader of the same kernel
// interfaces plus CPUID), and `ual devices` honours its CLI contract (help, version, JSON, exit codes).
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/child_process.hpp"
#include "ual/inventory.hpp"

namespace ual {
namespace {

std::map<std::string, std::string> lscpu_fields() {
  const auto output = run_child_process("lscpu", {"--json"}, ChildOptions{std::chrono::seconds(10), 1u << 20});
  EXPECT_TRUE(output.ok() && output->exit_status == 0) << "lscpu (util-linux) must be installed";
  std::map<std::string, std::string> fields;
  if (!output.ok()) return fields;
  // util-linux 2.38 nests fields ("Model name:" under "Vendor ID:") in "children" arrays.
  const std::function<void(const nlohmann::json&)> collect = [&](const nlohmann::json& items) {
    for (const auto& item : items) {
      fields[item.at("field").get<std::string>()] = item.value("data", "");
      if (item.contains("children")) collect(item.at("children"));
    }
  };
  collect(nlohmann::json::parse(output->standard_output).at("lscpu"));
  return fields;
}

HardwareDevice live_cpu() {
  DiscoveryOptions options;
  options.probe_runtimes = false;
  auto inventory = discover(options);
  EXPECT_TRUE(inventory.ok());
  EXPECT_EQ(inventory->devices.front().kind, DeviceKind::cpu);
  return inventory->devices.front();
}

TEST(LiveMachine, CpuMatchesLscpu) {
  const auto fields = lscpu_fields();
  const HardwareDevice cpu = live_cpu();
  ASSERT_TRUE(cpu.cpu);
  EXPECT_EQ(cpu.name, fields.at("Model name:"));
  EXPECT_EQ(std::to_string(cpu.cpu->threads), fields.at("CPU(s):"));
  if (fields.count("Socket(s):")) {
    const int sockets = std::stoi(fields.at("Socket(s):"));
    EXPECT_EQ(cpu.cpu->sockets, static_cast<std::uint32_t>(sockets));
    EXPECT_EQ(cpu.cpu->cores, static_cast<std::uint32_t>(sockets * std::stoi(fields.at("Core(s) per socket:"))));
  }
  if (fields.count("CPU family:")) {
    EXPECT_EQ(std::to_string(cpu.cpu->family), fields.at("CPU family:"));
    EXPECT_EQ(std::to_string(cpu.cpu->model), fields.at("Model:"));
  }
  // Every feature ual reports is a flag lscpu reports (the spelling contract of DESIGN.md).
  const std::string flags = " " + fields.at("Flags:") + " ";
  for (const std::string& feature : cpu.cpu->features)
    EXPECT_NE(flags.find(" " + feature + " "), std::string::npos) << feature;
  for (const char* flag : {"avx2", "fma", "f16c", "avx512f", "avx512_bf16", "amx_tile"}) {
    const bool reported = std::find(cpu.cpu->features.begin(), cpu.cpu->features.end(), flag) != cpu.cpu->features.end();
    EXPECT_EQ(reported, flags.find(std::string(" ") + flag + " ") != std::string::npos) << flag;
  }
}

TEST(LiveMachine, CacheSizesMatchLscpu) {
  const auto output = run_child_process("lscpu", {"-C=NAME,ONE-SIZE", "--bytes", "--json"});
  ASSERT_TRUE(output.ok());
  const HardwareDevice cpu = live_cpu();
  const auto caches = nlohmann::json::parse(output->standard_output);  // must outlive the loop
  for (const auto& cache : caches.at("caches")) {
    const std::string name = cache.at("name").get<std::string>();
    const std::uint64_t size = std::stoull(cache.at("one-size").get<std::string>());
    const std::map<std::string, std::uint64_t> reported{{"L1d", cpu.cpu->cache_bytes.l1d},
                                                        {"L1i", cpu.cpu->cache_bytes.l1i},
                                                        {"L2", cpu.cpu->cache_bytes.l2},
                                                        {"L3", cpu.cpu->cache_bytes.l3}};
    ASSERT_TRUE(reported.count(name)) << name;
    EXPECT_EQ(reported.at(name), size) << name;
  }
}

struct CliResult {
  int exit_code = -1;
  std::string output;
  std::string error;
};

CliResult run_cli(const std::vector<std::string>& arguments) {
  const auto result = run_child_process(UAL_CLI_PATH, arguments, ChildOptions{std::chrono::seconds(60), 4u << 20});
  EXPECT_TRUE(result.ok());
  if (!result.ok()) return {};
  return {result->exit_status, result->standard_output, result->standard_error};
}

TEST(Cli, HelpAndVersionExitZero) {
  EXPECT_EQ(run_cli({"--version"}).output, std::string("ual ") + UAL_VERSION_STRING_FOR_TESTS + "\n");
  const CliResult help = run_cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("devices"), std::string::npos);
  const CliResult devices_help = run_cli({"devices", "--help"});
  EXPECT_EQ(devices_help.exit_code, 0);
  EXPECT_NE(devices_help.output.find("--sysroot"), std::string::npos);
  EXPECT_NE(devices_help.output.find("--json"), std::string::npos);
}

TEST(Cli, BadUsageExitsTwo) {
  EXPECT_EQ(run_cli({}).exit_code, 2);
  EXPECT_EQ(run_cli({"frobnicate"}).exit_code, 2);
  const CliResult unknown_option = run_cli({"devices", "--no-such-option"});
  EXPECT_EQ(unknown_option.exit_code, 2);
  EXPECT_NE(unknown_option.error.find("--no-such-option"), std::string::npos);
}

TEST(Cli, MissingSysrootExitsOneNamingIt) {
  const CliResult result = run_cli({"devices", "--sysroot", "/nonexistent/machine"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.error.find("/nonexistent/machine"), std::string::npos) << result.error;
  EXPECT_TRUE(result.output.empty());
}

TEST(Cli, JsonContractOnThisMachine) {
  const CliResult result = run_cli({"devices", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output);
  ASSERT_TRUE(json.at("devices").is_array());
  const auto& cpu = json.at("devices").at(0);
  EXPECT_EQ(cpu.at("kind"), "cpu");
  for (const char* key : {"kind", "vendor", "name", "arch", "pci_address", "vendor_id", "device_id", "revision",
                          "driver", "memory_bytes", "problems", "sockets", "cores", "threads", "features", "cache_bytes"})
    EXPECT_TRUE(cpu.contains(key)) << key;
  EXPECT_TRUE(cpu.at("threads").is_number_integer());
  EXPECT_TRUE(cpu.at("cache_bytes").at("l1d").is_number_integer());
  for (const auto& runtime : json.at("runtimes"))
    for (const char* key : {"name", "usable", "version", "path", "reason"}) EXPECT_TRUE(runtime.contains(key)) << key;
  const auto onnxruntime = std::find_if(json.at("runtimes").begin(), json.at("runtimes").end(),
                                        [](const auto& runtime) { return runtime.at("name") == "onnxruntime"; });
  ASSERT_NE(onnxruntime, json.at("runtimes").end());
  EXPECT_TRUE(onnxruntime->contains("providers"));
}

TEST(Cli, TableListsDevicesRuntimesAndProblems) {
  const CliResult result = run_cli({"devices", "--sysroot", std::string(UAL_SOURCE_DIR) + "/tests/fixtures/machines/phoenix-laptop"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto devices = result.output.find("Devices");
  const auto runtimes = result.output.find("Runtimes");
  const auto problems = result.output.find("Problems");
  ASSERT_NE(devices, std::string::npos);
  ASSERT_NE(runtimes, std::string::npos);
  ASSERT_NE(problems, std::string::npos);
  EXPECT_LT(devices, runtimes);
  EXPECT_LT(runtimes, problems);
  EXPECT_NE(result.output.find("too old for amdxdna"), std::string::npos);
}

}  // namespace
}  // namespace ual
