// `ual plan`: every way to run a model on this machine, ranked for an objective, with the exact command, what is
// missing, HopperSim's prediction where it covers the device, and the options rejected with the reason.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "commands.hpp"
#include "ual/inventory.hpp"
#include "ual/model_file.hpp"
#include "ual/plan.hpp"

namespace ual::cli {
namespace {

struct PlanCommandOptions {
  std::string model;
  std::string objective = "latency";
  std::string sysroot = "/";
  PlanOptions plan;
  bool json = false;
  bool show_all = false;
};

void print_prediction(const PredictedPerformance& predicted) {
  std::vector<std::string> parts;
  if (predicted.time_to_first_token_ms) parts.push_back(fmt::format("TTFT {:.0f} ms", *predicted.time_to_first_token_ms));
  if (predicted.tokens_per_second) parts.push_back(fmt::format("{:.1f} tokens/s", *predicted.tokens_per_second));
  if (predicted.memory_bytes_per_device)
    parts.push_back(fmt::format("{} per device", format_bytes(static_cast<std::uint64_t>(*predicted.memory_bytes_per_device))));
  if (predicted.power_watts) parts.push_back(fmt::format("{:.0f} W", *predicted.power_watts));
  if (parts.empty()) return;
  fmt::print("     predicted: {}{}\n", fmt::join(parts, ", "), predicted.source.empty() ? "" : " [" + predicted.source + "]");
}

void print_plan(const Plan& plan, bool show_all) {
  fmt::print("Plan for {} ({}), objective {}\n", plan.model.id, to_string(plan.model.format), to_string(plan.objective));
  for (const std::string& note : plan.notes) fmt::print("  note: {}\n", note);
  int rank = 0;
  for (const Strategy& strategy : plan.strategies) {
    ++rank;
    if (!show_all && rank > 6) {
      fmt::print("\n  ... {} more (--all shows them)\n", plan.strategies.size() - 6);
      break;
    }
    fmt::print("\n{:>2}. {} on {} — {}{}\n", rank, strategy.engine, strategy.device, strategy.precision,
               strategy.ready ? " [ready]" : " [not ready]");
    const Partition& partition = strategy.partition;
    if (partition.tensor_parallel * partition.pipeline_parallel * partition.instances > 1 || partition.nodes > 1)
      fmt::print("     partition: TP {} x PP {} x {} instance(s) on {} node(s)\n", partition.tensor_parallel,
                 partition.pipeline_parallel, partition.instances, partition.nodes);
    if (partition.gpu_layers >= 0 && partition.gpu_layers < partition.total_layers)
      fmt::print("     layers on the GPU: {} of {}\n", partition.gpu_layers, partition.total_layers);
    print_prediction(strategy.predicted);
    for (const EngineCommand& command : strategy.commands) {
      fmt::print("     {}: {}\n", command.role, command.text());
      if (!command.files_note.empty()) {
        std::string note = command.files_note;
        while (!note.empty() && note.back() == '\n') note.pop_back();
        for (std::size_t at = note.find('\n'); at != std::string::npos; at = note.find('\n', at + 8))
          note.replace(at, 1, "\n         ");
        fmt::print("       ({})\n", note);
      }
    }
    for (const std::string& missing : strategy.requirements) fmt::print("     needs: {}\n", missing);
    for (const std::string& reason : strategy.reasons) fmt::print("     why: {}\n", reason);
  }
  if (!plan.rejected.empty()) {
    fmt::print("\nRejected\n");
    for (const RejectedStrategy& option : plan.rejected)
      fmt::print("  {}{}: {}\n", option.engine, option.device.empty() ? "" : " on " + option.device, option.reason);
  }
}

}  // namespace

void add_plan_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<PlanCommandOptions>();
  CLI::App* command = app.add_subcommand("plan", "Rank the ways to run a model on this machine, with exact commands");
  command->add_option("--model", options->model,
                      "Catalog id (ual sim catalog), Hugging Face config.json or its directory, .gguf or .onnx file")
      ->required();
  command->add_option("--objective", options->objective, "latency, throughput or power")
      ->check(CLI::IsMember({"latency", "throughput", "power"}))
      ->capture_default_str();
  command->add_option("--sysroot", options->sysroot, "Plan for a recorded machine tree instead of this machine")
      ->capture_default_str();
  command->add_option("--input-len", options->plan.input_len, "Prompt tokens the predictions assume")
      ->check(CLI::Range(1, 1 << 22))->capture_default_str();
  command->add_option("--output-len", options->plan.output_len, "Generated tokens the predictions assume")
      ->check(CLI::Range(1, 1 << 22))->capture_default_str();
  command->add_option("--context", options->plan.context_length, "Context length to start engines with (0: min(model, 8192))")
      ->check(CLI::Range(0, 1 << 24));
  command->add_option("--host", options->plan.host, "Address servers listen on")->capture_default_str();
  command->add_option("--port", options->plan.port, "Port servers listen on (0: each engine's default)")
      ->check(CLI::Range(0, 65535));
  command->add_option("--nodes", options->plan.nodes, "Identical machines available for one server (multi-node)")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  command->add_option("--head-address", options->plan.head_node_address,
                      "Multi-node: the address other nodes reach this one at");
  command->add_flag("--all", options->show_all, "Show every strategy, not the best six");
  command->add_flag("--json", options->json, "Machine-readable plan");
  command->callback([options, &action] {
    action = [options] {
      auto objective = parse_plan_objective(options->objective);
      if (!objective) {
        fmt::print(stderr, "ual plan: {}\n", objective.error().message);
        return 2;
      }
      options->plan.objective = *objective;
      auto model = describe_model(options->model);
      if (!model) {
        fmt::print(stderr, "ual plan: {}\n", model.error().message);
        return 1;
      }
      DiscoveryOptions discovery;
      discovery.sysroot = options->sysroot;
      auto inventory = discover(discovery);
      if (!inventory) {
        fmt::print(stderr, "ual plan: {}\n", inventory.error().message);
        return 1;
      }
      auto plan = ual::plan(*model, *inventory, options->plan);
      if (!plan) {
        fmt::print(stderr, "ual plan: {}\n", plan.error().message);
        return 1;
      }
      if (options->json) fmt::print("{}\n", to_json(*plan));
      else print_plan(*plan, options->show_all);
      if (plan->strategies.empty()) {
        fmt::print(stderr, "ual plan: no way to run {} on this machine (see the rejected options)\n", model->id);
        return 1;
      }
      return 0;
    };
  });
}

namespace {
const CommandRegistration registration{"plan", 40, add_plan_command};
}  // namespace

}  // namespace ual::cli
