// Continuous (in-flight) batching with chunked prefill, step by step: requests are admitted while sequences and
// KV-cache blocks allow (reserving each request's full length, as TensorRT-LLM's GUARANTEED_NO_EVICT policy does),
// every step runs all decoding sequences plus prompt chunks up to the token budget.
#pragma once

#include <functional>
#include <vector>

#include "sim/transformer_step.hpp"

namespace ual::sim {

struct ServingWorkload {
  int input_len = 0;
  int output_len = 0;
  std::vector<double> arrival_times;  // sorted; all zero for offline
  int max_batch = 0;
  int max_num_tokens = 0;
};

struct ServingResult {
  double makespan_s = 0;
  double mean_ttft_s = 0;
  double mean_tpot_s = 0;
  double mean_latency_s = 0;
  double mean_batch = 0;       // sequences per step, time-weighted
  int steps = 0;
};

using StepCostFunction = std::function<double(const StepLoad&)>;

Result<ServingResult> simulate_serving(const ServingWorkload& workload, const StepCostFunction& step_seconds);

}  // namespace ual::sim
