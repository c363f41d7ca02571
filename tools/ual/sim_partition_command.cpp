// `ual sim partition`: rank the ways to split N GPUs for serving (TP x PP x instances x batch) or, with --train,
// for training (TP x PP x DP, micro-batch, recomputation, interleaving).
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "sim_cli.hpp"

namespace ual::cli {
namespace {

using json = nlohmann::ordered_json;
constexpr double gib = 1024.0 * 1024 * 1024;

struct PartitionCommand {
  SimTarget target;
  sim::InferencePartitionOptions inference;
  sim::TrainingOptions training;
  std::string precision, kv_cache, objective = "throughput", recompute = "selective", attention = "flash";
  bool train = false;
  bool json = false;
  int max_results = 10;
};

int run_inference_partition(PartitionCommand& command, const ResolvedTarget& target) {
  sim::InferencePartitionOptions& options = command.inference;
  options.gpus = command.target.gpus;
  options.max_results = command.max_results;
  auto precision = sim::parse_precision(command.precision.empty() ? "fp8" : command.precision);
  if (!precision) return report_usage_error("sim partition", precision.error().message);
  options.precision = *precision;
  if (!command.kv_cache.empty()) {
    auto kv = sim::parse_precision(command.kv_cache);
    if (!kv) return report_usage_error("sim partition", kv.error().message);
    options.kv_cache = *kv;
  }
  auto objective = sim::parse_partition_objective(command.objective);
  if (!objective) return report_usage_error("sim partition", objective.error().message);
  options.objective = *objective;
  if (options.input_len <= 0 || options.output_len <= 0)
    return report_usage_error("sim partition", "--input-len and --output-len are required and must be positive");
  auto search = sim::search_inference_partitions(target.model, target.hardware, options);
  if (!search) return report_failure("sim partition", search.error().message);
  if (command.json) {
    json ranked = json::array();
    for (const sim::InferencePartition& entry : search->ranked) {
      const sim::InferenceEstimate& e = entry.estimate;
      ranked.push_back({{"tp", entry.tp}, {"pp", entry.pp}, {"instances", entry.instances}, {"batch", entry.batch},
                        {"throughput_tokens_per_s", e.throughput_tokens_per_s}, {"ttft_ms", e.ttft_ms},
                        {"tpot_ms", e.tpot_ms}, {"e2e_latency_ms", e.e2e_latency_ms},
                        {"memory_per_gpu_bytes", e.memory_per_gpu.used_bytes()},
                        {"weights_per_gpu_bytes", e.memory_per_gpu.weights_bytes}});
    }
    fmt::print("{}\n", json{{"model", target.model.id}, {"hardware", target.hardware.id}, {"gpus", options.gpus},
                            {"objective", command.objective}, {"evaluated", search->evaluated},
                            {"partitions", ranked}, {"rejected", search->rejected}}
                           .dump(2));
    return search->ranked.empty() ? 1 : 0;
  }
  fmt::print("{} on {} x {}, {} weights, {} in / {} out, objective {}{}{}\n", target.model.id, options.gpus,
             target.hardware.id, sim::to_string(options.precision), options.input_len, options.output_len,
             command.objective,
             options.max_tpot_ms > 0 ? fmt::format(", TPOT <= {} ms", options.max_tpot_ms) : "",
             options.max_ttft_ms > 0 ? fmt::format(", TTFT <= {} ms", options.max_ttft_ms) : "");
  fmt::print("  {:>3} {:>3} {:>9} {:>6} {:>14} {:>10} {:>9} {:>11}\n", "TP", "PP", "INSTANCES", "BATCH", "TOKENS/S",
             "TTFT ms", "TPOT ms", "GiB/GPU");
  for (const sim::InferencePartition& entry : search->ranked)
    fmt::print("  {:>3} {:>3} {:>9} {:>6} {:>14.0f} {:>10.1f} {:>9.2f} {:>11.1f}\n", entry.tp, entry.pp,
               entry.instances, entry.batch, entry.estimate.throughput_tokens_per_s, entry.estimate.ttft_ms,
               entry.estimate.tpot_ms, entry.estimate.memory_per_gpu.used_bytes() / gib);
  fmt::print("  {} estimates; {} split(s) rejected\n", search->evaluated, search->rejected.size());
  for (const std::string& reason : search->rejected) fmt::print("  rejected {}\n", reason);
  if (search->ranked.empty()) {
    fmt::print(stderr, "ual sim partition: no partition fits and meets the limits (reasons above)\n");
    return 1;
  }
  return 0;
}

int run_training_partition(PartitionCommand& command, const ResolvedTarget& target) {
  sim::TrainingOptions& options = command.training;
  options.gpus = command.target.gpus;
  auto precision = sim::parse_precision(command.precision.empty() ? "bf16" : command.precision);
  if (!precision) return report_usage_error("sim partition", precision.error().message);
  options.precision = *precision;
  auto attention = sim::parse_attention_kernel(command.attention);
  if (!attention) return report_usage_error("sim partition", attention.error().message);
  options.attention = *attention;
  if (options.global_batch <= 0) return report_usage_error("sim partition", "--train needs --global-batch");
  auto search = sim::search_training_partitions(target.model, target.hardware, options, command.max_results);
  if (!search) return report_failure("sim partition", search.error().message);
  if (command.json) {
    json ranked = json::array();
    for (const sim::TrainingPartition& entry : search->ranked) {
      const sim::TrainingOptions& o = entry.options;
      const sim::TrainingEstimate& e = entry.estimate;
      ranked.push_back({{"tp", o.tp}, {"pp", o.pp}, {"dp", e.data_parallel}, {"micro_batch", o.micro_batch},
                        {"virtual_stages", o.virtual_stages},
                        {"recompute", o.recompute == sim::Recompute::none        ? "none"
                                      : o.recompute == sim::Recompute::selective ? "selective"
                                                                                 : "full"},
                        {"sequence_parallel", o.sequence_parallel}, {"step_time_s", e.step_time_s}, {"mfu", e.mfu},
                        {"memory_per_gpu_bytes", e.memory_per_gpu.used_bytes()}});
    }
    fmt::print("{}\n", json{{"model", target.model.id}, {"hardware", target.hardware.id}, {"gpus", options.gpus},
                            {"global_batch", options.global_batch}, {"seq_len", options.seq_len},
                            {"evaluated", search->evaluated}, {"partitions", ranked},
                            {"rejected", search->rejected}}
                           .dump(2));
    return search->ranked.empty() ? 1 : 0;
  }
  fmt::print("{} training on {} x {}, global batch {} x {} tokens, {}\n", target.model.id, options.gpus,
             target.hardware.id, options.global_batch, options.seq_len, sim::to_string(options.precision));
  fmt::print("  {:>3} {:>3} {:>4} {:>6} {:>4} {:>10} {:>4} {:>10} {:>7} {:>8}\n", "TP", "PP", "DP", "MICRO", "V",
             "RECOMPUTE", "SP", "STEP s", "MFU", "GiB/GPU");
  for (const sim::TrainingPartition& entry : search->ranked) {
    const sim::TrainingOptions& o = entry.options;
    fmt::print("  {:>3} {:>3} {:>4} {:>6} {:>4} {:>10} {:>4} {:>10.3f} {:>6.1f}% {:>8.1f}\n", o.tp, o.pp,
               entry.estimate.data_parallel, o.micro_batch, o.virtual_stages,
               o.recompute == sim::Recompute::none        ? "none"
               : o.recompute == sim::Recompute::selective ? "selective"
                                                          : "full",
               o.sequence_parallel ? "yes" : "no", entry.estimate.step_time_s, 100 * entry.estimate.mfu,
               entry.estimate.memory_per_gpu.used_bytes() / gib);
  }
  fmt::print("  {} estimates; {} split(s) rejected\n", search->evaluated, search->rejected.size());
  if (search->ranked.empty()) {
    for (const std::string& reason : search->rejected) fmt::print(stderr, "  rejected {}\n", reason);
    fmt::print(stderr, "ual sim partition: no training partition fits\n");
    return 1;
  }
  return 0;
}

int run_partition(PartitionCommand& command) {
  auto resolved = resolve_target(command.target);
  if (!resolved) return report_usage_error("sim partition", resolved.error().message);
  return command.train ? run_training_partition(command, *resolved) : run_inference_partition(command, *resolved);
}

}  // namespace

void add_sim_partition_command(CLI::App& sim, Action& action) {
  auto command = std::make_shared<PartitionCommand>();
  CLI::App* app = sim.add_subcommand("partition", "Rank TP x PP x instances x batch splits of N GPUs (serving) or "
                                                  "TP x PP x DP splits (--train)");
  add_target_options(*app, command->target);
  app->add_option("--precision", command->precision, "Weights / math: fp8 (serving default), bf16 (training default)");
  app->add_option("--kv-cache", command->kv_cache, "KV-cache format (serving)");
  app->add_option("--input-len", command->inference.input_len, "Prompt tokens per request (serving)");
  app->add_option("--output-len", command->inference.output_len, "Generated tokens per request (serving)");
  app->add_option("--objective", command->objective, "throughput or latency (serving)")->capture_default_str();
  app->add_option("--max-tpot-ms", command->inference.max_tpot_ms, "Keep splits whose TPOT is at most this");
  app->add_option("--max-ttft-ms", command->inference.max_ttft_ms, "Keep splits whose TTFT is at most this");
  app->add_option("--max-batch", command->inference.max_batch, "Engine limit on sequences per instance");
  app->add_flag("--train", command->train, "Search training partitions instead");
  app->add_option("--global-batch", command->training.global_batch, "Sequences per optimizer step (--train)");
  app->add_option("--seq-len", command->training.seq_len, "Tokens per sequence (--train)")->capture_default_str();
  app->add_option("--attention", command->attention, "flash or unfused (--train)")->capture_default_str();
  app->add_option("--max-results", command->max_results, "Partitions to list")->capture_default_str();
  app->add_flag("--json", command->json, "Machine-readable output");
  app->callback([command, &action] { action = [command] { return run_partition(*command); }; });
}

}  // namespace ual::cli
