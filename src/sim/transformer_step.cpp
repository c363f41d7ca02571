#include "sim/transformer_step.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ual::sim {

StepLoad StepLoad::scaled(double factor) const noexcept {
  return {decode_tokens * factor, decode_context * factor, prefill_tokens * factor, prefill_attention * factor,
          logits_rows * factor};
}

StepCost& StepCost::operator+=(const StepCost& other) noexcept {
  gemm_s += other.gemm_s;
  attention_s += other.attention_s;
  elementwise_s += other.elementwise_s;
  communication_s += other.communication_s;
  overhead_s += other.overhead_s;
  return *this;
}

int layers_on_stage(int layers, int pp, int stage) noexcept {
  return layers / pp + (stage < layers % pp ? 1 : 0);
}

int kv_heads_per_device(const ModelSpec& model, int tp) noexcept {
  return std::max(1, (model.kv_heads + tp - 1) / tp);
}

namespace {

// One layer's GEMMs for `tokens` tokens on one TP rank.
double layer_gemm_seconds(const ModelSpec& model, const DeviceCosts& device, int tp, const InferenceFormats& formats,
                          double tokens) {
  if (tokens <= 0) return 0;
  const double a_bytes = bytes_per_element(formats.compute) <= 1 ? 1 : formats.activation_bytes;
  const double w_bytes = bytes_per_element(formats.weights);
  const double c_bytes = formats.activation_bytes;
  const double q_width = static_cast<double>(model.heads) * model.head_dim / tp;
  const double kv_width = static_cast<double>(kv_heads_per_device(model, tp)) * model.head_dim;
  const double ffn = static_cast<double>(model.ffn) / tp;
  const double up_width = (model.gated_mlp ? 2 : 1) * ffn;
  auto gemm = [&](double m, double n, double k, double groups = 1) {
    return device.gemm_seconds({m, n, k, groups, a_bytes, w_bytes, c_bytes}, formats.compute);
  };
  double seconds = gemm(tokens, q_width + 2 * kv_width, model.hidden) + gemm(tokens, model.hidden, q_width);
  if (model.experts > 0) {
    // Routed experts as one grouped GEMM: the tokens' k choices spread over the experts they touch; an expert no
    // token picked is not read.
    const double experts = model.experts, picks = model.experts_per_token;
    const double touched = experts * (1 - std::pow(1 - picks / experts, tokens));
    const double rows = tokens * picks / touched;
    seconds += gemm(rows, up_width, model.hidden, touched) + gemm(rows, model.hidden, ffn, touched);
    seconds += gemm(tokens, experts, model.hidden);  // router
  } else {
    seconds += gemm(tokens, up_width, model.hidden) + gemm(tokens, model.hidden, ffn);
  }
  return seconds;
}

double layer_attention_seconds(const ModelSpec& model, const DeviceCosts& device, int tp,
                               const InferenceFormats& formats, const StepLoad& load) {
  const double heads = static_cast<double>(model.heads) / tp;
  const double kv_width = static_cast<double>(kv_heads_per_device(model, tp)) * model.head_dim;
  const double kv_bytes = bytes_per_element(formats.kv_cache);
  const Precision math = formats.compute == Precision::fp8 ? Precision::fp8 : Precision::bf16;
  double seconds = 0;
  if (load.decode_tokens > 0) {
    // QK^T and PV: 4 flops per head dim per cached position; the KV cache is read once per sequence.
    const double flops = 4 * heads * model.head_dim * load.decode_context;
    const double bytes = 2 * kv_width * kv_bytes * load.decode_context;
    seconds += device.roofline_seconds(flops, bytes, math);
  }
  if (load.prefill_tokens > 0) {
    const double flops = 4 * heads * model.head_dim * load.prefill_attention;
    const double bytes = load.prefill_tokens * (2 * kv_width * kv_bytes + 2 * heads * model.head_dim * 2);
    seconds += device.roofline_seconds(flops, bytes, math);
  }
  return seconds;
}

// Bytes elementwise kernels move per token per layer: two fused residual+norm passes (read residual and input,
// write both), RoPE and the KV-cache write, and the MLP activation (read gate and up, write their product).
double layer_elementwise_bytes_per_token(const ModelSpec& model, int tp, const InferenceFormats& formats) {
  const double q_width = static_cast<double>(model.heads) * model.head_dim / tp;
  const double kv_width = static_cast<double>(kv_heads_per_device(model, tp)) * model.head_dim;
  const double ffn = static_cast<double>(model.ffn) / tp * std::max(1, model.experts_per_token);
  const double activation = model.gated_mlp ? 3 * ffn : 2 * ffn;
  // Mixture of experts: each token's hidden state is gathered into its k experts' rows and their outputs are
  // scattered back and summed (read and write both ways).
  const double routing = model.experts > 0 ? 4.0 * model.experts_per_token * model.hidden : 0;
  return formats.activation_bytes * (8.0 * model.hidden + 2 * (q_width + kv_width) + activation + routing) +
         2 * kv_width * bytes_per_element(formats.kv_cache);
}

}  // namespace

StepCost stage_step_cost(const ModelSpec& model, const DeviceCosts& device, const StageLayout& stage,
                         const InferenceFormats& formats, const StepLoad& load) {
  StepCost cost;
  const double tokens = load.tokens();
  if (tokens <= 0) return cost;
  const double layers = stage.layers;
  const ModelingConstants& constants = device.constants();
  cost.gemm_s = layers * layer_gemm_seconds(model, device, stage.tp, formats, tokens);
  cost.attention_s = layers * layer_attention_seconds(model, device, stage.tp, formats, load);
  cost.elementwise_s = layers * device.memory_seconds(tokens * layer_elementwise_bytes_per_token(model, stage.tp,
                                                                                                  formats));
  // Megatron-style TP: one all-reduce after attention and one after the MLP, on the hidden-size activations.
  cost.communication_s = layers * 2 * device.all_reduce_seconds(tokens * model.hidden * formats.activation_bytes,
                                                                stage.tp);
  if (stage.pp > 1 && !stage.last)
    cost.communication_s += device.point_to_point_seconds(tokens * model.hidden * formats.activation_bytes,
                                                          stage.tp * stage.pp);
  if (stage.last && load.logits_rows > 0) {
    // LM head, split over TP by vocabulary, in the 16-bit format (FP8 recipes keep it unquantized).
    const Precision head_math = formats.compute == Precision::fp32 ? Precision::fp32 : Precision::bf16;
    cost.gemm_s += device.gemm_seconds({load.logits_rows, static_cast<double>(model.vocab) / stage.tp,
                                        static_cast<double>(model.hidden), 1, formats.activation_bytes,
                                        formats.head_bytes, 4},
                                       head_math);
    cost.communication_s += device.all_gather_seconds(load.logits_rows * 4 * 2, stage.tp);  // top-k candidates
  }
  cost.overhead_s = layers * constants.kernels_per_layer * constants.kernel_overhead_s;
  return cost;
}

StepCost engine_step_cost(const ModelSpec& model, const DeviceCosts& device, int tp, int pp,
                          const InferenceFormats& formats, const StepLoad& load) {
  StepCost total;
  // pp micro-batches of load/pp each pass every stage: per stage pp times its micro-batch cost (the stage is busy
  // that long per engine step), and a sequence's token waits for all stages.
  const StepLoad micro_batch = load.scaled(1.0 / pp);
  StepCost slowest;
  // Stages differ only in their layer count (two values) and whether they hold the embedding or the head, so at
  // most four distinct costs: computed once each, which keeps a 64-stage pipeline as cheap as a single GPU.
  struct Seen { int layers; bool first, last; StepCost cost; };
  std::vector<Seen> seen;
  for (int stage = 0; stage < pp; ++stage) {
    StageLayout layout{tp, pp, layers_on_stage(model.layers, pp, stage), stage == 0, stage == pp - 1};
    const StepCost* known = nullptr;
    for (const Seen& entry : seen)
      if (entry.layers == layout.layers && entry.first == layout.first && entry.last == layout.last)
        known = &entry.cost;
    const StepCost cost = known ? *known : stage_step_cost(model, device, layout, formats, micro_batch);
    if (!known) seen.push_back({layout.layers, layout.first, layout.last, cost});
    total += cost;
    if (cost.total() > slowest.total()) slowest = cost;
  }
  // In steady state the slowest stage paces the pipeline: pp micro-batches each take its time.
  StepCost paced = slowest;
  const double factor = pp;
  paced.gemm_s *= factor;
  paced.attention_s *= factor;
  paced.elementwise_s *= factor;
  paced.communication_s *= factor;
  paced.overhead_s *= factor;
  if (paced.total() < total.total()) paced = total;
  paced.overhead_s += device.constants().step_overhead_s;
  return paced;
}

}  // namespace ual::sim
