// Execution-provider selection for ONNX Runtime on recorded machines (tests/fixtures/machines/) with hand-made
// provider lists: which providers are appended in which order, with which options, and why each other one is not.
#include <gtest/gtest.h>

#include <algorithm>

#include "../../engines/onnxruntime/execution_providers.hpp"
#include "../../engines/onnxruntime/onnx_runner.hpp"
#include "fixture_paths.hpp"

namespace ual::onnxruntime {
namespace {

Inventory machine(const std::string& name) {
  DiscoveryOptions options;
  options.sysroot = ual::testing::machine_path(name);
  options.probe_runtimes = false;
  options.identity = UserIdentity{0, {0}};
  auto inventory = discover(options);
  EXPECT_TRUE(inventory.ok()) << (inventory.ok() ? "" : inventory.error().message);
  return inventory.ok() ? inventory.value() : Inventory{};
}

ProviderRequest request_for(const std::string& machine_name, Policy policy,
                            std::vector<std::string> available = known_execution_providers()) {
  ProviderRequest request;
  request.available = std::move(available);
  request.inventory = machine(machine_name);
  request.policy = policy;
  return request;
}

ProviderPlan plan(const ProviderRequest& request) {
  auto result = plan_execution_providers(request);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? result.value() : ProviderPlan{};
}

std::vector<std::string> appended_names(const ProviderPlan& plan) {
  std::vector<std::string> names;
  for (const PlannedProvider& provider : plan.providers) names.push_back(provider.name);
  return names;
}

std::string skip_reason(const ProviderPlan& plan, const std::string& name) {
  for (const SkippedProvider& skipped : plan.skipped)
    if (skipped.name == name) return skipped.reason;
  return "(not skipped)";
}

std::string option(const PlannedProvider& provider, const std::string& key) {
  for (const auto& [name, value] : provider.options)
    if (name == key) return value;
  return "(unset)";
}

const PlannedProvider& planned(const ProviderPlan& plan, const std::string& name) {
  static const PlannedProvider none;
  for (const PlannedProvider& provider : plan.providers)
    if (provider.name == name) return provider;
  ADD_FAILURE() << name << " was not planned";
  return none;
}

using Names = std::vector<std::string>;

TEST(OnnxRuntimeProviders, StrixHaloPrefersTheNpuThenTheIgpu) {
  const ProviderPlan result = plan(request_for("strix-halo-laptop", Policy::prefer_npu));
  EXPECT_EQ(appended_names(result),
            (Names{"VitisAIExecutionProvider", "MIGraphXExecutionProvider", "CPUExecutionProvider"}));
  EXPECT_EQ(skip_reason(result, "CUDAExecutionProvider"), "no NVIDIA GPU found");
  EXPECT_EQ(skip_reason(result, "TensorrtExecutionProvider"), "no NVIDIA GPU found");
  EXPECT_EQ(skip_reason(result, "QNNExecutionProvider"), "no Qualcomm NPU found");
  EXPECT_EQ(skip_reason(result, "CoreMLExecutionProvider"), "no Apple device found");
  EXPECT_EQ(skip_reason(result, "OpenVINOExecutionProvider"), "no Intel CPU, GPU or NPU found");
  EXPECT_EQ(skip_reason(result, "DmlExecutionProvider"), "DirectML runs on Windows only");
  EXPECT_NE(result.providers.front().reason.find("xdna2"), std::string::npos) << result.providers.front().reason;
}

TEST(OnnxRuntimeProviders, GpuFirstPoliciesPutTheGpuAheadOfTheNpu) {
  for (const Policy policy : {Policy::prefer_gpu, Policy::max_performance})
    EXPECT_EQ(appended_names(plan(request_for("strix-halo-laptop", policy))),
              (Names{"MIGraphXExecutionProvider", "VitisAIExecutionProvider", "CPUExecutionProvider"}))
        << to_string(policy);
}

TEST(OnnxRuntimeProviders, MinPowerKeepsWorkOffGpus) {
  const ProviderPlan result = plan(request_for("strix-halo-laptop", Policy::min_power));
  EXPECT_EQ(appended_names(result), (Names{"VitisAIExecutionProvider", "CPUExecutionProvider"}));
  EXPECT_EQ(skip_reason(result, "MIGraphXExecutionProvider").rfind("policy min_power", 0), 0u);
}

TEST(OnnxRuntimeProviders, PreferCpuAppendsOnlyTheCpuProvider) {
  const ProviderPlan result = plan(request_for("dgx-h100", Policy::prefer_cpu));
  EXPECT_EQ(appended_names(result), (Names{"CPUExecutionProvider"}));
  EXPECT_EQ(skip_reason(result, "CUDAExecutionProvider"), "policy prefer_cpu");
  EXPECT_EQ(skip_reason(result, "TensorrtExecutionProvider"), "policy prefer_cpu");
}

TEST(OnnxRuntimeProviders, NvidiaMachineGetsTensorRtThenCuda) {
  const ProviderPlan result = plan(request_for("dgx-h100", Policy::max_performance));
  EXPECT_EQ(appended_names(result),
            (Names{"TensorrtExecutionProvider", "CUDAExecutionProvider", "OpenVINOExecutionProvider",
                   "CPUExecutionProvider"}));
  EXPECT_EQ(planned(result, "TensorrtExecutionProvider").method, AppendMethod::tensorrt_v2);
  EXPECT_EQ(planned(result, "CUDAExecutionProvider").method, AppendMethod::cuda_v2);
  EXPECT_EQ(option(planned(result, "OpenVINOExecutionProvider"), "device_type"), "CPU");  // the Xeon host
  EXPECT_EQ(skip_reason(result, "VitisAIExecutionProvider"), "no AMD NPU found");
  EXPECT_EQ(skip_reason(result, "MIGraphXExecutionProvider"), "no AMD GPU found");
}

TEST(OnnxRuntimeProviders, Mi300xGetsMigraphx) {
  const ProviderPlan result = plan(request_for("mi300x-node", Policy::max_performance));
  EXPECT_EQ(appended_names(result), (Names{"MIGraphXExecutionProvider", "CPUExecutionProvider"}));
  EXPECT_EQ(planned(result, "MIGraphXExecutionProvider").method, AppendMethod::migraphx_struct);
}

TEST(OnnxRuntimeProviders, PhoenixNpuWithoutItsDriverIsNotUsed) {
  const ProviderPlan result = plan(request_for("phoenix-laptop", Policy::prefer_npu));
  EXPECT_EQ(skip_reason(result, "VitisAIExecutionProvider"),
            "AMD NPU (xdna) found, but it is not bound to the amdxdna driver");
  EXPECT_EQ(appended_names(result), (Names{"MIGraphXExecutionProvider", "CPUExecutionProvider"}));
}

TEST(OnnxRuntimeProviders, OpenVinoDeviceTypeFollowsThePolicyOnLunarLake) {
  EXPECT_EQ(option(planned(plan(request_for("lunar-lake-laptop", Policy::prefer_npu)), "OpenVINOExecutionProvider"),
                   "device_type"),
            "NPU");
  EXPECT_EQ(option(planned(plan(request_for("lunar-lake-laptop", Policy::prefer_gpu)), "OpenVINOExecutionProvider"),
                   "device_type"),
            "GPU");
  EXPECT_EQ(option(planned(plan(request_for("cpu-only-server", Policy::prefer_npu)), "OpenVINOExecutionProvider"),
                   "device_type"),
            "CPU");
}

TEST(OnnxRuntimeProviders, OnlyProvidersInTheBuildAreAppended) {
  const ProviderPlan result = plan(request_for("strix-halo-laptop", Policy::prefer_npu, {"CPUExecutionProvider"}));
  EXPECT_EQ(appended_names(result), (Names{"CPUExecutionProvider"}));
  for (const std::string& name : known_execution_providers())
    if (name != "CPUExecutionProvider") {
      EXPECT_EQ(skip_reason(result, name), "not in this ONNX Runtime build") << name;
    }
  EXPECT_EQ(result.providers.back().method, AppendMethod::implicit_cpu);
}

TEST(OnnxRuntimeProviders, ProvidersUalDoesNotSelectAreReported) {
  const ProviderPlan result =
      plan(request_for("cpu-only-server", Policy::prefer_npu, {"XnnpackExecutionProvider", "CPUExecutionProvider"}));
  EXPECT_EQ(skip_reason(result, "XnnpackExecutionProvider"), "ual does not select this provider");
  EXPECT_EQ(appended_names(result), (Names{"CPUExecutionProvider"}));
}

TEST(OnnxRuntimeProviders, VitisAiTakesATargetFromRyzenAi14On) {
  ProviderRequest request = request_for("strix-halo-laptop", Policy::prefer_npu);
  request.model_path = "/models/resnet50_int8.onnx";
  request.cache_directory = "/home/u/.cache/ual";
  request.ryzen_ai_release = "1.5";
  request.xclbin = "/opt/xclbins/AMD_AIE2P_4x4_Overlay.xclbin";
  const PlannedProvider vitis = planned(plan(request), "VitisAIExecutionProvider");
  EXPECT_EQ(option(vitis, "target"), "X2");
  EXPECT_EQ(option(vitis, "xclbin"), "(unset)");
  EXPECT_EQ(option(vitis, "cache_dir"), "/home/u/.cache/ual/vitisai");
  EXPECT_EQ(option(vitis, "cache_key"), "resnet50_int8");
}

TEST(OnnxRuntimeProviders, VitisAiTakesAnXclbinUpToRyzenAi13) {
  ProviderRequest request = request_for("strix-halo-laptop", Policy::prefer_npu);
  request.ryzen_ai_release = "1.3";
  request.xclbin = "/opt/xclbins/AMD_AIE2P_4x4_Overlay.xclbin";
  const PlannedProvider vitis = planned(plan(request), "VitisAIExecutionProvider");
  EXPECT_EQ(option(vitis, "xclbin"), "/opt/xclbins/AMD_AIE2P_4x4_Overlay.xclbin");
  EXPECT_EQ(option(vitis, "target"), "(unset)");
}

TEST(OnnxRuntimeProviders, UserOptionsOverrideDefaultsAndUnknownOnesPassThrough) {
  ProviderRequest request = request_for("strix-halo-laptop", Policy::prefer_npu);
  request.cache_directory = "/cache";
  request.user_options["VitisAI"] = {{"cache_dir", "/elsewhere"}, {"config_file", "/opt/vaip_config.json"},
                                     {"ai_analyzer_profiling", "true"}};
  const PlannedProvider vitis = planned(plan(request), "VitisAIExecutionProvider");
  EXPECT_EQ(option(vitis, "cache_dir"), "/elsewhere");
  EXPECT_EQ(option(vitis, "config_file"), "/opt/vaip_config.json");
  EXPECT_EQ(option(vitis, "ai_analyzer_profiling"), "true");
}

TEST(OnnxRuntimeProviders, QnnDefaultsToTheHtpBackendUnlessTypeIsGiven) {
  ProviderRequest request;
  request.available = {"QNNExecutionProvider", "CPUExecutionProvider"};
  HardwareDevice npu;
  npu.kind = DeviceKind::npu;
  npu.vendor = "qualcomm";
  npu.name = "Hexagon";
  request.inventory.devices = {npu};
  EXPECT_EQ(option(planned(plan(request), "QNNExecutionProvider"), "backend_path"), "libQnnHtp.so");
  request.user_options["QNNExecutionProvider"] = {{"backend_type", "gpu"}};
  const PlannedProvider qnn = planned(plan(request), "QNNExecutionProvider");
  EXPECT_EQ(option(qnn, "backend_path"), "(unset)");  // mutually exclusive with backend_type (onnxruntime_c_api.h)
  EXPECT_EQ(option(qnn, "backend_type"), "gpu");
}

TEST(OnnxRuntimeProviders, BadUserOptionsAreErrors) {
  ProviderRequest request = request_for("mi300x-node", Policy::max_performance);
  request.user_options["NoSuchEP"] = {{"a", "b"}};
  auto unknown = plan_execution_providers(request);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown execution provider 'NoSuchEP'"), std::string::npos);
  request.user_options.clear();
  request.user_options["MIGraphX"] = {{"not_a_field", "1"}};
  auto migraphx = plan_execution_providers(request);
  ASSERT_FALSE(migraphx.ok());
  EXPECT_NE(migraphx.error().message.find("'not_a_field'"), std::string::npos) << migraphx.error().message;
}

TEST(OnnxRuntimeProviders, ShortAndFullNames) {
  EXPECT_EQ(execution_provider_full_name("VitisAI"), "VitisAIExecutionProvider");
  EXPECT_EQ(execution_provider_full_name("CUDAExecutionProvider"), "CUDAExecutionProvider");
  EXPECT_EQ(execution_provider_full_name("TensorRT"), "TensorrtExecutionProvider");
  EXPECT_EQ(execution_provider_full_name("nope"), "");
  EXPECT_EQ(known_execution_providers().back(), "CPUExecutionProvider");
}

// The library fetched by scripts/setup is Microsoft's CPU build: it reports the CPU provider, which is all that runs.
TEST(OnnxRuntimeProviders, TheLoadedLibraryReportsItsProviders) {
  const auto info = onnxruntime_info();
  if (!info) GTEST_SKIP() << info.error().message;
  EXPECT_NE(std::find(info->providers.begin(), info->providers.end(), "CPUExecutionProvider"), info->providers.end());
  EXPECT_GE(info->api_version, 12u);
  ProviderRequest request = request_for("strix-halo-laptop", Policy::prefer_npu, info->providers);
  EXPECT_EQ(plan(request).providers.back().name, "CPUExecutionProvider");
}

}  // namespace
}  // namespace ual::onnxruntime
