// `ual sim`: HopperSim on the command line. `infer` and `train` here; `partition` and `schedule` in their own files.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"
#include "sim_cli.hpp"
#include "ual/sim.hpp"

namespace ual::cli {
namespace {

constexpr double gib = 1024.0 * 1024 * 1024;

struct InferCommand {
  SimTarget target;
  sim::InferenceOptions options;
  std::string precision = "fp8", kv_cache;
  bool offline = false;
  bool json = false;
  double device_memory_gib = 0;
};

int run_infer(InferCommand& command, CLI::App& app) {
  command.options.gpus = command.target.gpus;
  auto resolved = resolve_target(command.target);
  if (!resolved) return report_usage_error("sim infer", resolved.error().message);
  auto precision = sim::parse_precision(command.precision);
  if (!precision) return report_usage_error("sim infer", precision.error().message);
  command.options.precision = *precision;
  if (!command.kv_cache.empty()) {
    auto kv = sim::parse_precision(command.kv_cache);
    if (!kv) return report_usage_error("sim infer", kv.error().message);
    command.options.kv_cache = *kv;
  }
  command.options.device_memory_bytes = command.device_memory_gib * gib;
  const bool has_batch = app.count("--batch") > 0, has_rate = app.count("--request-rate") > 0;
  if (has_batch + has_rate + command.offline > 1)
    return report_usage_error("sim infer", "give one of --batch, --offline and --request-rate");
  command.options.mode = has_batch  ? sim::InferenceMode::batch
                         : has_rate ? sim::InferenceMode::request_rate
                                    : sim::InferenceMode::offline;
  auto estimate = sim::estimate_inference(resolved->model, resolved->hardware, command.options);
  if (!estimate) return report_failure("sim infer", estimate.error().message);
  if (command.json) {
    fmt::print("{}\n", sim::to_json_text(resolved->model, resolved->hardware, command.options, *estimate));
    return 0;
  }
  const sim::InferenceEstimate& e = *estimate;
  const sim::InferenceOptions& o = command.options;
  fmt::print("{} on {} x {} (TP {} x PP {}, {} instance{}), {} weights, {} in / {} out\n", resolved->model.id,
             o.gpus, resolved->hardware.id, o.tp, o.pp, e.instances, e.instances == 1 ? "" : "s",
             sim::to_string(o.precision), o.input_len, o.output_len);
  fmt::print("  throughput     {:.0f} output tokens/s ({:.2f} requests/s)\n", e.throughput_tokens_per_s,
             e.requests_per_s);
  fmt::print("  TTFT           {:.1f} ms (mean)\n", e.ttft_ms);
  fmt::print("  TPOT           {:.2f} ms (mean)\n", e.tpot_ms);
  fmt::print("  latency        {:.0f} ms per request (mean)\n", e.e2e_latency_ms);
  fmt::print("  batch          {} sequences per instance (KV cache fits {})\n", e.batch, e.max_batch_that_fits);
  const sim::DeviceMemory& m = e.memory_per_gpu;
  fmt::print("  memory per GPU {:.1f} of {:.1f} GiB: weights {:.1f}, KV cache {:.1f}, activations {:.1f}, "
             "runtime {:.1f}\n",
             m.used_bytes() / gib, m.capacity_bytes / gib, m.weights_bytes / gib, m.kv_cache_bytes / gib,
             m.activation_bytes / gib, m.reserved_bytes / gib);
  const sim::StepBreakdown& s = e.decode_step;
  const double total = s.gemm_s + s.attention_s + s.elementwise_s + s.communication_s + s.overhead_s;
  fmt::print("  decode step    {:.2f} ms: GEMM {:.0f}%, attention {:.0f}%, elementwise {:.0f}%, communication "
             "{:.0f}%, overhead {:.0f}%\n",
             total * 1e3, 100 * s.gemm_s / total, 100 * s.attention_s / total, 100 * s.elementwise_s / total,
             100 * s.communication_s / total, 100 * s.overhead_s / total);
  for (const std::string& note : e.notes) fmt::print("  note: {}\n", note);
  return 0;
}

struct TrainCommand {
  SimTarget target;
  sim::TrainingOptions options;
  std::string precision = "bf16", recompute = "selective", attention = "flash";
  bool json = false;
};

int run_train(TrainCommand& command) {
  command.options.gpus = command.target.gpus;
  auto resolved = resolve_target(command.target);
  if (!resolved) return report_usage_error("sim train", resolved.error().message);
  auto precision = sim::parse_precision(command.precision);
  if (!precision) return report_usage_error("sim train", precision.error().message);
  auto recompute = sim::parse_recompute(command.recompute);
  if (!recompute) return report_usage_error("sim train", recompute.error().message);
  auto attention = sim::parse_attention_kernel(command.attention);
  if (!attention) return report_usage_error("sim train", attention.error().message);
  command.options.precision = *precision;
  command.options.recompute = *recompute;
  command.options.attention = *attention;
  auto estimate = sim::estimate_training(resolved->model, resolved->hardware, command.options);
  if (!estimate) return report_failure("sim train", estimate.error().message);
  if (command.json) {
    fmt::print("{}\n", sim::to_json_text(resolved->model, resolved->hardware, command.options, *estimate));
    return 0;
  }
  const sim::TrainingEstimate& e = *estimate;
  const sim::TrainingOptions& o = command.options;
  fmt::print("{} on {} x {} (TP {} x PP {} x DP {}{}), global batch {} x {} tokens, micro-batch {}, {} "
             "recompute{}\n",
             resolved->model.id, o.gpus, resolved->hardware.id, o.tp, o.pp, e.data_parallel,
             o.virtual_stages > 1 ? fmt::format(", {} virtual stages", o.virtual_stages) : "", o.global_batch,
             o.seq_len, o.micro_batch, command.recompute, o.sequence_parallel ? ", sequence parallel" : "");
  fmt::print("  step time      {:.3f} s ({:.0f} tokens/s)\n", e.step_time_s, e.tokens_per_s);
  fmt::print("  MFU            {:.1f}% (HFU {:.1f}%)\n", 100 * e.mfu, 100 * e.hfu);
  fmt::print("  time           compute {:.3f} s, TP comm {:.3f} s, PP comm {:.3f} s, DP comm {:.3f} s, optimizer "
             "{:.3f} s, bubble {:.3f} s ({:.1f}%)\n",
             e.compute_s, e.tensor_parallel_communication_s, e.pipeline_communication_s,
             e.data_parallel_communication_s, e.optimizer_s, e.bubble_s, 100 * e.pipeline_bubble_fraction);
  const sim::TrainingMemory& m = e.memory_per_gpu;
  fmt::print("  memory per GPU {:.1f} of {:.1f} GiB: weights {:.1f}, gradients {:.1f}, optimizer {:.1f}, "
             "activations {:.1f}\n",
             m.used_bytes() / gib, m.capacity_bytes / gib, m.weights_bytes / gib, m.gradients_bytes / gib,
             m.optimizer_bytes / gib, m.activation_bytes / gib);
  for (const std::string& note : e.notes) fmt::print("  note: {}\n", note);
  return 0;
}

}  // namespace

void add_sim_command(CLI::App& app, Action& action) {
  CLI::App* sim = app.add_subcommand("sim", "HopperSim: predict LLM inference and training performance, partition "
                                            "models over GPUs, schedule task graphs");
  sim->require_subcommand(1);

  auto infer = std::make_shared<InferCommand>();
  CLI::App* infer_app = sim->add_subcommand("infer", "Throughput, latency and memory of LLM inference");
  add_target_options(*infer_app, infer->target);
  infer_app->add_option("--tp", infer->options.tp, "Tensor-parallel GPUs per instance")->capture_default_str();
  infer_app->add_option("--pp", infer->options.pp, "Pipeline stages per instance")->capture_default_str();
  infer_app->add_option("--precision", infer->precision, "Weights: fp8, bf16, fp16, int8, int4, fp32")
      ->capture_default_str();
  infer_app->add_option("--kv-cache", infer->kv_cache, "KV-cache format (default fp8 with fp8 weights, else bf16)");
  infer_app->add_option("--input-len", infer->options.input_len, "Prompt tokens per request")->required();
  infer_app->add_option("--output-len", infer->options.output_len, "Generated tokens per request")->required();
  infer_app->add_option("--batch", infer->options.batch, "A fixed batch of requests per instance");
  infer_app->add_flag("--offline", infer->offline, "All requests queued at once (the default mode)");
  infer_app->add_option("--request-rate", infer->options.request_rate, "Poisson arrivals, requests/s in total");
  infer_app->add_option("--num-requests", infer->options.num_requests,
                        "Requests to simulate (offline / request rate; default: enough for steady state)");
  infer_app->add_option("--max-batch", infer->options.max_batch, "Engine limit on sequences per instance (2048)");
  infer_app->add_option("--max-num-tokens", infer->options.max_num_tokens, "Engine token budget per step (8192)");
  infer_app->add_option("--kv-cache-fraction", infer->options.kv_cache_memory_fraction,
                        "Share of the memory left after weights and activations for the KV cache (0.9)");
  infer_app->add_option("--device-memory-gb", infer->device_memory_gib,
                        "Memory per device in GiB (default: the catalog's; 32 for devices sharing system memory)");
  infer_app->add_option("--seed", infer->options.seed, "Seed of the arrival times")->capture_default_str();
  infer_app->add_flag("--json", infer->json, "Machine-readable output");
  infer_app->callback([infer, infer_app, &action] { action = [infer, infer_app] { return run_infer(*infer, *infer_app); }; });

  auto train = std::make_shared<TrainCommand>();
  CLI::App* train_app = sim->add_subcommand("train", "Step time, MFU and memory of LLM training (Megatron-style)");
  add_target_options(*train_app, train->target);
  train_app->add_option("--tp", train->options.tp, "Tensor-parallel GPUs")->capture_default_str();
  train_app->add_option("--pp", train->options.pp, "Pipeline stages")->capture_default_str();
  train_app->add_option("--global-batch", train->options.global_batch, "Sequences per optimizer step")->required();
  train_app->add_option("--micro-batch", train->options.micro_batch, "Sequences per micro-batch")
      ->capture_default_str();
  train_app->add_option("--seq-len", train->options.seq_len, "Tokens per sequence")->capture_default_str();
  train_app->add_option("--recompute", train->recompute, "Activation recomputation: none, selective, full")
      ->capture_default_str();
  train_app->add_flag("--sequence-parallel", train->options.sequence_parallel, "Megatron sequence parallelism");
  train_app->add_option("--virtual-stages", train->options.virtual_stages, "Interleaved 1F1B chunks per stage")
      ->capture_default_str();
  train_app->add_option("--precision", train->precision, "Math: bf16, fp16, fp8, tf32, fp32")->capture_default_str();
  train_app->add_option("--attention", train->attention,
                        "Attention kernel: flash, or unfused (scores in memory, Megatron-LM of 2022)")
      ->capture_default_str();
  train_app->add_flag("--distributed-optimizer", train->options.distributed_optimizer,
                      "Shard optimizer states over data-parallel ranks");
  train_app->add_flag("--json", train->json, "Machine-readable output");
  train_app->callback([train, &action] { action = [train] { return run_train(*train); }; });

  add_sim_partition_command(*sim, action);
  add_sim_schedule_command(*sim, action);
  add_sim_catalog_command(*sim, action);
}

namespace {
const CommandRegistration registration{"sim", 30, add_sim_command};
}  // namespace

}  // namespace ual::cli
