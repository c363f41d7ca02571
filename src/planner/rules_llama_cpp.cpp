// llama.cpp's llama-server on CPUs, GPUs (CUDA, ROCm/HIP, Vulkan) and Radeon iGPUs, with partial offload (-ngl) when
// the model does not fit the GPU. It runs GGUF files: the user's, or a published GGUF of a catalog model (-hf).
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "engines/commands/documented_flags.hpp"
#include "engines/commands/server_commands.hpp"
#include "planner/memory_fit.hpp"
#include "planner/planner_rules.hpp"

namespace ual::planner {

namespace {

struct GgufSource {
  std::string model_path;    // -m
  std::string hugging_face;  // -hf repo:QUANT
  std::string quantization;  // q4_k_m, q8_0, or the file's type
  double weight_bytes = 0;
};

nlohmann::json llama_cpp_data() {
  auto documentation = engines::load_engine_documentation("llama-cpp");
  if (!documentation) return nlohmann::json::object();
  return nlohmann::json::parse(documentation->raw_json, nullptr, false);
}

// The GGUF llama-server would load: the user's file, else the catalog model's published GGUF at the largest
// quantization (q8_0, then q4_k_m) that fits `budget_bytes`.
std::optional<GgufSource> gguf_source(const ModelDescription& model, double budget_bytes, std::string& why_not) {
  if (model.format == ModelFormat::gguf) {
    return GgufSource{model.path, "", model.weight_type.empty() ? "as stored" : model.weight_type,
                      static_cast<double>(model.weight_bytes)};
  }
  const nlohmann::json data = llama_cpp_data();
  const std::string id = model.catalog_id.empty() ? model.id : model.catalog_id;
  const std::string repository = data.value("gguf_repositories", nlohmann::json::object()).value(id, std::string{});
  if (repository.empty() || !model.shape) {
    why_not = model.format == ModelFormat::onnx
                  ? "llama.cpp runs GGUF files; this is an ONNX graph"
                  : fmt::format("llama.cpp runs GGUF files and no published GGUF of {} is known: convert it with "
                                "llama.cpp's convert_hf_to_gguf.py and plan again with the .gguf file", model.id);
    return std::nullopt;
  }
  const auto& quantizations = data["quantizations"];
  for (const char* quantization : {"q8_0", "q4_k_m"}) {
    const double bits = quantizations[quantization].value("bits_per_weight", 16.0);
    const double bytes = weight_bytes_at(model, bits);
    if (bytes <= budget_bytes || std::string(quantization) == "q4_k_m") {
      std::string upper = quantization;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      return GgufSource{"", fmt::format("{}:{}", repository, upper), quantization, bytes};
    }
  }
  return std::nullopt;
}

void add_llama_server(PlanContext& context, const DeviceGroup& device, std::string device_kind, const GgufSource& source,
                      int gpu_layers, std::vector<std::string> reasons, std::vector<std::string> missing) {
  Strategy strategy;
  strategy.engine = std::string(engine_llama_cpp);
  strategy.device = device_kind == "gpu+cpu" ? device.label() + " + cpu" : device.label();
  strategy.device_kind = device_kind;
  strategy.precision = source.quantization;
  strategy.partition.total_layers = context.model.shape ? context.model.shape->layers : 0;
  strategy.partition.gpu_layers = device_kind == "cpu" ? 0 : gpu_layers;
  engines::LlamaCppServeOptions options;
  options.model_path = source.model_path;
  options.hugging_face = source.hugging_face;
  options.gpu_layers = device_kind == "cpu" ? 0 : (gpu_layers >= strategy.partition.total_layers ? 999 : gpu_layers);
  options.context_size = static_cast<int>(planned_context(context.model, context.options.context_length));
  options.threads = static_cast<int>(context.machine.physical_cores);
  options.host = context.options.host;
  options.port = context.port_or(8080);
  auto commands = engines::build_llama_cpp_commands(options);
  if (!commands) {
    context.reject(engine_llama_cpp, device.label(), commands.error().message);
    return;
  }
  strategy.commands = std::move(*commands);
  strategy.endpoint = endpoint_url(context.options, options.port);
  strategy.readiness_path = "/health";
  // llama.cpp splits the layers over all GPUs of the group (its default --split-mode layer).
  const double devices = device_kind == "cpu" ? 1.0 : static_cast<double>(std::max(device.count, 1));
  strategy.predicted.memory_bytes_per_device =
      (source.weight_bytes + kv_cache_bytes(context.model, static_cast<std::uint64_t>(options.context_size), 2)) / devices;
  strategy.reasons = std::move(reasons);
  strategy.requirements = std::move(missing);
  if (!find_program(context.machine, "llama-server").found) strategy.requirements.push_back(install_hint("llama-server"));
  for (const std::string& problem : device.problems) strategy.requirements.push_back(problem);
  strategy.ready = strategy.requirements.empty();
  context.strategies.push_back(std::move(strategy));
}

// Which llama.cpp build drives a GPU, and whether its runtime is here.
std::string gpu_build(const PlanContext& context, const DeviceGroup& gpu, std::vector<std::string>& missing) {
  if (gpu.vendor == "nvidia") {
    const Runtime* cuda = context.machine.runtime("cuda");
    if (!cuda || !cuda->usable) missing.push_back("the NVIDIA driver (libcuda.so.1) for llama.cpp's CUDA build");
    return "CUDA";
  }
  if (gpu.vendor == "amd") {
    const Runtime* hip = context.machine.runtime("hip");
    if (hip && hip->usable) return "ROCm/HIP";
    return "Vulkan";
  }
  return "Vulkan";
}

}  // namespace

void add_llama_cpp_strategies(PlanContext& context) {
  const ModelDescription& model = context.model;
  const std::uint64_t context_tokens = planned_context(model, context.options.context_length);
  const double kv = kv_cache_bytes(model, context_tokens, 2);

  // GPUs (discrete first, then integrated): whole model on the GPU, else partial offload.
  std::vector<const DeviceGroup*> gpus;
  for (const DeviceGroup& gpu : context.machine.gpus) gpus.push_back(&gpu);
  for (const DeviceGroup& gpu : context.machine.igpus) gpus.push_back(&gpu);
  for (const DeviceGroup* gpu : gpus) {
    const bool integrated = gpu->kind == DeviceKind::igpu;
    const double usable = static_cast<double>(gpu->memory_bytes) * gpu->count * usable_memory_fraction;
    std::string why_not;
    auto source = gguf_source(model, usable - kv - runtime_overhead_bytes, why_not);
    if (!source) {
      context.reject(engine_llama_cpp, gpu->label(), why_not);
      continue;
    }
    std::vector<std::string> missing;
    const std::string build = gpu_build(context, *gpu, missing);
    std::vector<std::string> reasons{fmt::format("llama.cpp's {} build runs {} on {}", build, source->quantization, gpu->name)};
    if (build == "Vulkan" && gpu->vendor == "amd")
      reasons.push_back("no usable ROCm here: the Vulkan build needs only Mesa's RADV driver (the ROCm/HIP build is "
                        "faster where ROCm supports the GPU)");
    if (source->weight_bytes + kv + runtime_overhead_bytes <= usable) {
      reasons.push_back(fmt::format("{} of weights and {} of KV cache ({} tokens) fit {} usable", format_gigabytes(source->weight_bytes),
                                    format_gigabytes(kv), context_tokens, format_gigabytes(usable)));
      add_llama_server(context, *gpu, integrated ? "igpu" : "gpu", *source, model.shape ? model.shape->layers : 999,
                       std::move(reasons), std::move(missing));
      continue;
    }
    const int layers = layers_that_fit(model, source->weight_bytes, usable, context_tokens, 2);
    if (layers == 0 || integrated) {
      context.reject(engine_llama_cpp, gpu->label(),
                     fmt::format("needs {} at {}, {} available", format_gigabytes(source->weight_bytes + kv),
                                 source->quantization, format_gigabytes(usable)));
      continue;
    }
    reasons.push_back(fmt::format("partial offload: {} of {} layers fit {} on the GPU (-ngl {}); the rest run on the "
                                  "CPU from host memory", layers, model.shape->layers, format_gigabytes(usable), layers));
    add_llama_server(context, *gpu, "gpu+cpu", *source, layers, std::move(reasons), std::move(missing));
  }

  // The CPU: always possible when the model fits system memory.
  const double system = static_cast<double>(context.machine.system_memory_bytes) * 0.8;
  std::string why_not;
  auto source = gguf_source(model, system - kv - runtime_overhead_bytes, why_not);
  if (!source) {
    context.reject(engine_llama_cpp, "cpu", why_not);
    return;
  }
  if (source->weight_bytes + kv + runtime_overhead_bytes > system) {
    context.reject(engine_llama_cpp, "cpu", fmt::format("needs {} at {}, {} of system memory usable",
                                                        format_gigabytes(source->weight_bytes + kv), source->quantization,
                                                        format_gigabytes(system)));
    return;
  }
  std::vector<std::string> reasons{fmt::format("llama.cpp on {} cores of {} with {} weights ({})",
                                               context.machine.physical_cores, context.machine.cpu.name,
                                               source->quantization, format_gigabytes(source->weight_bytes))};
  const std::size_t before = context.strategies.size();
  add_llama_server(context, context.machine.cpu, "cpu", *source, 0, std::move(reasons), {});
  if (context.strategies.size() > before && context.machine.cpu.catalog) {
    Strategy& strategy = context.strategies.back();
    const sim::Precision precision = source->quantization == "q8_0" ? sim::Precision::int8 : sim::Precision::int4;
    if (auto prediction = predict_single_device(model, context.machine.cpu, precision, context.options, system)) {
      if (prediction->predicted.tokens_per_second) {
        strategy.predicted.time_to_first_token_ms = prediction->predicted.time_to_first_token_ms;
        strategy.predicted.tokens_per_second = prediction->predicted.tokens_per_second;
        strategy.predicted.power_watts = prediction->predicted.power_watts;
        strategy.predicted.source = prediction->predicted.source;
      }
      if (!prediction->note.empty()) strategy.reasons.push_back(prediction->note);
    }
  }
}

}  // namespace ual::planner
