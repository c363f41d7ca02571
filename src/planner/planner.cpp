// plan(): every rule offers its strategies, then they are ranked for the objective: by tier (engine x device kind,
// data/planner/strategy-tiers.json), then by the prediction of the objective's metric, then ready before not ready.
#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"
#include "core/text.hpp"
#include "planner/memory_fit.hpp"
#include "planner/planner_rules.hpp"

namespace ual {

const char* to_string(PlanObjective objective) noexcept {
  switch (objective) {
    case PlanObjective::latency: return "latency";
    case PlanObjective::throughput: return "throughput";
    case PlanObjective::power: return "power";
  }
  return "latency";
}

Result<PlanObjective> parse_plan_objective(std::string_view text) {
  for (PlanObjective objective : {PlanObjective::latency, PlanObjective::throughput, PlanObjective::power})
    if (text == to_string(objective)) return objective;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("unknown objective '{}' (latency, throughput or power)", text));
}

namespace {

double tier_of(const Strategy& strategy, PlanObjective objective) {
  static const nlohmann::json tiers = [] {
    const auto content = data::find_embedded_file("planner/strategy-tiers.json");
    if (!content) return nlohmann::json::object();
    auto file = nlohmann::json::parse(*content, nullptr, false);
    return file.is_object() ? file.value("tiers", nlohmann::json::object()) : nlohmann::json::object();
  }();
  const std::string key = fmt::format("{}/{}", strategy.engine, strategy.device_kind);
  const auto& table = tiers.value(to_string(objective), nlohmann::json::object());
  return table.value(key, 0.0);
}

// The objective's metric, higher is better; 0 when there is no prediction.
double predicted_metric(const Strategy& strategy, PlanObjective objective) {
  const PredictedPerformance& predicted = strategy.predicted;
  const double tokens = predicted.tokens_per_second.value_or(0);
  if (objective == PlanObjective::power)
    return predicted.power_watts && *predicted.power_watts > 0 ? tokens / *predicted.power_watts : 0;
  return tokens;
}

Status check_options(const PlanOptions& options) {
  if (options.input_len < 1 || options.output_len < 1)
    return make_error(ErrorCode::invalid_argument, "input and output lengths must be at least 1 token");
  if (options.context_length < 0) return make_error(ErrorCode::invalid_argument, "context length must be >= 0");
  if (options.port < 0 || options.port > 65535)
    return make_error(ErrorCode::invalid_argument, fmt::format("port {} is not a TCP port", options.port));
  if (options.nodes < 1 || options.nodes > 1024)
    return make_error(ErrorCode::invalid_argument, fmt::format("nodes must be 1 to 1024, got {}", options.nodes));
  return ok_status();
}

}  // namespace

std::string EngineCommand::text() const {
  auto quote = [](const std::string& word) {
    const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_./:=,+@%").find(c) != std::string_view::npos;
    });
    if (plain) return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
  };
  std::string line;
  for (const auto& [name, value] : environment) line += fmt::format("{}={} ", name, quote(value));
  for (std::size_t index = 0; index < argv.size(); ++index) line += (index ? " " : "") + quote(argv[index]);
  return line;
}

Result<Plan> plan(const ModelDescription& model, const Inventory& inventory, const PlanOptions& options) {
  if (auto valid = check_options(options); !valid) return valid.error();
  const planner::MachineView machine = planner::make_machine_view(inventory);
  planner::PlanContext context{model, machine, options, {}, {}};
  planner::add_fastflowlm_strategies(context);
  planner::add_gpu_server_strategies(context);
  planner::add_llama_cpp_strategies(context);
  planner::add_onnxruntime_strategies(context);

  Plan result;
  result.model = model;
  result.objective = options.objective;
  for (Strategy& strategy : context.strategies) {
    strategy.score = tier_of(strategy, options.objective) * 1e6 +
                     std::min(predicted_metric(strategy, options.objective), 999999.0);
  }
  std::stable_sort(context.strategies.begin(), context.strategies.end(), [](const Strategy& a, const Strategy& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.ready && !b.ready;
  });
  result.strategies = std::move(context.strategies);
  result.rejected = std::move(context.rejected);
  if (machine.gpus.empty() && machine.npus.empty() && machine.igpus.empty())
    result.notes.push_back("no GPU or NPU found: only CPU strategies are possible");
  if (!machine.live) result.notes.push_back(fmt::format("machine read from the recorded tree {}: engines found by file "
                                                        "presence, not run", machine.sysroot));
  if (result.strategies.empty())
    result.notes.push_back(fmt::format("no way to run {} on this machine: see the rejected options", model.id));
  return result;
}

}  // namespace ual
