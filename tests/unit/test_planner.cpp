// The planner on recorded machines (tests/fixtures/machines) and hand-built inventories: which engine wins for each
// rule the issue lists, that its numbers are HopperSim's own, that its commands pass the engines' documented flag
// rules, and that what cannot run is rejected with the reason.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "engines/commands/documented_flags.hpp"
#include "fixture_paths.hpp"
#include "planner/memory_fit.hpp"
#include "ual/plan.hpp"

namespace ual {
namespace {

Inventory recorded_machine(const std::string& name) {
  DiscoveryOptions options;
  options.sysroot = testing::machine_path(name);
  auto inventory = discover(options);
  EXPECT_TRUE(inventory.ok()) << name;
  return inventory.ok() ? *inventory : Inventory{};
}

ModelDescription catalog_model(const std::string& id) {
  auto spec = sim::find_model(id);
  EXPECT_TRUE(spec.ok()) << id;
  ModelDescription model;
  model.id = id;
  model.catalog_id = id;
  model.format = ModelFormat::catalog;
  model.name = spec.ok() ? spec->name : id;
  if (spec.ok()) {
    model.shape = *spec;
    model.parameter_count = spec->parameters();
    model.context_length = static_cast<std::uint64_t>(spec->max_position);
  }
  return model;
}

Plan make_plan(const ModelDescription& model, const Inventory& inventory, PlanOptions options = {}) {
  auto result = plan(model, inventory, options);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : Plan{};
}

const Strategy* find_strategy(const Plan& plan, std::string_view engine, std::string_view kind = "") {
  for (const Strategy& strategy : plan.strategies)
    if (strategy.engine == engine && (kind.empty() || strategy.device_kind == kind)) return &strategy;
  return nullptr;
}

std::string rejection(const Plan& plan, std::string_view engine) {
  std::string reasons;
  for (const RejectedStrategy& option : plan.rejected)
    if (option.engine == engine) reasons += option.reason + "\n";
  return reasons;
}

bool has_argument_pair(const EngineCommand& command, std::string_view flag, std::string_view value) {
  for (std::size_t index = 0; index + 1 < command.argv.size(); ++index)
    if (command.argv[index] == flag && command.argv[index + 1] == value) return true;
  return false;
}

HardwareDevice gpu_device(std::string name, std::string arch, std::uint64_t memory, std::string vendor = "nvidia") {
  HardwareDevice device;
  device.kind = DeviceKind::gpu;
  device.vendor = std::move(vendor);
  device.name = std::move(name);
  device.arch = std::move(arch);
  device.memory_bytes = memory;
  return device;
}

Inventory hand_made_machine(std::vector<HardwareDevice> gpus, std::uint64_t system_memory = 512ull << 30) {
  Inventory inventory;
  inventory.sysroot = "/nonexistent-recorded-tree";
  HardwareDevice cpu;
  cpu.kind = DeviceKind::cpu;
  cpu.vendor = "amd";
  cpu.name = "AMD EPYC 9654 96-Core Processor";
  cpu.arch = "zen4";
  cpu.memory_bytes = system_memory;
  cpu.cpu = CpuDetails{};
  cpu.cpu->cores = 96;
  inventory.devices.push_back(cpu);
  for (auto& gpu : gpus) inventory.devices.push_back(std::move(gpu));
  inventory.runtimes.push_back(Runtime{"cuda", true, false, "13.0", "/usr/lib/libcuda.so.1", "", {}, {}});
  inventory.runtimes.push_back(Runtime{"onnxruntime", true, false, "1.29", "/usr/lib/libonnxruntime.so.1", "",
                                       {"CUDAExecutionProvider", "CPUExecutionProvider"}, {}});
  return inventory;
}

// Rule: XDNA2 NPU + a model FastFlowLM ships -> FastFlowLM, first, ready when flm is installed.
TEST(Planner, StrixHaloRanksFastFlowLmFirstForAModelItShips) {
  const Plan plan = make_plan(catalog_model("llama-3.2-3b"), recorded_machine("strix-halo-laptop"));
  ASSERT_FALSE(plan.strategies.empty());
  const Strategy& top = plan.strategies.front();
  EXPECT_EQ(top.engine, "fastflowlm");
  EXPECT_EQ(top.device_kind, "npu");
  EXPECT_TRUE(top.ready) << (top.requirements.empty() ? "" : top.requirements.front());
  ASSERT_EQ(top.commands.size(), 1u);
  const std::vector<std::string> expected{"flm", "serve", "llama3.2:3b", "--port", "52625"};
  EXPECT_EQ(top.commands[0].argv, expected);
  EXPECT_EQ(top.endpoint, "http://127.0.0.1:52625");
  // The same plan for the power objective keeps the NPU first.
  PlanOptions power;
  power.objective = PlanObjective::power;
  EXPECT_EQ(make_plan(catalog_model("llama-3.2-3b"), recorded_machine("strix-halo-laptop"), power).strategies.front().engine,
            "fastflowlm");
}

TEST(Planner, FastFlowLmRejectsModelsItDoesNotShipAndOnnxRuntimeIsTheFallback) {
  const Plan plan = make_plan(catalog_model("megatron-22b"), recorded_machine("strix-halo-laptop"));
  EXPECT_NE(rejection(plan, "fastflowlm").find("ships no NPU build of megatron-22b"), std::string::npos)
      << rejection(plan, "fastflowlm");
  const Strategy* onnx = find_strategy(plan, "onnxruntime", "npu");
  ASSERT_NE(onnx, nullptr);
  EXPECT_FALSE(onnx->ready);
  EXPECT_NE(onnx->reasons.front().find("VitisAIExecutionProvider"), std::string::npos);
}

// Rule: Ryzen AI NPU without FastFlowLM support (XDNA, Phoenix) -> ONNX Runtime with VitisAI; the NPU's driver
// problem is what must be fixed first.
TEST(Planner, PhoenixXdnaGetsOnnxRuntimeVitisAiAndTheReasonFastFlowLmCannot) {
  const Plan plan = make_plan(catalog_model("llama-3.2-1b"), recorded_machine("phoenix-laptop"));
  EXPECT_NE(rejection(plan, "fastflowlm").find("FastFlowLM needs an XDNA2 NPU; this is XDNA (Phoenix"), std::string::npos)
      << rejection(plan, "fastflowlm");
  const Strategy* onnx = find_strategy(plan, "onnxruntime", "npu");
  ASSERT_NE(onnx, nullptr);
  const std::string needs = fmt::format("{}", fmt::join(onnx->requirements, "\n"));
  EXPECT_NE(needs.find("amdxdna"), std::string::npos) << needs;
  EXPECT_NE(needs.find("ONNX export"), std::string::npos) << needs;
}

// Rule: Hopper -> FP8 with TensorRT-LLM or vLLM and the partition HopperSim ranks best.
TEST(Planner, DgxH100ServesWithFp8AndHopperSimsBestPartition) {
  PlanOptions options;
  options.objective = PlanObjective::throughput;
  const Plan plan = make_plan(catalog_model("llama-3.1-70b"), recorded_machine("dgx-h100"), options);
  ASSERT_FALSE(plan.strategies.empty());
  const Strategy& top = plan.strategies.front();
  EXPECT_EQ(top.engine, "tensorrt-llm");
  EXPECT_NE(top.precision.find("fp8"), std::string::npos);
  EXPECT_FALSE(top.ready);  // the recorded DGX has no trtllm-serve
  EXPECT_NE(fmt::format("{}", fmt::join(top.requirements, " ")).find("trtllm-serve"), std::string::npos);
  EXPECT_EQ(top.commands.front().argv.at(1), "nvidia/Llama-3.1-70B-Instruct-FP8");

  // The oracle: HopperSim's own partition search, called directly.
  sim::InferencePartitionOptions search;
  search.gpus = 8;
  search.precision = sim::Precision::fp8;
  search.input_len = options.input_len;
  search.output_len = options.output_len;
  search.objective = sim::PartitionObjective::throughput;
  search.max_results = 1;
  auto expected = sim::search_inference_partitions(*sim::find_model("llama-3.1-70b"), *sim::find_hardware("h100-sxm"), search);
  ASSERT_TRUE(expected.ok() && !expected->ranked.empty());
  const auto& best = expected->ranked.front();
  EXPECT_EQ(top.partition.tensor_parallel, best.tp);
  EXPECT_EQ(top.partition.pipeline_parallel, best.pp);
  EXPECT_EQ(top.partition.instances, best.instances);
  ASSERT_TRUE(top.predicted.tokens_per_second.has_value());
  EXPECT_DOUBLE_EQ(*top.predicted.tokens_per_second, best.estimate.throughput_tokens_per_s);
  if (best.tp > 1) {
    EXPECT_TRUE(has_argument_pair(top.commands.front(), "--tp_size", std::to_string(best.tp)));
  }

  const Strategy* vllm = find_strategy(plan, "vllm");
  ASSERT_NE(vllm, nullptr);
  EXPECT_TRUE(has_argument_pair(vllm->commands.front(), "--quantization", "fp8"));
  EXPECT_TRUE(has_argument_pair(vllm->commands.front(), "--kv-cache-dtype", "fp8"));
  EXPECT_EQ(vllm->commands.front().argv.at(2), "meta-llama/Llama-3.1-70B");
}

// Rule: AMD Instinct -> vLLM on ROCm, FNUZ FP8 on MI300; TensorRT-LLM is NVIDIA-only.
TEST(Planner, Mi300xServesWithVllmOnRocmInFnuzFp8) {
  const Plan plan = make_plan(catalog_model("llama-3.1-70b"), recorded_machine("mi300x-node"));
  ASSERT_FALSE(plan.strategies.empty());
  const Strategy& top = plan.strategies.front();
  EXPECT_EQ(top.engine, "vllm");
  EXPECT_NE(top.precision.find("fnuz"), std::string::npos) << top.precision;
  EXPECT_NE(rejection(plan, "tensorrt-llm").find("runs on NVIDIA GPUs"), std::string::npos);
  EXPECT_EQ(find_strategy(plan, "tensorrt-llm"), nullptr);
}

// Rule: CPU -> llama.cpp with a quantization that fits.
TEST(Planner, CpuOnlyServerGetsLlamaCppWithAQuantizationThatFits) {
  const Plan plan = make_plan(catalog_model("llama-3.1-8b"), recorded_machine("cpu-only-server"));
  ASSERT_FALSE(plan.strategies.empty());
  const Strategy& top = plan.strategies.front();
  EXPECT_EQ(top.engine, "llama.cpp");
  EXPECT_EQ(top.device_kind, "cpu");
  EXPECT_EQ(top.precision, "q8_0");
  EXPECT_TRUE(has_argument_pair(top.commands.front(), "-hf", "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q8_0"));
  EXPECT_TRUE(has_argument_pair(top.commands.front(), "--threads", "96"));
  EXPECT_TRUE(has_argument_pair(top.commands.front(), "-ngl", "0"));
  EXPECT_NE(rejection(plan, "vllm").find("no"), std::string::npos);
  EXPECT_NE(rejection(plan, "fastflowlm").find("no NPU"), std::string::npos);
}

// Rule: larger than memory -> layer-wise offload with 8-bit weights when the 16-bit model is at most twice the
// memory. One A100 80GB (no FP8 tensor cores: BF16) against a 70B model (141 GB at BF16, 76 GB usable).
TEST(Planner, ModelLargerThanGpuMemoryGetsLayeredOffloadWithEightBitWeights) {
  const Inventory machine = hand_made_machine({gpu_device("NVIDIA A100-SXM4-80GB", "sm_80", 80ull << 30)});
  const Plan plan = make_plan(catalog_model("llama-3.1-70b"), machine);
  EXPECT_NE(rejection(plan, "vllm").find("does not fit"), std::string::npos) << to_json(plan);
  const Strategy* offload = find_strategy(plan, "layered-offload");
  ASSERT_NE(offload, nullptr);
  EXPECT_NE(offload->precision.find("8-bit"), std::string::npos);
  EXPECT_TRUE(has_argument_pair(offload->commands.front(), "--quantization", "fp8"));
  EXPECT_EQ(offload->partition.tensor_parallel, 1);
}

TEST(Planner, MuchLargerThanGpuMemoryGetsFourBitWeightsAndHostOffload) {
  const Inventory machine = hand_made_machine({gpu_device("NVIDIA A100-SXM4-80GB", "sm_80", 80ull << 30)});
  const Plan plan = make_plan(catalog_model("llama-3.1-405b"), machine, {});
  const Strategy* offload = find_strategy(plan, "layered-offload");
  if (offload == nullptr) {
    // 405B at 4 bits is 203 GB: more than 80 GB of GPU plus 80 % of 512 GB host memory would hold? It is not.
    FAIL() << rejection(plan, "layered-offload");
  }
  EXPECT_NE(offload->precision.find("4-bit"), std::string::npos);
  EXPECT_TRUE(has_argument_pair(offload->commands.front(), "--quantization", "bitsandbytes"));
  const auto& argv = offload->commands.front().argv;
  const auto flag = std::find(argv.begin(), argv.end(), "--cpu-offload-gb");
  ASSERT_NE(flag, argv.end());
  const double offload_gb = std::stod(*(flag + 1));
  // 405.8e9 weights at 4 bits = 203 GB; at most ~60 GB stay on the GPU, so well over 100 GiB stream from the host.
  EXPECT_GT(offload_gb, 100);
  EXPECT_LT(offload_gb, 203e9 / (1 << 30));
}

// Partial offload of a GGUF file bigger than the GPU: -ngl is the largest layer count whose weights and KV cache
// fit; one more layer would not.
TEST(Planner, GgufLargerThanTheGpuIsPartiallyOffloadedWithTheLayersThatFit) {
  ModelDescription model = catalog_model("llama-3.1-70b");
  model.id = "Meta-Llama-3.1-70B-Instruct-Q4_K_M";
  model.format = ModelFormat::gguf;
  model.path = "/models/Meta-Llama-3.1-70B-Instruct-Q4_K_M.gguf";
  model.weight_bytes = 42'520'000'000;
  model.weight_type = "q4_k_m";
  const Inventory machine = hand_made_machine({gpu_device("NVIDIA GeForce RTX 4090", "sm_89", 24ull << 30)}, 128ull << 30);
  const Plan plan = make_plan(model, machine);
  const Strategy* partial = find_strategy(plan, "llama.cpp", "gpu+cpu");
  ASSERT_NE(partial, nullptr) << rejection(plan, "llama.cpp");
  const int layers = partial->partition.gpu_layers;
  EXPECT_GT(layers, 10);
  EXPECT_LT(layers, 80);
  EXPECT_TRUE(has_argument_pair(partial->commands.front(), "-ngl", std::to_string(layers)));
  EXPECT_TRUE(has_argument_pair(partial->commands.front(), "-m", model.path));
  // Independent arithmetic: per layer, 1/80 of the non-embedding weights plus its KV cache for 8192 tokens.
  const double embedding = static_cast<double>(model.shape->embedding_parameters());
  const double parameters = static_cast<double>(model.shape->parameters());
  const double per_layer = (parameters - embedding) / 80 * (42.52e9 / parameters) + 2.0 * 8 * 128 * 8192 * 2;
  const double budget = 24.0 * (1ull << 30) * 0.9 - 1.5 * (1ull << 30);
  EXPECT_LE(layers * per_layer, budget);
  EXPECT_GT((layers + 1) * per_layer, budget);
}

// Multi-node: a model that needs two 8-GPU nodes (405B at BF16 is 812 GB; one node of A100 80GB holds 687 GB) gets
// one command per node role on each engine's own runtime.
TEST(Planner, TwoNodePartitionsLaunchOnRayAndMpi) {
  PlanOptions options;
  options.nodes = 2;
  options.head_node_address = "10.0.0.1";
  std::vector<HardwareDevice> gpus;
  for (int index = 0; index < 8; ++index) gpus.push_back(gpu_device("NVIDIA A100-SXM4-80GB", "sm_80", 80ull << 30));
  const Plan plan = make_plan(catalog_model("llama-3.1-405b"), hand_made_machine(gpus, 2048ull << 30), options);
  const Strategy* vllm = find_strategy(plan, "vllm");
  ASSERT_NE(vllm, nullptr) << to_json(plan);
  EXPECT_EQ(vllm->partition.nodes, 2);
  ASSERT_EQ(vllm->commands.size(), 3u);
  EXPECT_EQ(vllm->commands[0].role, "head");
  EXPECT_EQ(vllm->commands[0].text(), "ray start --head --port=6379");
  EXPECT_EQ(vllm->commands[1].text(), "ray start --address=10.0.0.1:6379");
  EXPECT_TRUE(has_argument_pair(vllm->commands[2], "--distributed-executor-backend", "ray"));
  const Strategy* tensorrt = find_strategy(plan, "tensorrt-llm");
  ASSERT_NE(tensorrt, nullptr);
  ASSERT_EQ(tensorrt->commands.size(), 1u);
  EXPECT_EQ(tensorrt->commands[0].role, "launcher");
  EXPECT_EQ(tensorrt->commands[0].argv.front(), "mpirun");
  const int world = tensorrt->partition.tensor_parallel * tensorrt->partition.pipeline_parallel;
  EXPECT_GT(world, 8);
  EXPECT_TRUE(has_argument_pair(tensorrt->commands[0], "-np", std::to_string(world)));
}

// ONNX graphs go to ONNX Runtime, on the provider for each device the library has.
TEST(Planner, OnnxGraphRunsOnOnnxRuntimeProviders) {
  ModelDescription model;
  model.id = "mlp";
  model.format = ModelFormat::onnx;
  model.path = "/models/mlp.onnx";
  model.architecture = "onnx";
  model.weight_bytes = 1 << 20;
  model.weight_type = "float";
  model.inputs.push_back({"x", "float", {1, 64}});
  const Inventory machine = hand_made_machine({gpu_device("NVIDIA GeForce RTX 4090", "sm_89", 24ull << 30)});
  const Plan plan = make_plan(model, machine);
  const Strategy* gpu = find_strategy(plan, "onnxruntime", "gpu");
  const Strategy* cpu = find_strategy(plan, "onnxruntime", "cpu");
  ASSERT_NE(gpu, nullptr);
  ASSERT_NE(cpu, nullptr);
  EXPECT_TRUE(gpu->ready);
  EXPECT_EQ(cpu->commands.front().text(), "ual run /models/mlp.onnx --input x=x.npy --policy prefer_cpu");
  EXPECT_EQ(plan.strategies.front().device_kind, "gpu");
  EXPECT_EQ(find_strategy(plan, "vllm"), nullptr);
  EXPECT_NE(rejection(plan, "llama.cpp").find("ONNX graph"), std::string::npos);
}

// Every command any plan emits passes the documented flag rules of its engine.
TEST(Planner, EveryEmittedServerCommandUsesOnlyDocumentedFlags) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"strix-halo-laptop", "llama-3.2-1b"}, {"dgx-h100", "llama-3.1-8b"}, {"dgx-h100", "llama-3.1-405b"},
      {"mi300x-node", "mixtral-8x7b"},      {"cpu-only-server", "qwen3-8b"}, {"phoenix-laptop", "llama-3.2-3b"},
      {"lunar-lake-laptop", "llama-3.2-1b"}};
  int checked = 0;
  for (const auto& [machine, model] : cases) {
    for (PlanObjective objective : {PlanObjective::latency, PlanObjective::throughput, PlanObjective::power}) {
      PlanOptions options;
      options.objective = objective;
      const Plan plan = make_plan(catalog_model(model), recorded_machine(machine), options);
      for (const Strategy& strategy : plan.strategies)
        for (const EngineCommand& command : strategy.commands) {
          const std::string& program = command.argv.front();
          std::string stem;
          std::vector<std::string> arguments(command.argv.begin() + 1, command.argv.end());
          if (program == "vllm") {
            stem = "vllm";
            arguments.erase(arguments.begin());  // "serve"
          } else if (program == "trtllm-serve") {
            stem = "tensorrt-llm";
          } else if (program == "llama-server") {
            stem = "llama-cpp";
          } else {
            continue;
          }
          auto documentation = engines::load_engine_documentation(stem);
          ASSERT_TRUE(documentation.ok());
          EXPECT_TRUE(engines::check_documented_flags(*documentation, "serve", arguments).ok())
              << machine << " " << model << ": " << command.text();
          ++checked;
        }
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(Planner, BadOptionsAreErrors) {
  const Inventory machine = recorded_machine("cpu-only-server");
  PlanOptions options;
  options.port = 70000;
  EXPECT_FALSE(plan(catalog_model("llama-3.2-1b"), machine, options).ok());
  options = {};
  options.nodes = 0;
  EXPECT_FALSE(plan(catalog_model("llama-3.2-1b"), machine, options).ok());
  EXPECT_FALSE(parse_plan_objective("fastest").ok());
}

TEST(Planner, ModelThatFitsNowhereHasNoStrategiesAndSaysWhy) {
  const Plan plan = make_plan(catalog_model("megatron-1t"), recorded_machine("phoenix-laptop"));
  EXPECT_TRUE(plan.strategies.empty()) << plan.strategies.front().engine;
  EXPECT_NE(rejection(plan, "onnxruntime").find("needs"), std::string::npos) << rejection(plan, "onnxruntime");
  EXPECT_NE(rejection(plan, "llama.cpp").find("GGUF"), std::string::npos) << rejection(plan, "llama.cpp");
  EXPECT_FALSE(plan.notes.empty());
}

TEST(Planner, JsonCarriesTheContractKeys) {
  const Plan plan = make_plan(catalog_model("llama-3.2-3b"), recorded_machine("strix-halo-laptop"));
  const auto json = nlohmann::json::parse(to_json(plan));
  ASSERT_TRUE(json.contains("strategies") && json.contains("rejected"));
  const std::set<std::string> engines{"fastflowlm", "onnxruntime", "vllm", "tensorrt-llm", "llama.cpp", "layered-offload"};
  for (const auto& strategy : json["strategies"]) {
    for (const char* key : {"engine", "device", "precision", "command", "ready", "requires", "predicted", "reasons"})
      EXPECT_TRUE(strategy.contains(key)) << key;
    EXPECT_TRUE(engines.contains(strategy["engine"].get<std::string>()));
  }
  for (const auto& option : json["rejected"]) EXPECT_TRUE(engines.contains(option["engine"].get<std::string>()));
  EXPECT_EQ(json["strategies"][0]["command"], "flm serve llama3.2:3b --port 52625");
}

TEST(EngineCommand, TextQuotesWhatTheShellWouldSplit) {
  EngineCommand command{"server", {"llama-server", "-m", "/models/my model's.gguf"}, {{"HIP_VISIBLE_DEVICES", "0,1"}}, ""};
  EXPECT_EQ(command.text(), "HIP_VISIBLE_DEVICES=0,1 llama-server -m '/models/my model'\\''s.gguf'");
}

}  // namespace
}  // namespace ual
