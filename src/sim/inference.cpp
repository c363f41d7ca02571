// estimate_inference: a deployment's throughput, latency and memory from the step cost model, for a fixed batch, an
// offline queue or Poisson arrivals.
#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>

#include "sim/inference_setup.hpp"
#include "sim/serving_simulation.hpp"
#include "ual/sim.hpp"

namespace ual::sim {
namespace {

StepBreakdown to_breakdown(const StepCost& cost) {
  return {cost.gemm_s, cost.attention_s, cost.elementwise_s, cost.communication_s, cost.overhead_s};
}

// Mean decode step over a sequence's life: the KV read grows linearly with the context, so the mean of a few
// evenly spaced contexts is the mean step.
double mean_decode_step(const StepCostFunction& step, double batch, int input, int output, StepCost* at_midpoint,
                        const std::function<StepCost(const StepLoad&)>& detailed) {
  constexpr int samples = 8;
  double total = 0;
  for (int sample = 0; sample < samples; ++sample) {
    const double context = input + (output - 1) * (sample + 0.5) / samples;
    StepLoad load;
    load.decode_tokens = batch;
    load.decode_context = batch * context;
    load.logits_rows = batch;
    total += step(load);
  }
  if (at_midpoint) {
    StepLoad load;
    load.decode_tokens = batch;
    load.decode_context = batch * (input + output / 2.0);
    load.logits_rows = batch;
    *at_midpoint = detailed(load);
  }
  return total / samples;
}

}  // namespace

Result<InferenceEstimate> estimate_inference(const ModelSpec& model, const HardwareSpec& hardware,
                                             const InferenceOptions& options) {
  const DeviceCosts device(hardware, modeling_constants());
  auto prepared = prepare_inference(model, device, options);
  if (!prepared) return prepared.error();
  const InferenceSetup& setup = *prepared;
  const auto detailed = [&](const StepLoad& load) {
    return engine_step_cost(model, device, options.tp, options.pp, setup.formats, load);
  };
  const StepCostFunction step = [&](const StepLoad& load) { return detailed(load).total(); };

  InferenceEstimate estimate;
  estimate.instances = setup.instances;
  estimate.max_batch_that_fits = setup.max_batch_that_fits;
  estimate.memory_per_gpu = setup.memory;
  const int input = options.input_len, output = options.output_len;
  if (hardware.memory_bytes == 0 && options.device_memory_bytes <= 0)
    estimate.notes.push_back(fmt::format("{} shares system memory: assumed {:.0f} GiB available (--device-memory-gb)",
                                         hardware.id, setup.memory.capacity_bytes / (1024.0 * 1024 * 1024)));
  if (model.max_position > 0 && input + output > model.max_position)
    estimate.notes.push_back(fmt::format("{} + {} tokens exceed {}'s context window of {}", input, output, model.id,
                                         model.max_position));

  if (options.mode == InferenceMode::batch) {
    if (options.batch <= 0)
      return make_error(ErrorCode::invalid_argument, fmt::format("--batch must be positive (got {})", options.batch));
    if (options.batch > setup.max_batch_that_fits)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("a batch of {} sequences of {} tokens does not fit: the KV cache holds at most {} "
                                    "per instance",
                                    options.batch, input + output, setup.max_batch_that_fits));
    const double batch = options.batch;
    // Prompts first, in chunks of the token budget; a request's first token comes with the chunk that finishes
    // its prompt. Full chunks cost the same, so they are priced once.
    const double budget = setup.max_num_tokens;
    const double total_prompt = batch * input;
    const double full_chunks = std::floor(total_prompt / budget);
    const double remainder = total_prompt - full_chunks * budget;
    auto chunk_seconds = [&](double tokens) {
      StepLoad load;
      load.prefill_tokens = tokens;
      load.prefill_attention = tokens * (input + 1) / 2.0;  // a prompt token attends to the positions before it
      load.logits_rows = std::min(batch, std::ceil(tokens / input));
      return step(load);
    };
    const double full_seconds = full_chunks > 0 ? chunk_seconds(budget) : 0;
    const double last_seconds = remainder > 0 ? chunk_seconds(remainder) : 0;
    const double prefill_time = full_chunks * full_seconds + last_seconds;
    double ttft_sum = 0;
    for (double request = 1; request <= batch; ++request) {
      const double chunk = std::ceil(request * input / budget);  // 1-based chunk that completes this prompt
      ttft_sum += std::min(chunk, full_chunks) * full_seconds + (chunk > full_chunks ? last_seconds : 0);
    }
    StepCost midpoint;
    const double tpot = output > 1 ? mean_decode_step(step, batch, input, output, &midpoint, detailed) : 0;
    if (output <= 1) midpoint = detailed({batch, batch * input, 0, 0, batch});
    const double total_time = prefill_time + (output - 1) * tpot;
    estimate.batch = options.batch;
    estimate.ttft_ms = ttft_sum / batch * 1e3;
    estimate.tpot_ms = tpot * 1e3;
    estimate.e2e_latency_ms = (prefill_time + (output - 1) * tpot) * 1e3;
    estimate.throughput_tokens_per_s = setup.instances * batch * output / total_time;
    estimate.requests_per_s = setup.instances * batch / total_time;
    estimate.decode_step = to_breakdown(midpoint);
    return estimate;
  }

  // Offline or Poisson arrivals: simulate one instance's share of the requests.
  ServingWorkload workload;
  workload.input_len = input;
  workload.output_len = output;
  workload.max_batch = setup.max_batch;
  workload.max_num_tokens = setup.max_num_tokens;
  if (workload.max_num_tokens < 1)
    return make_error(ErrorCode::invalid_argument, "--max-num-tokens must be positive");
  int requests = options.num_requests;
  if (requests < 0) return make_error(ErrorCode::invalid_argument, "--num-requests must be positive");
  if (requests == 0) requests = std::max(1000, 8 * setup.max_batch) * setup.instances;
  if (requests > 10'000'000)
    return make_error(ErrorCode::invalid_argument, "--num-requests must be at most 10,000,000");
  const int per_instance = std::max(1, requests / setup.instances);
  if (options.mode == InferenceMode::offline) {
    workload.arrival_times.assign(per_instance, 0.0);
  } else {
    if (!(options.request_rate > 0) || !std::isfinite(options.request_rate))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("--request-rate must be a positive number (got {})", options.request_rate));
    std::mt19937_64 generator(options.seed);
    std::exponential_distribution<double> gap(options.request_rate / setup.instances);
    double time = 0;
    for (int index = 0; index < per_instance; ++index) workload.arrival_times.push_back(time += gap(generator));
  }
  auto served = simulate_serving(workload, step);
  if (!served) return served.error();
  estimate.num_requests = per_instance * setup.instances;
  estimate.batch = static_cast<int>(std::lround(served->mean_batch));
  estimate.ttft_ms = served->mean_ttft_s * 1e3;
  estimate.tpot_ms = served->mean_tpot_s * 1e3;
  estimate.e2e_latency_ms = served->mean_latency_s * 1e3;
  const double span = served->makespan_s - (workload.arrival_times.empty() ? 0 : workload.arrival_times.front());
  estimate.throughput_tokens_per_s = setup.instances * static_cast<double>(per_instance) * output /
                                     std::max(span, 1e-12);
  estimate.requests_per_s = setup.instances * static_cast<double>(per_instance) / std::max(span, 1e-12);
  StepCost midpoint;
  mean_decode_step(step, std::max(1, setup.max_batch), input, output, &midpoint, detailed);
  estimate.decode_step = to_breakdown(midpoint);
  if (setup.max_batch < setup.max_batch_that_fits)
    estimate.notes.push_back(fmt::format("batch limited to {} sequences by the engine's max batch (KV cache holds {})",
                                         setup.max_batch, setup.max_batch_that_fits));
  return estimate;
}

}  // namespace ual::sim
