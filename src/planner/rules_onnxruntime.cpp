// ONNX Runtime: ONNX graphs on the execution provider for each device (`ual run`), and the seed's fallback engine
// for LLMs on Ryzen AI NPUs FastFlowLM does not cover (VitisAIExecutionProvider), and on Intel NPUs (OpenVINO).
#include <fmt/format.h>

#include <algorithm>

#include "planner/memory_fit.hpp"
#include "planner/planner_rules.hpp"

namespace ual::planner {

namespace {

struct ProviderChoice {
  std::string provider;  // ONNX Runtime's name
  std::string policy;    // `ual run --policy`
  std::string why;
};

std::optional<ProviderChoice> provider_for(const DeviceGroup& device) {
  switch (device.kind) {
    case DeviceKind::npu:
      if (device.vendor == "amd") return ProviderChoice{"VitisAIExecutionProvider", "prefer_npu", "Ryzen AI's NPU provider"};
      if (device.vendor == "intel") return ProviderChoice{"OpenVINOExecutionProvider", "prefer_npu", "OpenVINO drives Intel NPUs"};
      if (device.vendor == "qualcomm") return ProviderChoice{"QNNExecutionProvider", "prefer_npu", "QNN drives Hexagon NPUs"};
      if (device.vendor == "apple") return ProviderChoice{"CoreMLExecutionProvider", "prefer_npu", "Core ML reaches the ANE"};
      return std::nullopt;
    case DeviceKind::gpu:
    case DeviceKind::igpu:
      if (device.vendor == "nvidia") return ProviderChoice{"CUDAExecutionProvider", "prefer_gpu", "CUDA"};
      if (device.vendor == "amd") return ProviderChoice{"MIGraphXExecutionProvider", "prefer_gpu", "AMD's MIGraphX"};
      if (device.vendor == "intel") return ProviderChoice{"OpenVINOExecutionProvider", "prefer_gpu", "OpenVINO drives Intel GPUs"};
      return std::nullopt;
    case DeviceKind::cpu:
      return ProviderChoice{"CPUExecutionProvider", "prefer_cpu", "ONNX Runtime's default provider"};
  }
  return std::nullopt;
}

std::string kind_name(DeviceKind kind) { return to_string(kind); }

}  // namespace

void add_onnxruntime_strategies(PlanContext& context) {
  const ModelDescription& model = context.model;
  const Runtime* runtime = context.machine.runtime("onnxruntime");
  const bool onnx_graph = model.format == ModelFormat::onnx;

  std::vector<const DeviceGroup*> devices;
  for (const auto* groups : {&context.machine.npus, &context.machine.gpus, &context.machine.igpus})
    for (const DeviceGroup& group : *groups) devices.push_back(&group);
  devices.push_back(&context.machine.cpu);

  for (const DeviceGroup* device : devices) {
    auto choice = provider_for(*device);
    if (!choice) {
      context.reject(engine_onnxruntime, device->label(), fmt::format("no ONNX Runtime execution provider drives {}", device->name));
      continue;
    }
    // LLMs as checkpoints go to ONNX Runtime only on NPUs (the seed's fallback when FastFlowLM cannot run them):
    // on GPUs and CPUs the serving engines above are the better route.
    if (!onnx_graph && device->kind != DeviceKind::npu) continue;
    Strategy strategy;
    strategy.engine = std::string(engine_onnxruntime);
    strategy.device = device->label();
    strategy.device_kind = kind_name(device->kind);
    strategy.reasons.push_back(fmt::format("{} on {}: {}", choice->provider, device->name, choice->why));
    std::string model_path = onnx_graph ? model.path : fmt::format("{}.onnx", model.id);
    if (onnx_graph) {
      strategy.precision = model.weight_type.empty() ? "as stored" : model.weight_type;
      const double bytes = static_cast<double>(model.weight_bytes + model.external_data_bytes);
      strategy.predicted.memory_bytes_per_device = bytes;
      if (bytes > static_cast<double>(device->memory_bytes) * usable_memory_fraction && device->memory_bytes > 0) {
        context.reject(engine_onnxruntime, device->label(),
                       fmt::format("needs {} for the initializers, {} available", format_gigabytes(bytes),
                                   format_gigabytes(static_cast<double>(device->memory_bytes))));
        continue;
      }
    } else {
      const double int4_bytes = weight_bytes_at(model, 4.5);  // AWQ int4 with group scales
      if (int4_bytes > static_cast<double>(device->memory_bytes) * usable_memory_fraction) {
        context.reject(engine_onnxruntime, device->label(),
                       fmt::format("needs {} at int4, {} available", format_gigabytes(int4_bytes),
                                   format_gigabytes(static_cast<double>(device->memory_bytes))));
        continue;
      }
      strategy.precision = device->vendor == "amd" ? "int4 weights (AWQ), bf16 activations (Ryzen AI hybrid build)" : "int8/int4 weights";
      strategy.requirements.push_back(fmt::format(
          "an ONNX export of {} built for {} (AMD publishes Ryzen AI builds of common LLMs on Hugging Face, "
          "collection amd/ryzen-ai; Intel's OpenVINO model hub for Intel NPUs); plan again with its .onnx file",
          model.id, choice->provider));
      strategy.reasons.push_back("the seed's fallback engine for NPUs that FastFlowLM does not serve");
    }
    std::vector<std::string> argv{"ual", "run", model_path};
    for (const ModelTensorInfo& input : model.inputs) {
      argv.push_back("--input");
      argv.push_back(fmt::format("{}={}.npy", input.name, input.name));
    }
    argv.push_back("--policy");
    argv.push_back(choice->policy);
    strategy.commands.push_back({"run", std::move(argv), {}, onnx_graph && !model.inputs.empty() ? "write each input as a .npy file first" : ""});

    if (runtime == nullptr || !runtime->usable) {
      strategy.requirements.push_back(fmt::format("ONNX Runtime (libonnxruntime.so.1){}",
                                                  runtime && !runtime->reason.empty() ? ": " + runtime->reason : ""));
    } else if (choice->provider != "CPUExecutionProvider" &&
               std::find(runtime->providers.begin(), runtime->providers.end(), choice->provider) == runtime->providers.end()) {
      strategy.requirements.push_back(fmt::format("an ONNX Runtime build with {} (this one has {})", choice->provider,
                                                  fmt::join(runtime->providers, ", ")));
    }
    for (const std::string& problem : device->problems) strategy.requirements.push_back(problem);
    strategy.ready = strategy.requirements.empty();
    context.strategies.push_back(std::move(strategy));
  }
  if (!onnx_graph && context.machine.npus.empty())
    context.reject(engine_onnxruntime, "", fmt::format("ONNX Runtime runs ONNX graphs; {} is a {} (vLLM, TensorRT-LLM or "
                                                       "llama.cpp serve it)", model.id, to_string(model.format)));
}

}  // namespace ual::planner
