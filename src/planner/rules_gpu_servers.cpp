// Data-center GPU servers: TensorRT-LLM and vLLM with the partition HopperSim ranks best, FP8 (Transformer Engine's
// recipe, FNUZ on MI300) where the GPU has FP8 tensor cores; and, when the model exceeds GPU memory, layer-wise
// offload with 8-bit (at most twice the memory) or 4-bit weights, as the seed's ModelOptimizer describes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engines/commands/documented_flags.hpp"
#include "engines/commands/server_commands.hpp"
#include "planner/memory_fit.hpp"
#include "planner/planner_rules.hpp"

namespace ual::planner {

namespace {

bool has_fp8_tensor_cores(const DeviceGroup& gpu) {
  // Ada (sm_89), Hopper (sm_90), Blackwell (sm_100, sm_120); CDNA3 (gfx942) and CDNA4 (gfx950).
  for (const char* arch : {"sm_89", "sm_90", "sm_90a", "sm_100", "sm_120", "gfx942", "gfx950"})
    if (gpu.arch == arch) return true;
  return false;
}
bool is_instinct(const DeviceGroup& gpu) {
  for (const char* arch : {"gfx908", "gfx90a", "gfx942", "gfx950"})
    if (gpu.arch == arch) return true;
  return false;
}
bool gpu_runtime_usable(const MachineView& machine, const DeviceGroup& gpu, std::string& why_not) {
  const char* name = gpu.vendor == "nvidia" ? "cuda" : "hip";
  const Runtime* runtime = machine.runtime(name);
  if (runtime != nullptr && runtime->usable) return true;
  why_not = gpu.vendor == "nvidia"
                ? fmt::format("the NVIDIA driver's libcuda.so.1 is not usable{}", runtime ? ": " + runtime->reason : "")
                : fmt::format("ROCm's HIP runtime is not usable{}", runtime ? ": " + runtime->reason : "");
  return false;
}

// The checkpoint an engine loads: the catalog's Hugging Face repo, a config.json's directory, or nothing (GGUF/ONNX).
std::string checkpoint_for(const ModelDescription& model) {
  if (model.format == ModelFormat::hugging_face_config) {
    const auto slash = model.path.find_last_of('/');
    return slash == std::string::npos ? "." : model.path.substr(0, slash);
  }
  if (model.shape && !model.shape->hugging_face_repo.empty()) return model.shape->hugging_face_repo;
  if (!model.catalog_id.empty())
    if (auto spec = sim::find_model(model.catalog_id); spec && !spec->hugging_face_repo.empty())
      return spec->hugging_face_repo;
  return "";
}

std::string tensorrt_fp8_checkpoint(const std::string& catalog_id) {
  auto documentation = engines::load_engine_documentation("tensorrt-llm");
  if (!documentation || catalog_id.empty()) return "";
  const auto file = nlohmann::json::parse(documentation->raw_json, nullptr, false);
  if (file.is_discarded() || !file.contains("fp8_checkpoints")) return "";
  return file["fp8_checkpoints"].value(catalog_id, std::string{});
}

struct GpuPlan {
  sim::Precision precision = sim::Precision::bf16;
  int tp = 1, pp = 1, instances = 1;
  PredictedPerformance predicted;
  std::vector<std::string> reasons;
};

// Nodes one model instance spans (more than one: the engine's distributed runtime launches it).
int nodes_per_instance(const GpuPlan& plan, const DeviceGroup& gpu) {
  return std::max(1, (plan.tp * plan.pp + gpu.count - 1) / gpu.count);
}

// The partition HopperSim ranks best on all GPUs of all nodes; nullopt (with the reason) when none fits.
std::optional<GpuPlan> best_partition(const PlanContext& context, const DeviceGroup& gpu, sim::Precision precision,
                                      std::string& why_not) {
  const int gpus = gpu.count * std::max(context.options.nodes, 1);
  GpuPlan plan;
  plan.precision = precision;
  if (gpu.catalog && context.model.shape) {
    sim::InferencePartitionOptions search;
    search.gpus = gpus;
    search.precision = precision;
    search.input_len = context.options.input_len;
    search.output_len = context.options.output_len;
    search.objective = context.options.objective == PlanObjective::latency ? sim::PartitionObjective::latency
                                                                            : sim::PartitionObjective::throughput;
    search.max_results = 1;
    auto result = sim::search_inference_partitions(*context.model.shape, *gpu.catalog, search);
    if (!result) {
      why_not = result.error().message;
      return std::nullopt;
    }
    if (result->ranked.empty()) {
      why_not = result->rejected.empty() ? "no partition fits" : result->rejected.front();
      return std::nullopt;
    }
    const sim::InferencePartition& best = result->ranked.front();
    plan.tp = best.tp;
    plan.pp = best.pp;
    plan.instances = best.instances;
    const sim::InferenceEstimate& estimate = best.estimate;
    plan.predicted.time_to_first_token_ms = estimate.ttft_ms;
    plan.predicted.tokens_per_second = context.options.objective == PlanObjective::latency && estimate.tpot_ms > 0
                                           ? 1000.0 / estimate.tpot_ms
                                           : estimate.throughput_tokens_per_s;
    plan.predicted.memory_bytes_per_device = estimate.memory_per_gpu.used_bytes();
    if (gpu.catalog->power_watts > 0) plan.predicted.power_watts = gpu.catalog->power_watts * gpus;
    plan.predicted.source = fmt::format("HopperSim ({} catalog entry, best of {} estimates, batch {})",
                                        gpu.catalog->id, result->evaluated, best.batch);
    plan.reasons.push_back(fmt::format("HopperSim ranks TP {} x PP {} x {} instance(s) best for {} on {} x {}", best.tp,
                                       best.pp, best.instances, to_string(context.options.objective), gpus,
                                       gpu.catalog->name));
    return plan;
  }
  // No simulator entry: the smallest power-of-two TP whose weight share fits one GPU.
  const double weights = weight_bytes_at(context.model, sim::bytes_per_element(precision) * 8);
  const double usable = static_cast<double>(gpu.memory_bytes) * usable_memory_fraction - runtime_overhead_bytes;
  for (int tp = 1; tp <= gpus; tp *= 2) {
    if (context.model.shape && context.model.shape->heads % tp != 0) break;
    if (weights / tp < usable * 0.8) {
      plan.tp = tp;
      plan.reasons.push_back(fmt::format("no HopperSim entry for {}: TP {} is the smallest split whose weights "
                                         "({} per GPU) leave a fifth of memory for the KV cache",
                                         gpu.name, tp, format_gigabytes(weights / tp)));
      return plan;
    }
  }
  why_not = fmt::format("needs {} at {}, {} available on {} GPU(s)", format_gigabytes(weights),
                        sim::to_string(precision), format_gigabytes(usable * gpus), gpus);
  return std::nullopt;
}

void finish_readiness(const PlanContext& context, Strategy& strategy, const DeviceGroup& gpu,
                      const std::string& program) {
  if (auto location = find_program(context.machine, program); !location.found)
    strategy.requirements.push_back(install_hint(program));
  std::string why_not;
  if (!gpu_runtime_usable(context.machine, gpu, why_not)) strategy.requirements.push_back(why_not);
  for (const std::string& problem : gpu.problems) strategy.requirements.push_back(problem);
  if (context.options.nodes > 1)
    strategy.requirements.push_back(fmt::format("{} more node(s) like this one, reachable from node 0", context.options.nodes - 1));
  strategy.ready = strategy.requirements.empty();
}

Strategy base_strategy(std::string_view engine, const DeviceGroup& gpu, const GpuPlan& plan, const PlanContext& context) {
  Strategy strategy;
  strategy.engine = std::string(engine);
  strategy.device = gpu.label() + (context.options.nodes > 1 ? fmt::format(" x {} nodes", context.options.nodes) : "");
  strategy.device_kind = "gpu";
  strategy.partition.tensor_parallel = plan.tp;
  strategy.partition.pipeline_parallel = plan.pp;
  strategy.partition.instances = plan.instances;
  strategy.partition.nodes = std::max(1, (plan.tp * plan.pp * plan.instances + gpu.count - 1) / gpu.count);
  if (strategy.partition.nodes > 1 && nodes_per_instance(plan, gpu) == 1)
    strategy.reasons.push_back(fmt::format("each instance fits one node: run the same command on each of the {} nodes",
                                           strategy.partition.nodes));
  strategy.partition.total_layers = context.model.shape ? context.model.shape->layers : 0;
  strategy.predicted = plan.predicted;
  strategy.reasons = plan.reasons;
  return strategy;
}

void add_tensorrt_llm(PlanContext& context, const DeviceGroup& gpu, const GpuPlan& plan, const std::string& checkpoint) {
  const bool fp8 = plan.precision == sim::Precision::fp8;
  Strategy strategy = base_strategy(engine_tensorrt_llm, gpu, plan, context);
  strategy.precision = fp8 ? "fp8 (ModelOpt checkpoint, Transformer Engine's per-tensor delayed-scaling recipe), fp8 KV cache" : "bf16";
  std::string model = checkpoint;
  if (fp8) {
    const std::string fp8_checkpoint = tensorrt_fp8_checkpoint(context.model.catalog_id);
    if (!fp8_checkpoint.empty()) {
      model = fp8_checkpoint;
      strategy.reasons.push_back(fmt::format("FP8 weights come from NVIDIA's ModelOpt checkpoint {} (TensorRT-LLM "
                                             "has no FP8 flag)", fp8_checkpoint));
    } else {
      strategy.requirements.push_back(fmt::format("an FP8 checkpoint of {} quantized with NVIDIA TensorRT Model Optimizer "
                                              "(ModelOpt); pass its directory instead of {}", context.model.id, checkpoint));
    }
  }
  engines::TensorRtLlmServeOptions options;
  options.model = model;
  options.tensor_parallel = plan.tp;
  options.pipeline_parallel = plan.pp;
  options.max_seq_len = static_cast<int>(planned_context(context.model, context.options.context_length));
  options.kv_cache_free_gpu_memory_fraction = 0.9;
  options.fp8_kv_cache = fp8;
  options.host = context.options.host;
  options.port = context.port_or(8000);
  options.nodes = nodes_per_instance(plan, gpu);
  options.gpus_per_node = gpu.count;
  auto commands = engines::build_tensorrt_llm_commands(options);
  if (!commands) {
    context.reject(engine_tensorrt_llm, gpu.label(), commands.error().message);
    return;
  }
  strategy.commands = std::move(*commands);
  strategy.endpoint = endpoint_url(context.options, options.port);
  strategy.readiness_path = "/health";
  if (plan.instances > 1)
    strategy.reasons.push_back(fmt::format("run {} copies of this server on disjoint GPUs (CUDA_VISIBLE_DEVICES) "
                                           "behind a load balancer for the predicted throughput", plan.instances));
  strategy.reasons.push_back("TensorRT-LLM's in-flight batching and FP8 kernels give the highest published H100 "
                             "serving figures (data/validation)");
  finish_readiness(context, strategy, gpu, "trtllm-serve");
  context.strategies.push_back(std::move(strategy));
}

void add_vllm(PlanContext& context, const DeviceGroup& gpu, const GpuPlan& plan, const std::string& checkpoint) {
  const bool fp8 = plan.precision == sim::Precision::fp8;
  Strategy strategy = base_strategy(engine_vllm, gpu, plan, context);
  strategy.precision = !fp8                  ? "bf16"
                       : gpu.vendor == "amd" ? "fp8 (e4m3fnuz, MI300's FNUZ variant), fp8 KV cache"
                                             : "fp8 (dynamic per-tensor scaling, e4m3), fp8 KV cache";
  engines::VllmServeOptions options;
  options.model = checkpoint;
  options.tensor_parallel = plan.tp;
  options.pipeline_parallel = plan.pp;
  // Instances inside one node are vLLM's data parallelism; instances on other nodes run the same command there.
  options.data_parallel = nodes_per_instance(plan, gpu) == 1 ? std::max(1, plan.instances / strategy.partition.nodes) : 1;
  if (fp8) {
    options.quantization = "fp8";
    options.kv_cache_dtype = "fp8";
  }
  options.max_model_len = static_cast<int>(planned_context(context.model, context.options.context_length));
  options.host = context.options.host;
  options.port = context.port_or(8000);
  options.nodes = nodes_per_instance(plan, gpu);
  options.gpus_per_node = gpu.count;
  options.head_address = context.options.head_node_address.empty() ? context.options.host : context.options.head_node_address;
  auto commands = engines::build_vllm_commands(options);
  if (!commands) {
    context.reject(engine_vllm, gpu.label(), commands.error().message);
    return;
  }
  strategy.commands = std::move(*commands);
  strategy.endpoint = endpoint_url(context.options, options.port);
  strategy.readiness_path = "/health";
  if (gpu.vendor == "amd")
    strategy.reasons.push_back("vLLM is the serving engine AMD supports on Instinct GPUs (ROCm); FP8 on MI300 uses "
                               "the FNUZ formats, which vLLM's ROCm build picks for --quantization fp8");
  else
    strategy.reasons.push_back("vLLM: continuous batching, paged KV cache, on-the-fly FP8 quantization of a BF16 "
                               "checkpoint (no separate quantization step)");
  finish_readiness(context, strategy, gpu, "vllm");
  context.strategies.push_back(std::move(strategy));
}

// The model does not fit the GPUs at its precision: stream weights from host memory layer by layer (vLLM's
// --cpu-offload-gb), with 8-bit weights when the 16-bit model is at most twice the GPU memory, else 4-bit.
void add_layered_offload(PlanContext& context, const DeviceGroup& gpu, const std::string& checkpoint) {
  const int gpus = gpu.count;
  const double usable = (static_cast<double>(gpu.memory_bytes) * usable_memory_fraction - runtime_overhead_bytes) * gpus;
  const double weights16 = weight_bytes_at(context.model, 16);
  const bool eight_bit = weights16 <= 2 * usable;
  const double weights = weight_bytes_at(context.model, eight_bit ? 8 : 4);
  const double kv = kv_cache_bytes(context.model, planned_context(context.model, context.options.context_length), 2);
  const double resident_budget = usable * 0.85 - kv;  // leave the KV cache of one full context on the GPUs
  const double offload_total = std::max(0.0, weights - resident_budget);
  if (weights > static_cast<double>(context.machine.system_memory_bytes) * 0.8 + resident_budget) {
    context.reject(engine_layered_offload, gpu.label(),
                   fmt::format("even at {}-bit the weights ({}) exceed GPU plus host memory ({} + {})",
                               eight_bit ? 8 : 4, format_gigabytes(weights), format_gigabytes(usable),
                               format_gigabytes(static_cast<double>(context.machine.system_memory_bytes))));
    return;
  }
  Strategy strategy;
  strategy.engine = std::string(engine_layered_offload);
  strategy.device = gpu.label() + " + host memory";
  strategy.device_kind = "gpu";
  strategy.precision = eight_bit ? "8-bit weights (fp8)" : "4-bit weights (bitsandbytes nf4)";
  strategy.partition.tensor_parallel = gpus;
  strategy.partition.total_layers = context.model.shape ? context.model.shape->layers : 0;
  if (context.model.shape && weights > 0)
    strategy.partition.gpu_layers = static_cast<int>(std::floor(context.model.shape->layers * std::min(1.0, resident_budget / weights)));
  engines::VllmServeOptions options;
  options.model = checkpoint;
  options.tensor_parallel = gpus;
  options.quantization = eight_bit ? "fp8" : "bitsandbytes";
  options.max_model_len = static_cast<int>(planned_context(context.model, context.options.context_length));
  options.cpu_offload_gb = std::ceil(offload_total / gpus / gib);
  options.host = context.options.host;
  options.port = context.port_or(8000);
  auto commands = engines::build_vllm_commands(options);
  if (!commands) {
    context.reject(engine_layered_offload, gpu.label(), commands.error().message);
    return;
  }
  strategy.commands = std::move(*commands);
  strategy.endpoint = endpoint_url(context.options, options.port);
  strategy.readiness_path = "/health";
  strategy.reasons.push_back(fmt::format("{} at 16-bit is {} for {} usable on {} GPU(s): {}", context.model.id,
                                         format_gigabytes(weights16), format_gigabytes(usable), gpus,
                                         eight_bit ? "at most twice the memory, so 8-bit weights"
                                                   : "more than twice the memory, so 4-bit weights"));
  if (offload_total > 0)
    strategy.reasons.push_back(fmt::format("{} of weights per GPU stay in host memory and stream in layer by layer "
                                           "(--cpu-offload-gb); every token pays that transfer over {}",
                                           format_gigabytes(offload_total / gpus),
                                           gpu.catalog ? gpu.catalog->host_link.name : "PCIe"));
  finish_readiness(context, strategy, gpu, "vllm");
  context.strategies.push_back(std::move(strategy));
}

}  // namespace

void add_gpu_server_strategies(PlanContext& context) {
  if (context.machine.gpus.empty()) {
    context.reject(engine_vllm, "", "vLLM serves on discrete GPUs; this machine has none");
    context.reject(engine_tensorrt_llm, "", "TensorRT-LLM serves on NVIDIA GPUs; this machine has none");
    return;
  }
  const ModelDescription& model = context.model;
  for (const DeviceGroup& gpu : context.machine.gpus) {
    const std::string device = gpu.label();
    const bool nvidia = gpu.vendor == "nvidia";
    if (!nvidia) context.reject(engine_tensorrt_llm, device, fmt::format("TensorRT-LLM runs on NVIDIA GPUs; {} is {}", gpu.name, gpu.vendor));
    if (!nvidia && !(gpu.vendor == "amd" && is_instinct(gpu))) {
      context.reject(engine_vllm, device, fmt::format("vLLM supports NVIDIA GPUs and AMD Instinct GPUs; {} ({}) is neither "
                                                      "(llama.cpp or ONNX Runtime MIGraphX serve it)", gpu.name, gpu.arch));
      continue;
    }
    if (!model.shape) {
      context.reject(engine_vllm, device, fmt::format("vLLM serves transformer checkpoints; {} is {} without a known "
                                                      "transformer shape", model.id, to_string(model.format)));
      if (nvidia) context.reject(engine_tensorrt_llm, device, "TensorRT-LLM serves transformer checkpoints; this model has no known transformer shape");
      continue;
    }
    const std::string checkpoint = checkpoint_for(model);
    if (checkpoint.empty()) {
      const std::string reason = fmt::format("needs the model's Hugging Face checkpoint; {} is a {} file{}", model.id,
                                             to_string(model.format), model.catalog_id.empty() ? "" : " and its catalog entry names no repository");
      context.reject(engine_vllm, device, reason);
      if (nvidia) context.reject(engine_tensorrt_llm, device, reason);
      continue;
    }
    const sim::Precision precision = has_fp8_tensor_cores(gpu) ? sim::Precision::fp8 : sim::Precision::bf16;
    std::string why_not;
    auto plan = best_partition(context, gpu, precision, why_not);
    if (!plan) {
      const std::string reason = fmt::format("does not fit {} x {}: {}", gpu.count * std::max(1, context.options.nodes), gpu.name, why_not);
      context.reject(engine_vllm, device, reason);
      if (nvidia) context.reject(engine_tensorrt_llm, device, reason);
      add_layered_offload(context, gpu, checkpoint);
      continue;
    }
    if (precision == sim::Precision::fp8)
      plan->reasons.push_back(fmt::format("{} ({}) has FP8 tensor cores: FP8 weights and KV cache halve memory "
                                          "traffic against BF16", gpu.name, gpu.arch));
    else
      plan->reasons.push_back(fmt::format("{} ({}) has no FP8 tensor cores: BF16", gpu.name, gpu.arch));
    if (nvidia) add_tensorrt_llm(context, gpu, *plan, checkpoint);
    add_vllm(context, gpu, *plan, checkpoint);
  }
}

}  // namespace ual::planner
