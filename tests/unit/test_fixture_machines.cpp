// Recorded real machines (tests/fixtures/machines/): each is classified from its real attributes, checked both
// directly against the products' specifications and against a reviewed golden JSON.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fixture_paths.hpp"
#include "ual/inventory.hpp"

namespace ual {
namespace {

Inventory discover_machine(const std::string& name) {
  DiscoveryOptions options;
  options.sysroot = testing::machine_path(name);
  options.identity = UserIdentity{0, {0}};
  auto inventory = discover(options);
  EXPECT_TRUE(inventory.ok()) << (inventory.ok() ? "" : inventory.error().message);
  return inventory.value();
}

std::vector<const HardwareDevice*> devices_of(const Inventory& inventory, DeviceKind kind) {
  std::vector<const HardwareDevice*> found;
  for (const auto& device : inventory.devices)
    if (device.kind == kind) found.push_back(&device);
  return found;
}

const Runtime& runtime_named(const Inventory& inventory, const std::string& name) {
  const auto found = std::find_if(inventory.runtimes.begin(), inventory.runtimes.end(),
                                  [&](const Runtime& runtime) { return runtime.name == name; });
  EXPECT_NE(found, inventory.runtimes.end()) << name;
  return *found;
}

bool any_problem_contains(const HardwareDevice& device, const std::string& fragment) {
  return std::any_of(device.problems.begin(), device.problems.end(),
                     [&](const std::string& problem) { return problem.find(fragment) != std::string::npos; });
}

TEST(FixtureMachines, StrixHaloLaptop) {
  const Inventory inventory = discover_machine("strix-halo-laptop");
  const HardwareDevice& cpu = inventory.devices.at(0);
  EXPECT_EQ(cpu.kind, DeviceKind::cpu);
  EXPECT_EQ(cpu.vendor, "amd");
  EXPECT_EQ(cpu.arch, "zen5");
  EXPECT_EQ(cpu.cpu->cores, 16u);  // Ryzen AI Max+ 395: 16 cores, 32 threads
  EXPECT_EQ(cpu.cpu->threads, 32u);
  const auto& features = cpu.cpu->features;
  EXPECT_NE(std::find(features.begin(), features.end(), "avx512_bf16"), features.end());
  const auto igpus = devices_of(inventory, DeviceKind::igpu);
  ASSERT_EQ(igpus.size(), 1u);
  EXPECT_EQ(igpus[0]->arch, "gfx1151");
  EXPECT_EQ(igpus[0]->compute_units, 40u);  // Radeon 8060S: 40 CUs
  EXPECT_EQ(igpus[0]->device_node, "/dev/dri/renderD128");
  const auto npus = devices_of(inventory, DeviceKind::npu);
  ASSERT_EQ(npus.size(), 1u);
  EXPECT_EQ(npus[0]->arch, "xdna2");
  EXPECT_EQ(npus[0]->driver, "amdxdna");
  EXPECT_EQ(npus[0]->device_node, "/dev/accel/accel0");
  EXPECT_TRUE(npus[0]->fastflowlm_supported.value_or(false));
  EXPECT_FALSE(npus[0]->firmware_version.empty());
  EXPECT_TRUE(npus[0]->problems.empty());
  EXPECT_TRUE(devices_of(inventory, DeviceKind::gpu).empty());
  EXPECT_TRUE(runtime_named(inventory, "fastflowlm").usable);
  EXPECT_FALSE(runtime_named(inventory, "fastflowlm").loaded);
  EXPECT_TRUE(runtime_named(inventory, "xrt").usable);
  EXPECT_FALSE(runtime_named(inventory, "cuda").usable);
}

TEST(FixtureMachines, PhoenixLaptopNpuWithoutDriver) {
  const Inventory inventory = discover_machine("phoenix-laptop");
  EXPECT_EQ(inventory.devices.at(0).arch, "zen4");
  const auto npus = devices_of(inventory, DeviceKind::npu);
  ASSERT_EQ(npus.size(), 1u);
  EXPECT_EQ(npus[0]->arch, "xdna");
  EXPECT_FALSE(npus[0]->fastflowlm_supported.value_or(true));  // XDNA1: FastFlowLM needs XDNA2
  EXPECT_TRUE(npus[0]->driver.empty());
  EXPECT_TRUE(any_problem_contains(*npus[0], "too old")) << npus[0]->problems.front();
  EXPECT_TRUE(any_problem_contains(*npus[0], "6.14"));
  const auto igpus = devices_of(inventory, DeviceKind::igpu);
  ASSERT_EQ(igpus.size(), 1u);
  EXPECT_EQ(igpus[0]->arch, "gfx1103");  // Radeon 780M
}

TEST(FixtureMachines, LunarLakeLaptop) {
  const Inventory inventory = discover_machine("lunar-lake-laptop");
  const HardwareDevice& cpu = inventory.devices.at(0);
  EXPECT_EQ(cpu.vendor, "intel");
  EXPECT_EQ(cpu.arch, "lunarlake");
  EXPECT_EQ(cpu.cpu->threads, 8u);  // 4 P + 4 LP E cores, no SMT
  const auto npus = devices_of(inventory, DeviceKind::npu);
  ASSERT_EQ(npus.size(), 1u) << "thermal/VSEC signal-processing functions must not count as NPUs";
  EXPECT_EQ(npus[0]->vendor, "intel");
  EXPECT_EQ(npus[0]->driver, "intel_vpu");
  EXPECT_EQ(npus[0]->device_node, "/dev/accel/accel0");
  EXPECT_FALSE(npus[0]->fastflowlm_supported.value_or(true));
  EXPECT_EQ(devices_of(inventory, DeviceKind::igpu).size(), 1u);
}

TEST(FixtureMachines, DgxH100) {
  const Inventory inventory = discover_machine("dgx-h100");
  const HardwareDevice& cpu = inventory.devices.at(0);
  EXPECT_EQ(cpu.arch, "sapphirerapids");
  EXPECT_EQ(cpu.cpu->sockets, 2u);
  EXPECT_EQ(cpu.cpu->cores, 112u);  // 2 x Xeon Platinum 8480C (56 cores)
  EXPECT_EQ(cpu.cpu->threads, 224u);
  EXPECT_NE(std::find(cpu.cpu->features.begin(), cpu.cpu->features.end(), "amx_int8"), cpu.cpu->features.end());
  const auto gpus = devices_of(inventory, DeviceKind::gpu);
  ASSERT_EQ(gpus.size(), 8u) << "NVSwitches, ConnectX NICs and the ASPEED BMC must not be listed";
  for (const HardwareDevice* gpu : gpus) {
    EXPECT_EQ(gpu->vendor, "nvidia");
    EXPECT_EQ(gpu->arch, "sm_90");
    EXPECT_EQ(gpu->driver_version, "550.54.15");
    EXPECT_EQ(gpu->memory_bytes, 80ull << 30);
    EXPECT_EQ(gpu->uuid.substr(0, 4), "GPU-");
    EXPECT_TRUE(gpu->numa_node.has_value());
  }
  EXPECT_EQ(inventory.devices.size(), 9u);
  EXPECT_TRUE(runtime_named(inventory, "cuda").usable);
  EXPECT_EQ(runtime_named(inventory, "cuda").version, "550.54.15");
  EXPECT_TRUE(runtime_named(inventory, "cublaslt").usable);
}

TEST(FixtureMachines, Mi300xNode) {
  const Inventory inventory = discover_machine("mi300x-node");
  EXPECT_EQ(inventory.devices.at(0).arch, "zen4");
  EXPECT_EQ(inventory.devices.at(0).cpu->threads, 384u);
  const auto gpus = devices_of(inventory, DeviceKind::gpu);
  ASSERT_EQ(gpus.size(), 8u) << "partition render nodes (amdgpu_xcp) are not extra GPUs";
  for (const HardwareDevice* gpu : gpus) {
    EXPECT_EQ(gpu->arch, "gfx942");
    EXPECT_EQ(gpu->compute_units, 304u);           // MI300X: 304 CUs
    EXPECT_EQ(gpu->memory_bytes, 206141652992ull);  // 192 GiB HBM3 as KFD reports it
    EXPECT_EQ(gpu->device_node.substr(0, 15), "/dev/dri/render");
  }
  EXPECT_TRUE(runtime_named(inventory, "hip").usable);
  EXPECT_TRUE(runtime_named(inventory, "rocblas").usable);
}

TEST(FixtureMachines, CpuOnlyServer) {
  const Inventory inventory = discover_machine("cpu-only-server");
  ASSERT_EQ(inventory.devices.size(), 1u) << "the ASPEED BMC display is not an accelerator";
  EXPECT_EQ(inventory.devices[0].arch, "graniterapids");
  EXPECT_GT(inventory.devices[0].cpu->cache_bytes.l3, 0u);
}

// Golden files: the whole JSON contract, reviewed by hand. UAL_REGENERATE_GOLDENS=1 rewrites them.
class FixtureGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureGolden, MatchesReviewedJson) {
  Inventory inventory = discover_machine(GetParam());
  inventory.sysroot = "tests/fixtures/machines/" + GetParam();
  const std::string actual = to_json(inventory) + "\n";
  const std::string golden_path = testing::source_path("tests/fixtures/expected/" + GetParam() + ".json");
  if (const char* regenerate = std::getenv("UAL_REGENERATE_GOLDENS"); regenerate && std::string(regenerate) == "1") {
    std::ofstream(golden_path) << actual;
    GTEST_SKIP() << "regenerated " << golden_path;
  }
  std::ifstream stream(golden_path);
  ASSERT_TRUE(stream) << golden_path << " is missing: run scripts/regenerate-goldens and review it";
  std::stringstream expected;
  expected << stream.rdbuf();
  EXPECT_EQ(nlohmann::json::parse(actual), nlohmann::json::parse(expected.str()))
      << "discovery output changed; if intended, run scripts/regenerate-goldens and review the diff";
}

INSTANTIATE_TEST_SUITE_P(Machines, FixtureGolden,
                         ::testing::Values("strix-halo-laptop", "phoenix-laptop", "lunar-lake-laptop", "dgx-h100",
                                           "mi300x-node", "cpu-only-server"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace ual
