// The partition searches: every way to split GPUs into TP x PP x instances (inference) or TP x PP x DP (training),
// each priced by the estimators, ranked by the objective.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "ual/sim.hpp"

namespace ual::sim {
namespace {

std::vector<int> divisors(int value) {
  std::vector<int> result;
  for (int candidate = 1; candidate <= value; ++candidate)
    if (value % candidate == 0) result.push_back(candidate);
  return result;
}

// Batches tried per split: powers of two up to the largest that fits, and that largest.
std::vector<int> batch_ladder(int largest) {
  std::vector<int> batches;
  for (int batch = 1; batch < largest; batch *= 2) batches.push_back(batch);
  batches.push_back(largest);
  return batches;
}

bool better(const InferenceEstimate& a, const InferenceEstimate& b, PartitionObjective objective) {
  if (objective == PartitionObjective::throughput) return a.throughput_tokens_per_s > b.throughput_tokens_per_s;
  return a.e2e_latency_ms < b.e2e_latency_ms;
}

}  // namespace

Result<PartitionObjective> parse_partition_objective(std::string_view text) {
  if (text == "throughput") return PartitionObjective::throughput;
  if (text == "latency") return PartitionObjective::latency;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("unknown objective '{}' (known: throughput, latency)", text));
}

Result<PartitionSearch> search_inference_partitions(const ModelSpec& model, const HardwareSpec& hardware,
                                                    const InferencePartitionOptions& options) {
  if (options.gpus <= 0 || options.gpus > 65536)
    return make_error(ErrorCode::invalid_argument, fmt::format("--gpus must be 1 to 65536 (got {})", options.gpus));
  if (options.input_len <= 0 || options.output_len <= 0)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("--input-len ({}) and --output-len ({}) must be positive", options.input_len,
                                  options.output_len));
  if (options.max_tpot_ms < 0 || options.max_ttft_ms < 0)
    return make_error(ErrorCode::invalid_argument, "--max-tpot-ms and --max-ttft-ms must not be negative");
  PartitionSearch search;
  for (int tp : divisors(options.gpus)) {
    for (int pp : divisors(options.gpus / tp)) {
      InferenceOptions trial;
      trial.gpus = options.gpus;
      trial.tp = tp;
      trial.pp = pp;
      trial.precision = options.precision;
      trial.kv_cache = options.kv_cache;
      trial.input_len = options.input_len;
      trial.output_len = options.output_len;
      trial.mode = InferenceMode::batch;
      trial.max_batch = options.max_batch;
      trial.batch = 1;
      auto first = estimate_inference(model, hardware, trial);
      ++search.evaluated;
      if (!first) {
        search.rejected.push_back(fmt::format("TP {} x PP {}: {}", tp, pp, first.error().message));
        continue;
      }
      int largest = first->max_batch_that_fits;
      if (options.max_batch > 0) largest = std::min(largest, options.max_batch);
      std::optional<InferencePartition> best;
      std::string limit_reason;
      for (int batch : batch_ladder(largest)) {
        trial.batch = batch;
        auto estimate = batch == 1 ? first : estimate_inference(model, hardware, trial);
        if (batch != 1) ++search.evaluated;
        if (!estimate) break;
        if (options.max_tpot_ms > 0 && estimate->tpot_ms > options.max_tpot_ms) {
          limit_reason = fmt::format("TPOT {:.1f} ms > {:.1f} ms", estimate->tpot_ms, options.max_tpot_ms);
          continue;
        }
        if (options.max_ttft_ms > 0 && estimate->ttft_ms > options.max_ttft_ms) {
          limit_reason = fmt::format("TTFT {:.0f} ms > {:.0f} ms", estimate->ttft_ms, options.max_ttft_ms);
          continue;
        }
        if (!best || better(*estimate, best->estimate, options.objective))
          best = InferencePartition{tp, pp, options.gpus / (tp * pp), batch, std::move(estimate.value())};
      }
      if (best)
        search.ranked.push_back(std::move(*best));
      else
        search.rejected.push_back(fmt::format("TP {} x PP {}: no batch meets the limits (at batch 1: {})", tp, pp,
                                              limit_reason));
    }
  }
  std::sort(search.ranked.begin(), search.ranked.end(), [&](const auto& a, const auto& b) {
    return better(a.estimate, b.estimate, options.objective);
  });
  if (options.max_results > 0 && search.ranked.size() > static_cast<std::size_t>(options.max_results))
    search.ranked.resize(options.max_results);
  return search;
}

Result<TrainingPartitionSearch> search_training_partitions(const ModelSpec& model, const HardwareSpec& hardware,
                                                           const TrainingOptions& base, int max_results) {
  if (base.gpus <= 0 || base.gpus > 65536 || base.global_batch <= 0 || base.seq_len <= 0)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("--gpus ({}), --global-batch ({}) and --seq-len ({}) must be positive", base.gpus,
                                  base.global_batch, base.seq_len));
  TrainingPartitionSearch search;
  std::set<std::string> reasons;
  for (int tp : divisors(base.gpus)) {
    if (tp > 64) break;
    for (int pp : divisors(base.gpus / tp)) {
      const int dp = base.gpus / (tp * pp);
      if (base.global_batch % dp != 0) continue;
      for (int micro_batch : {1, 2, 4, 8, 16}) {
        if ((base.global_batch / dp) % micro_batch != 0) continue;
        for (int virtual_stages : {1, 2, 3, 4}) {
          if (virtual_stages > 1 && pp == 1) break;
          for (Recompute recompute : {Recompute::none, Recompute::selective, Recompute::full}) {
            TrainingOptions trial = base;
            trial.tp = tp;
            trial.pp = pp;
            trial.micro_batch = micro_batch;
            trial.virtual_stages = virtual_stages;
            trial.recompute = recompute;
            trial.sequence_parallel = tp > 1 && base.seq_len % tp == 0;
            auto estimate = estimate_training(model, hardware, trial);
            ++search.evaluated;
            if (!estimate) {
              if (reasons.insert(fmt::format("TP {} x PP {}", tp, pp)).second)
                search.rejected.push_back(fmt::format("TP {} x PP {} (micro-batch {}, {} virtual stage(s)): {}", tp,
                                                      pp, micro_batch, virtual_stages, estimate.error().message));
              continue;
            }
            search.ranked.push_back({trial, std::move(estimate.value())});
          }
        }
      }
    }
  }
  std::sort(search.ranked.begin(), search.ranked.end(),
            [](const auto& a, const auto& b) { return a.estimate.step_time_s < b.estimate.step_time_s; });
  if (max_results > 0 && search.ranked.size() > static_cast<std::size_t>(max_results))
    search.ranked.resize(max_results);
  return search;
}

}  // namespace ual::sim
