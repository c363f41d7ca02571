#include "sim/inference_setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ual::sim {
namespace {

constexpr double gib = 1024.0 * 1024 * 1024;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

Status check_partition(const ModelSpec& model, const HardwareSpec& hardware, const InferenceOptions& options) {
  if (options.gpus <= 0 || options.tp <= 0 || options.pp <= 0)
    return invalid(fmt::format("--gpus ({}), --tp ({}) and --pp ({}) must be positive", options.gpus, options.tp,
                               options.pp));
  if (options.gpus % (options.tp * options.pp) != 0)
    return invalid(fmt::format("{} GPUs cannot be split into instances of TP {} x PP {} = {} GPUs", options.gpus,
                               options.tp, options.pp, options.tp * options.pp));
  if (model.heads % options.tp != 0)
    return invalid(fmt::format("TP {} does not divide {}'s {} attention heads", options.tp, model.id, model.heads));
  if (options.tp > model.kv_heads ? options.tp % model.kv_heads != 0 : model.kv_heads % options.tp != 0)
    return invalid(fmt::format("TP {} and {}'s {} KV heads: one must divide the other", options.tp, model.id,
                               model.kv_heads));
  if (model.ffn % options.tp != 0)
    return invalid(fmt::format("TP {} does not divide {}'s MLP width {}", options.tp, model.id, model.ffn));
  if (options.pp > model.layers)
    return invalid(fmt::format("PP {} exceeds {}'s {} layers", options.pp, model.id, model.layers));
  if (hardware.kind != "gpu" && options.tp * options.pp > 1)
    return invalid(fmt::format("{} is a {}: tensor and pipeline parallelism need GPUs", hardware.id, hardware.kind));
  if (options.input_len <= 0 || options.output_len <= 0)
    return invalid(fmt::format("--input-len ({}) and --output-len ({}) must be positive", options.input_len,
                               options.output_len));
  if (options.input_len > 10'000'000 || options.output_len > 10'000'000)
    return invalid("--input-len and --output-len must be at most 10,000,000 tokens");
  return ok_status();
}

}  // namespace

Result<InferenceFormats> inference_formats(const DeviceCosts& device, Precision weights,
                                           std::optional<Precision> kv_cache) {
  const HardwareSpec& hardware = device.hardware();
  InferenceFormats formats;
  formats.weights = weights;
  switch (weights) {
    case Precision::fp8:
    case Precision::int8:
      if (!device.has_peak(weights))
        return make_error(ErrorCode::invalid_argument,
                          fmt::format("{} ({}) has no {} tensor math; use bf16, fp16 or int4 weights", hardware.id,
                                      hardware.arch, to_string(weights)));
      formats.compute = weights;
      break;
    case Precision::int4:  // weight-only (AWQ/GPTQ): dequantized to 16 bits in the GEMM
      formats.compute = device.has_peak(Precision::fp16) ? Precision::fp16 : Precision::bf16;
      break;
    default: formats.compute = weights;
  }
  formats.activation_bytes = weights == Precision::fp32 || weights == Precision::tf32 ? 4 : 2;
  formats.head_bytes = formats.activation_bytes;
  formats.kv_cache = kv_cache.value_or(weights == Precision::fp8 ? Precision::fp8
                                       : formats.activation_bytes == 4 ? Precision::fp32
                                                                       : Precision::bf16);
  if (formats.kv_cache == Precision::int4 || formats.kv_cache == Precision::tf32)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("a {} KV cache is not supported (use fp8, int8, bf16 or fp16)",
                                  to_string(formats.kv_cache)));
  return formats;
}

Result<InferenceSetup> prepare_inference(const ModelSpec& model, const DeviceCosts& device,
                                         const InferenceOptions& options) {
  const HardwareSpec& hardware = device.hardware();
  const ModelingConstants& constants = device.constants();
  if (auto valid = check_partition(model, hardware, options); !valid) return valid.error();
  auto formats = inference_formats(device, options.precision, options.kv_cache);
  if (!formats) return formats.error();

  InferenceSetup setup;
  setup.formats = *formats;
  setup.instances = options.gpus / (options.tp * options.pp);
  setup.max_num_tokens = options.max_num_tokens > 0 ? options.max_num_tokens : constants.default_max_num_tokens;
  const int tp = options.tp, pp = options.pp;

  // Weights of the fullest stage: the first holds the embedding, the last the LM head.
  const double per_layer = (static_cast<double>(model.parameters()) - model.embedding_parameters() - model.hidden) /
                           model.layers;
  const double embedding = static_cast<double>(model.vocab) * model.hidden;
  const double head_copies_first = 1, head_copies_last = model.tied_embeddings && pp == 1 ? 0 : 1;
  double weights = 0;
  for (int stage : {0, pp - 1}) {
    double bytes = per_layer * layers_on_stage(model.layers, pp, stage) / tp * bytes_per_element(formats->weights);
    if (stage == 0) bytes += head_copies_first * embedding / tp * formats->head_bytes;
    if (stage == pp - 1) bytes += head_copies_last * embedding / tp * formats->head_bytes;
    weights = std::max(weights, bytes);
  }
  // Workspace of one step at the token budget: QKV, the MLP's up projection and a few hidden-size buffers, plus
  // fp32 logits for every sequence the engine may hold.
  const double q_kv = (static_cast<double>(model.heads) + 2 * kv_heads_per_device(model, tp) * tp) *
                      model.head_dim / tp;
  const double up = (model.gated_mlp ? 2.0 : 1.0) * model.ffn / tp * std::max(1, model.experts_per_token);
  const int engine_max_batch = options.max_batch > 0 ? options.max_batch : constants.default_max_batch;
  const double activations = setup.max_num_tokens * formats->activation_bytes * (4.0 * model.hidden + q_kv + up) +
                             std::min(engine_max_batch, setup.max_num_tokens) *
                                 (static_cast<double>(model.vocab) / tp) * 4;

  DeviceMemory& memory = setup.memory;
  memory.capacity_bytes = options.device_memory_bytes > 0   ? options.device_memory_bytes
                          : hardware.memory_bytes > 0        ? static_cast<double>(hardware.memory_bytes)
                                                             : constants.shared_memory_bytes;
  if (options.device_memory_bytes < 0 || !std::isfinite(options.device_memory_bytes))
    return make_error(ErrorCode::invalid_argument, "--device-memory-gb must be positive");
  memory.weights_bytes = weights;
  memory.activation_bytes = activations;
  memory.reserved_bytes = hardware.kind == "gpu" ? constants.runtime_reserved_bytes : 0;
  const double kv_fraction = options.kv_cache_memory_fraction > 0 ? options.kv_cache_memory_fraction
                                                                   : constants.kv_cache_memory_fraction;
  if (options.kv_cache_memory_fraction < 0 || kv_fraction > 1)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("--kv-cache-fraction must be in (0, 1] (got {})", options.kv_cache_memory_fraction));
  const double free_bytes = memory.capacity_bytes - weights - activations - memory.reserved_bytes;
  const int layers_fullest = layers_on_stage(model.layers, pp, 0);
  const double kv_per_token = 2.0 * layers_fullest * kv_heads_per_device(model, tp) * model.head_dim *
                              bytes_per_element(formats->kv_cache);
  const double context = static_cast<double>(options.input_len) + options.output_len;
  const double blocks = std::ceil(context / constants.kv_block_tokens);
  setup.kv_bytes_per_sequence = blocks * constants.kv_block_tokens * kv_per_token;
  if (free_bytes <= 0 || free_bytes * kv_fraction < setup.kv_bytes_per_sequence) {
    const double needed = weights + activations + memory.reserved_bytes +
                          setup.kv_bytes_per_sequence / kv_fraction;
    return make_error(
        ErrorCode::invalid_argument,
        fmt::format("{} at {} does not fit on {} with TP {} x PP {}: a GPU needs {:.1f} GiB (weights {:.1f}, "
                    "activations {:.1f}, runtime {:.1f}, KV cache of one {}-token sequence {:.2f}) but has "
                    "{:.1f} GiB, {:.1f} GiB short",
                    model.id, to_string(formats->weights), hardware.id, tp, pp, needed / gib, weights / gib,
                    activations / gib, memory.reserved_bytes / gib, static_cast<long long>(context),
                    setup.kv_bytes_per_sequence / gib, memory.capacity_bytes / gib,
                    (needed - memory.capacity_bytes) / gib));
  }
  memory.kv_cache_bytes = free_bytes * kv_fraction;
  const double fits = std::floor(memory.kv_cache_bytes / setup.kv_bytes_per_sequence);
  setup.max_batch_that_fits = static_cast<int>(std::min(fits, 1e9));
  setup.max_batch = std::min(setup.max_batch_that_fits, engine_max_batch);
  return setup;
}

}  // namespace ual::sim
