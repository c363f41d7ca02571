// estimate_training: step time, MFU and memory of Megatron-style training (TP with optional sequence parallelism,
// 1F1B or interleaved pipeline, data parallel, activation recomputation), per Narayanan et al. 2021 and Korthikanti
// et al. 2022 (arXiv 2205.05198), priced with the same device cost model as inference.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "sim/device_costs.hpp"
#include "sim/transformer_step.hpp"
#include "ual/sim.hpp"

namespace ual::sim {
namespace {

constexpr double gib = 1024.0 * 1024 * 1024;

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

struct PassCost {
  double compute_s = 0, communication_s = 0;
  double total() const noexcept { return compute_s + communication_s; }
};

struct LayerCosts {
  PassCost forward, backward, recompute;
  double recompute_flops = 0;  // per layer per micro-batch, for HFU
};

// One transformer layer, one micro-batch, one TP rank.
LayerCosts layer_costs(const ModelSpec& model, const DeviceCosts& device, const TrainingOptions& options) {
  const int tp = options.tp;
  const double tokens = static_cast<double>(options.micro_batch) * options.seq_len;
  const Precision math = options.precision;
  const double act = 2;  // 16-bit activations and gradients
  const double q_width = static_cast<double>(model.heads) * model.head_dim / tp;
  const double kv_width = static_cast<double>(kv_heads_per_device(model, tp)) * model.head_dim;
  const double ffn = static_cast<double>(model.ffn) / tp;
  const double up_width = (model.gated_mlp ? 2 : 1) * ffn;

  struct Gemm { double m, n, k, groups; };
  std::vector<Gemm> gemms = {{tokens, q_width + 2 * kv_width, double(model.hidden), 1},
                             {tokens, double(model.hidden), q_width, 1}};
  if (model.experts > 0) {
    const double rows = tokens * model.experts_per_token / model.experts;
    gemms.push_back({rows, up_width, double(model.hidden), double(model.experts)});
    gemms.push_back({rows, double(model.hidden), ffn, double(model.experts)});
  } else {
    gemms.push_back({tokens, up_width, double(model.hidden), 1});
    gemms.push_back({tokens, double(model.hidden), ffn, 1});
  }
  LayerCosts costs;
  for (const Gemm& g : gemms) {
    costs.forward.compute_s += device.gemm_seconds({g.m, g.n, g.k, g.groups, act, act, act}, math);
    // Backward: the input gradient (m x k from m x n by n x k) and the weight gradient (k x n, reduced over m).
    costs.backward.compute_s += device.gemm_seconds({g.m, g.k, g.n, g.groups, act, act, act}, math) +
                                device.gemm_seconds({g.k, g.n, g.m, g.groups, act, act, 4}, math);
  }
  // Attention core: QK^T and PV over the whole sequence. Unfused kernels compute the full s x s scores and stream
  // them through softmax and dropout (about 13 bytes per score: write, softmax read/write, dropout read/write/mask,
  // read by PV); fused (flash) kernels skip the masked half and keep scores on chip.
  const double heads = static_cast<double>(model.heads) / tp;
  const double seq = options.seq_len;
  const bool flash = options.attention == AttentionKernel::flash;
  const double attention_flops = 4 * options.micro_batch * seq * seq * heads * model.head_dim * (flash ? 0.5 : 1);
  const double score_bytes = flash ? tokens * (q_width + 2 * kv_width) * act * 2
                                   : options.micro_batch * heads * seq * seq * 13.0;
  const Precision attention_math = math == Precision::fp8 ? Precision::bf16 : math;
  const double attention_forward = device.roofline_seconds(attention_flops, score_bytes, attention_math);
  const double attention_backward = device.roofline_seconds(2 * attention_flops, 2 * score_bytes, attention_math);
  costs.forward.compute_s += attention_forward;
  costs.backward.compute_s += attention_backward;
  // Elementwise: two layer norms, two bias+dropout+residual passes (split over TP with sequence parallelism) and
  // the MLP activation; the backward pass moves about twice the bytes.
  const double replicated = options.sequence_parallel ? 1.0 / tp : 1.0;
  const double activation_width = (model.gated_mlp ? 3 : 2) * ffn * std::max(1, model.experts_per_token);
  const double elementwise_bytes = tokens * act * (11.0 * model.hidden * replicated + activation_width);
  costs.forward.compute_s += device.memory_seconds(elementwise_bytes);
  costs.backward.compute_s += device.memory_seconds(2 * elementwise_bytes);
  const ModelingConstants& constants = device.constants();
  costs.forward.compute_s += constants.kernels_per_layer * constants.kernel_overhead_s;
  costs.backward.compute_s += 2 * constants.kernels_per_layer * constants.kernel_overhead_s;
  // TP: two all-reduces forward and two backward (all-gather + reduce-scatter pairs with sequence parallelism move
  // the same bytes).
  const double exchange = device.all_reduce_seconds(tokens * model.hidden * act, tp);
  costs.forward.communication_s = 2 * exchange;
  costs.backward.communication_s = 2 * exchange;
  switch (options.recompute) {
    case Recompute::none: break;
    case Recompute::selective:  // the attention core only
      costs.recompute.compute_s = attention_forward;
      costs.recompute_flops = attention_flops;
      break;
    case Recompute::full:  // the whole forward pass of the layer again
      costs.recompute = costs.forward;
      costs.recompute_flops = -1;  // filled by the caller: one forward pass
      break;
  }
  return costs;
}

// Model FLOPs per token of a forward pass as Megatron counts them (Narayanan et al. 2021): every weight once,
// attention over the full sequence (4 s h per layer), the LM head.
double forward_flops_per_token(const ModelSpec& model, int seq_len) {
  const double linear = static_cast<double>(model.active_parameters()) - model.embedding_parameters() -
                        model.hidden - 2.0 * model.hidden * model.layers;
  return 2 * linear + 4.0 * seq_len * model.heads * model.head_dim * model.layers +
         2.0 * model.hidden * model.vocab;
}

Status check_options(const ModelSpec& model, const HardwareSpec& hardware, const TrainingOptions& options) {
  if (options.gpus <= 0 || options.tp <= 0 || options.pp <= 0 || options.micro_batch <= 0 || options.seq_len <= 0 ||
      options.global_batch <= 0 || options.virtual_stages <= 0)
    return invalid(fmt::format("--gpus ({}), --tp ({}), --pp ({}), --global-batch ({}), --micro-batch ({}), "
                               "--seq-len ({}) and --virtual-stages ({}) must be positive",
                               options.gpus, options.tp, options.pp, options.global_batch, options.micro_batch,
                               options.seq_len, options.virtual_stages));
  if (options.gpus % (options.tp * options.pp) != 0)
    return invalid(fmt::format("{} GPUs are not a multiple of TP {} x PP {}", options.gpus, options.tp, options.pp));
  const int data_parallel = options.gpus / (options.tp * options.pp);
  if (options.global_batch % (options.micro_batch * data_parallel) != 0)
    return invalid(fmt::format("global batch {} is not a multiple of micro-batch {} x data-parallel {}",
                               options.global_batch, options.micro_batch, data_parallel));
  if (model.heads % options.tp != 0 || model.ffn % options.tp != 0)
    return invalid(fmt::format("TP {} does not divide {}'s {} heads and MLP width {}", options.tp, model.id,
                               model.heads, model.ffn));
  if (options.tp > model.kv_heads ? options.tp % model.kv_heads != 0 : model.kv_heads % options.tp != 0)
    return invalid(fmt::format("TP {} and {}'s {} KV heads: one must divide the other", options.tp, model.id,
                               model.kv_heads));
  if (options.pp * options.virtual_stages > model.layers)
    return invalid(fmt::format("PP {} x {} virtual stages exceeds {}'s {} layers", options.pp,
                               options.virtual_stages, model.id, model.layers));
  if (options.virtual_stages > 1 && options.pp == 1)
    return invalid("--virtual-stages > 1 needs pipeline parallelism (--pp > 1)");
  if (options.virtual_stages > 1 && (options.global_batch / (options.micro_batch * data_parallel)) % options.pp != 0)
    return invalid("the interleaved schedule needs the micro-batches per pipeline to be a multiple of PP");
  if (options.sequence_parallel && options.seq_len % options.tp != 0)
    return invalid(fmt::format("sequence parallelism needs TP {} to divide the sequence length {}", options.tp,
                               options.seq_len));
  if (hardware.kind != "gpu")
    return invalid(fmt::format("{} is a {}: training estimates cover GPUs", hardware.id, hardware.kind));
  if (options.precision != Precision::bf16 && options.precision != Precision::fp16 &&
      options.precision != Precision::fp8 && options.precision != Precision::fp32 &&
      options.precision != Precision::tf32)
    return invalid(fmt::format("training in {} is not modelled (use bf16, fp16, fp8, tf32 or fp32)",
                               to_string(options.precision)));
  if (!hardware.peak_flops.contains(options.precision))
    return invalid(fmt::format("{} ({}) has no {} tensor math", hardware.id, hardware.arch,
                               to_string(options.precision)));
  return ok_status();
}

}  // namespace

Result<Recompute> parse_recompute(std::string_view text) {
  if (text == "none") return Recompute::none;
  if (text == "selective") return Recompute::selective;
  if (text == "full") return Recompute::full;
  return invalid(fmt::format("unknown recompute '{}' (known: none, selective, full)", text));
}

Result<AttentionKernel> parse_attention_kernel(std::string_view text) {
  if (text == "flash") return AttentionKernel::flash;
  if (text == "unfused") return AttentionKernel::unfused;
  return invalid(fmt::format("unknown attention kernel '{}' (known: flash, unfused)", text));
}

Result<TrainingEstimate> estimate_training(const ModelSpec& model, const HardwareSpec& hardware,
                                           const TrainingOptions& options) {
  if (auto valid = check_options(model, hardware, options); !valid) return valid.error();
  const ModelingConstants& constants = modeling_constants();
  const DeviceCosts device(hardware, constants);
  const int tp = options.tp, pp = options.pp, v = options.virtual_stages;
  TrainingEstimate estimate;
  estimate.data_parallel = options.gpus / (tp * pp);
  const int dp = estimate.data_parallel;
  const int micro_batches = options.global_batch / (options.micro_batch * dp);
  estimate.micro_batches = micro_batches;
  const double tokens = static_cast<double>(options.micro_batch) * options.seq_len;

  LayerCosts layer = layer_costs(model, device, options);
  // Each stage: its layers, plus the LM head and loss on the last one.
  const double head_forward = device.gemm_seconds({tokens, double(model.vocab) / tp, double(model.hidden), 1, 2, 2, 4},
                                                  options.precision) +
                              device.memory_seconds(tokens * model.vocab / tp * 4.0 * 2);
  double stage_forward = 0, stage_backward = 0, slowest_communication = 0;
  for (int stage = 0; stage < pp; ++stage) {
    const double layers = layers_on_stage(model.layers, pp, stage);
    double forward = layers * layer.forward.total();
    double backward = layers * (layer.backward.total() + layer.recompute.total());
    if (stage == pp - 1) {
      forward += head_forward;
      backward += 2 * head_forward;
    }
    if (forward + backward > stage_forward + stage_backward) {
      stage_forward = forward;
      stage_backward = backward;
      slowest_communication = layers * (layer.forward.communication_s + layer.backward.communication_s +
                                        layer.recompute.communication_s);
    }
  }
  // Pipeline transfers per micro-batch: activations forward and gradients backward across each of the v chunk
  // boundaries a stage owns (split over TP ranks by Megatron's scatter/gather optimization).
  double pipeline_transfer = 0;
  if (pp > 1) {
    const double bytes = tokens * model.hidden * 2.0 / tp;
    pipeline_transfer = 2.0 * v * device.point_to_point_seconds(bytes, tp * pp);
  }
  const double per_micro_batch = stage_forward + stage_backward + pipeline_transfer;
  const double bubble = pp > 1 ? static_cast<double>(pp - 1) / v * (stage_forward + stage_backward) : 0;
  const double pipeline_time = micro_batches * per_micro_batch + bubble;

  // Parameters one GPU holds (the first stage with the embedding, or the last with the head if larger).
  const double per_layer = (static_cast<double>(model.parameters()) - model.embedding_parameters() - model.hidden) /
                           model.layers;
  const double embedding = static_cast<double>(model.vocab) * model.hidden;
  double parameters = 0;
  for (int stage : {0, pp - 1}) {
    double count = per_layer * layers_on_stage(model.layers, pp, stage) / tp;
    if (stage == 0) count += embedding / tp;
    if (stage == pp - 1 && (!model.tied_embeddings || pp > 1) && !(stage == 0 && model.tied_embeddings))
      count += embedding / tp;
    parameters = std::max(parameters, count);
  }
  // Gradients are reduced in 16 bits over the data-parallel ranks (ring; beyond one box over the scale-out link).
  const double dp_reduce = dp > 1 ? device.all_reduce_seconds(parameters * 2, dp, tp * pp * dp) *
                                        (1 - constants.data_parallel_overlap_fraction)
                                  : 0;
  // Adam in mixed precision streams fp32 master weights, both moments, the gradient and writes the 16-bit copy:
  // about 28 bytes per parameter (sharded over DP ranks with the distributed optimizer).
  const double optimizer_share = options.distributed_optimizer ? 1.0 / dp : 1.0;
  const double optimizer = device.memory_seconds(parameters * optimizer_share * 28);

  estimate.step_time_s = pipeline_time + dp_reduce + optimizer;
  estimate.compute_s = micro_batches * (stage_forward + stage_backward - slowest_communication);
  estimate.tensor_parallel_communication_s = micro_batches * slowest_communication;
  estimate.pipeline_communication_s = micro_batches * pipeline_transfer;
  estimate.data_parallel_communication_s = dp_reduce;
  estimate.optimizer_s = optimizer;
  estimate.bubble_s = bubble;
  estimate.pipeline_bubble_fraction = bubble / pipeline_time;

  const double step_tokens = static_cast<double>(options.global_batch) * options.seq_len;
  estimate.model_flops_per_step = 3 * step_tokens * forward_flops_per_token(model, options.seq_len);
  double recompute_flops = 0;
  if (options.recompute == Recompute::selective)
    recompute_flops = step_tokens / tokens * model.layers * layer.recompute_flops * tp;
  if (options.recompute == Recompute::full) recompute_flops = estimate.model_flops_per_step / 3;
  const double peak = device.peak_flops(options.precision) * options.gpus;
  estimate.mfu = estimate.model_flops_per_step / (estimate.step_time_s * peak);
  estimate.hfu = (estimate.model_flops_per_step + recompute_flops) / (estimate.step_time_s * peak);
  estimate.tokens_per_s = step_tokens / estimate.step_time_s;

  // Memory (Korthikanti et al. 2022, section 4): 16-bit weights, fp32 gradients, fp32 master weights and Adam
  // moments; activations per layer per micro-batch s b h (10 + 24/t + 5 a s / (h t)) bytes, or s b h (34/t + ...)
  // with sequence parallelism; selective recomputation (and fused attention) drops the 5 a s / (h t) term, full
  // recomputation keeps only each layer's input. The first stage holds pp micro-batches in flight (1F1B), times
  // 1 + (pp - 1) / (pp v) when interleaved.
  TrainingMemory& memory = estimate.memory_per_gpu;
  memory.capacity_bytes = static_cast<double>(hardware.memory_bytes);
  memory.weights_bytes = parameters * 2;
  memory.gradients_bytes = parameters * 4;
  memory.optimizer_bytes = parameters * 12 * optimizer_share;
  const double sbh = tokens * model.hidden;
  const double mlp_scale = (model.gated_mlp ? 1.5 : 1.0) * model.ffn * std::max(1, model.experts_per_token) /
                           (4.0 * model.hidden);
  const double split = 8 + 16 * mlp_scale;  // the TP-split part of Korthikanti's 24
  const double scores = 5.0 * model.heads * options.seq_len / (static_cast<double>(model.hidden) * tp);
  double per_layer_activations = 0;
  if (options.recompute == Recompute::full) {
    per_layer_activations = 2 * sbh / (options.sequence_parallel ? tp : 1);
  } else {
    const double keep_scores = options.recompute == Recompute::none && options.attention != AttentionKernel::flash ? scores : 0;
    per_layer_activations = options.sequence_parallel ? sbh * ((10 + split) / tp + keep_scores)
                                                      : sbh * (10 + split / tp + keep_scores);
  }
  const double in_flight = std::min(micro_batches, pp);
  const double interleave = v > 1 ? 1 + static_cast<double>(pp - 1) / (pp * v) : 1;
  memory.activation_bytes = per_layer_activations * layers_on_stage(model.layers, pp, 0) * in_flight * interleave;
  if (memory.used_bytes() > memory.capacity_bytes)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{} does not fit on {} with TP {} x PP {}: a GPU needs {:.1f} GiB (weights {:.1f}, "
                                  "gradients {:.1f}, optimizer {:.1f}, activations {:.1f}) but has {:.1f} GiB, "
                                  "{:.1f} GiB short",
                                  model.id, hardware.id, tp, pp, memory.used_bytes() / gib,
                                  memory.weights_bytes / gib, memory.gradients_bytes / gib,
                                  memory.optimizer_bytes / gib, memory.activation_bytes / gib,
                                  memory.capacity_bytes / gib, (memory.used_bytes() - memory.capacity_bytes) / gib));
  return estimate;
}

}  // namespace ual::sim
