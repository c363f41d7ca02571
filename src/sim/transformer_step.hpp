// One engine step of a decoder transformer on one pipeline stage of a TP x PP partition: the GEMMs, attention,
// elementwise kernels, tensor-parallel all-reduces and pipeline transfers of the tokens in flight.
#pragma once

#include "sim/device_costs.hpp"
#include "ual/sim.hpp"

namespace ual::sim {

// The number formats of an inference deployment (int4/int8 weights with 16-bit activations are weight-only).
struct InferenceFormats {
  Precision weights = Precision::fp8;
  Precision compute = Precision::fp8;   // the GEMMs' math
  Precision kv_cache = Precision::fp8;
  double activation_bytes = 2;          // what elementwise kernels and collectives move
  double head_bytes = 2;                // embedding and LM head weights (kept in 16 bits under FP8/INT quantization)
};

// Work of one step, summed over the sequences in it.
struct StepLoad {
  double decode_tokens = 0;      // sequences producing one token
  double decode_context = 0;     // sum of their context lengths (tokens of KV cache read)
  double prefill_tokens = 0;     // prompt tokens processed
  double prefill_attention = 0;  // sum over prompt tokens of the positions each attends to (causal)
  double logits_rows = 0;        // sequences that need logits (decoding ones plus prompts finishing)

  double tokens() const noexcept { return decode_tokens + prefill_tokens; }
  StepLoad scaled(double factor) const noexcept;
};

struct StepCost {
  double gemm_s = 0, attention_s = 0, elementwise_s = 0, communication_s = 0, overhead_s = 0;
  double total() const noexcept { return gemm_s + attention_s + elementwise_s + communication_s + overhead_s; }
  StepCost& operator+=(const StepCost& other) noexcept;
};

struct StageLayout {
  int tp = 1;
  int pp = 1;
  int layers = 0;         // layers on this stage
  bool first = true;      // holds the embedding
  bool last = true;       // holds the LM head
};

// Layers of each stage when `layers` are split over `pp` stages (the first stages take the remainder).
int layers_on_stage(int layers, int pp, int stage) noexcept;

// KV heads one GPU holds: heads are split over TP ranks, and replicated when TP exceeds their number.
int kv_heads_per_device(const ModelSpec& model, int tp) noexcept;

StepCost stage_step_cost(const ModelSpec& model, const DeviceCosts& device, const StageLayout& stage,
                         const InferenceFormats& formats, const StepLoad& load);

// A whole engine step across the pipeline: every stage processes the load (as pp micro-batches of load/pp in
// flight), so a sequence advances one token per pp stage times; plus the host's per-step overhead.
StepCost engine_step_cost(const ModelSpec& model, const DeviceCosts& device, int tp, int pp,
                          const InferenceFormats& formats, const StepLoad& load);

}  // namespace ual::sim
