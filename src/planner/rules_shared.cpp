#include <fmt/format.h>

#include "planner/memory_fit.hpp"
#include "planner/planner_rules.hpp"

namespace ual::planner {

std::string endpoint_url(const PlanOptions& options, int port) {
  const std::string host = options.host.empty() ? "127.0.0.1" : options.host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("http://[{}]:{}", host, port) : fmt::format("http://{}:{}", host, port);
}

std::string install_hint(std::string_view program) {
  if (program == "flm")
    return "install FastFlowLM (https://github.com/FastFlowLM/FastFlowLM/releases) so that `flm` is on PATH";
  if (program == "vllm") return "install vLLM (`pip install vllm`; ROCm builds: https://docs.vllm.ai) so that `vllm` is on PATH";
  if (program == "trtllm-serve")
    return "install TensorRT-LLM (`pip install tensorrt_llm`, or NVIDIA's tensorrt-llm container) so that "
           "`trtllm-serve` is on PATH";
  if (program == "llama-server")
    return "install llama.cpp's server (a release from https://github.com/ggml-org/llama.cpp/releases, or build "
           "it) so that `llama-server` is on PATH";
  return fmt::format("install `{}` on PATH", program);
}

std::optional<SinglePrediction> predict_single_device(const ModelDescription& model, const DeviceGroup& device,
                                                      sim::Precision precision, const PlanOptions& options,
                                                      double device_memory_bytes) {
  if (!model.shape || !device.catalog) return std::nullopt;
  sim::InferenceOptions inference;
  inference.precision = precision;
  inference.mode = sim::InferenceMode::batch;
  inference.batch = 1;
  inference.input_len = options.input_len;
  inference.output_len = options.output_len;
  if (device.memory_is_shared || device.catalog->memory_bytes == 0) inference.device_memory_bytes = device_memory_bytes;
  auto estimate = sim::estimate_inference(*model.shape, *device.catalog, inference);
  if (!estimate) return SinglePrediction{{}, fmt::format("no prediction: {}", estimate.error().message)};
  SinglePrediction prediction;
  prediction.predicted.time_to_first_token_ms = estimate->ttft_ms;
  if (estimate->tpot_ms > 0) prediction.predicted.tokens_per_second = 1000.0 / estimate->tpot_ms;
  // One sequence: weights, workspace and runtime plus the KV cache of its tokens (not the whole KV pool the
  // simulator sizes for batching).
  const sim::DeviceMemory& memory = estimate->memory_per_gpu;
  const double kv_bytes_per_element = precision == sim::Precision::fp8 ? 1.0 : 2.0;
  prediction.predicted.memory_bytes_per_device =
      memory.weights_bytes + memory.activation_bytes + memory.reserved_bytes +
      kv_cache_bytes(model, static_cast<std::uint64_t>(options.input_len + options.output_len), kv_bytes_per_element);
  if (device.catalog->power_watts > 0) prediction.predicted.power_watts = device.catalog->power_watts;
  prediction.predicted.source = fmt::format("HopperSim ({} catalog entry, batch 1, {} in / {} out tokens)",
                                            device.catalog->id, options.input_len, options.output_len);
  return prediction;
}

}  // namespace ual::planner
