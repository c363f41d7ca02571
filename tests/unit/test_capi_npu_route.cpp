// The seed's NPU contract decided for recorded machines (capi/npu_route.hpp) and run against the flm stand-in
// (capi/npu_run.hpp): Strix Halo with FastFlowLM has a route, Phoenix without a driver and a CPU-only server have
// none, and ONNX Runtime counts only with the VitisAI provider and a usable AMD NPU.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "capi/npu_route.hpp"
#include "capi/npu_run.hpp"
#include "fixture_paths.hpp"
#include "ual/ual.h"

namespace ual::capi {
namespace {

Inventory machine(const std::string& name) {
  DiscoveryOptions options;
  options.sysroot = testing::machine_path(name);
  auto inventory = discover(options);
  EXPECT_TRUE(inventory.ok()) << (inventory.ok() ? "" : inventory.error().message);
  return inventory.ok() ? *inventory : Inventory{};
}

Runtime* runtime(Inventory& inventory, const std::string& name) {
  for (Runtime& entry : inventory.runtimes)
    if (entry.name == name) return &entry;
  return nullptr;
}

void give_vitisai(Inventory& inventory) {
  Runtime* ort = runtime(inventory, "onnxruntime");
  ASSERT_NE(ort, nullptr);
  ort->usable = true;
  ort->version = "1.20.0";
  ort->providers = {vitisai_provider, "CPUExecutionProvider"};
}

TEST(CapiNpuRoute, StrixHaloWithFlmHasTheFastFlowLmRoute) {
  const NpuRouteReport report = find_npu_routes(machine("strix-halo-laptop"));
  EXPECT_TRUE(report.available);
  ASSERT_EQ(report.routes, std::vector<std::string>{npu_route_fastflowlm});
  ASSERT_EQ(report.devices.size(), 1u);
  EXPECT_EQ(report.devices[0].arch, "xdna2");
  EXPECT_TRUE(report.devices[0].usable);
  EXPECT_FALSE(report.flm_path.empty());
}

TEST(CapiNpuRoute, PhoenixWithoutDriverHasNoRoute) {
  Inventory inventory = machine("phoenix-laptop");
  give_vitisai(inventory);  // even with the Ryzen AI build of ONNX Runtime
  const NpuRouteReport report = find_npu_routes(inventory);
  EXPECT_FALSE(report.available);
  ASSERT_EQ(report.devices.size(), 1u);
  EXPECT_FALSE(report.devices[0].usable);
  const std::string json = to_json(report, inventory);
  EXPECT_NE(json.find("no driver bound"), std::string::npos) << json;
  EXPECT_NE(json.find("\"route\": null"), std::string::npos) << json;
}

TEST(CapiNpuRoute, CpuOnlyServerHasNoNpu) {
  const NpuRouteReport report = find_npu_routes(machine("cpu-only-server"));
  EXPECT_FALSE(report.available);
  EXPECT_TRUE(report.devices.empty());
  EXPECT_EQ(report.reasons.front(), "no NPU found");
}

TEST(CapiNpuRoute, OnnxRuntimeCountsOnlyWithVitisAi) {
  Inventory inventory = machine("strix-halo-laptop");
  runtime(inventory, "fastflowlm")->usable = false;
  Runtime* ort = runtime(inventory, "onnxruntime");
  ort->usable = true;
  ort->providers = {"CPUExecutionProvider"};
  NpuRouteReport report = find_npu_routes(inventory);
  EXPECT_FALSE(report.available);
  give_vitisai(inventory);
  report = find_npu_routes(inventory);
  EXPECT_TRUE(report.available);
  EXPECT_EQ(report.routes, std::vector<std::string>{npu_route_onnxruntime});
}

TEST(CapiNpuRoute, FastFlowLmNeedsXdna2) {
  Inventory inventory = machine("strix-halo-laptop");
  for (HardwareDevice& device : inventory.devices)
    if (device.kind == DeviceKind::npu) {
      device.arch = "xdna";
      device.fastflowlm_supported = false;
    }
  EXPECT_FALSE(find_npu_routes(inventory).available);
}

TEST(CapiNpuRoute, AProblemOnTheNpuRemovesTheRoute) {
  Inventory inventory = machine("strix-halo-laptop");
  for (HardwareDevice& device : inventory.devices)
    if (device.kind == DeviceKind::npu) device.problems.push_back("no read permission on /dev/accel/accel0");
  const NpuRouteReport report = find_npu_routes(inventory);
  EXPECT_FALSE(report.available);
  EXPECT_NE(report.reasons.front().find("no read permission"), std::string::npos);
}

TEST(CapiNpuRun, FlmTagRunsThroughTheStandin) {
  const Inventory inventory = machine("strix-halo-laptop");
  NpuRunOptions options;
  options.flm_program = testing::source_path("tests/fixtures/standins/flm-server");
  options.timeout = std::chrono::seconds(30);
  std::string message;
  EXPECT_EQ(run_npu_model("llama3.2:1b", inventory, options, message), UAL_NPU_OK) << message;
  EXPECT_EQ(run_npu_model("llama-3.2-1b", inventory, options, message), UAL_NPU_OK) << message;  // catalog id
  EXPECT_EQ(run_npu_model("no-such:tag", inventory, options, message), UAL_NPU_MODEL_NOT_FOUND);
  EXPECT_NE(message.find("no-such:tag"), std::string::npos);
  EXPECT_EQ(run_npu_model("", inventory, options, message), UAL_NPU_INVALID_ARGUMENT);
  options.flm_program = testing::source_path("tests/fixtures/standins/flm-crashes");
  EXPECT_EQ(run_npu_model("llama3.2:1b", inventory, options, message), UAL_NPU_RUN_FAILED);
}

TEST(CapiNpuRun, OnnxModelsNeedAFileAndTheVitisAiRoute) {
  Inventory inventory = machine("strix-halo-laptop");
  NpuRunOptions options;
  std::string message;
  EXPECT_EQ(run_npu_model("/nonexistent/\xff\xfe.onnx", inventory, options, message), UAL_NPU_MODEL_NOT_FOUND);
  const std::filesystem::path model =
      std::filesystem::temp_directory_path() / ("ual-capi-" + std::to_string(::getpid()) + ".onnx");
  { std::ofstream(model) << "not a protobuf"; }
  EXPECT_EQ(run_npu_model(model, inventory, options, message), UAL_NPU_UNAVAILABLE);  // flm only: no ONNX route
  EXPECT_NE(message.find("ONNX Runtime"), std::string::npos) << message;
  give_vitisai(inventory);
  EXPECT_EQ(run_npu_model(model, inventory, options, message), UAL_NPU_RUN_FAILED);  // the route, but no model
  EXPECT_NE(message.find(model.filename().string()), std::string::npos) << message;
  std::filesystem::remove(model);
}

TEST(CapiNpuRun, NoRouteMeansFallBack) {
  std::string message;
  EXPECT_EQ(run_npu_model("llama3.2:1b", machine("cpu-only-server"), {}, message), UAL_NPU_UNAVAILABLE);
  EXPECT_NE(message.find("no NPU found"), std::string::npos) << message;
}

}  // namespace
}  // namespace ual::capi
