// `ual plan --json` (the contract in include/ual/plan.hpp).
#include <nlohmann/json.hpp>

#include "ual/plan.hpp"

namespace ual {

namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

json strategy_json(const Strategy& strategy) {
  json commands = json::array();
  for (const EngineCommand& command : strategy.commands) {
    json environment = json::object();
    for (const auto& [name, value] : command.environment) environment[name] = value;
    commands.push_back({{"role", command.role},
                        {"argv", command.argv},
                        {"environment", environment},
                        {"text", command.text()},
                        {"note", command.files_note}});
  }
  std::string command_text;
  for (const EngineCommand& command : strategy.commands)
    command_text += (command_text.empty() ? "" : "\n") + command.text();
  const PredictedPerformance& predicted = strategy.predicted;
  return {{"engine", strategy.engine},
          {"device", strategy.device},
          {"device_kind", strategy.device_kind},
          {"precision", strategy.precision},
          {"partition",
           {{"tensor_parallel", strategy.partition.tensor_parallel},
            {"pipeline_parallel", strategy.partition.pipeline_parallel},
            {"instances", strategy.partition.instances},
            {"nodes", strategy.partition.nodes},
            {"gpu_layers", strategy.partition.gpu_layers},
            {"total_layers", strategy.partition.total_layers}}},
          {"command", command_text},
          {"commands", commands},
          {"ready", strategy.ready},
          {"requires", strategy.requirements},
          {"predicted",
           {{"time_to_first_token_ms", optional_number(predicted.time_to_first_token_ms)},
            {"tokens_per_second", optional_number(predicted.tokens_per_second)},
            {"memory_bytes_per_device", optional_number(predicted.memory_bytes_per_device)},
            {"power_watts", optional_number(predicted.power_watts)},
            {"source", predicted.source}}},
          {"reasons", strategy.reasons},
          {"score", strategy.score},
          {"endpoint", strategy.endpoint},
          {"readiness_path", strategy.readiness_path}};
}

}  // namespace

std::string to_json(const Plan& plan, int indent) {
  json strategies = json::array();
  for (const Strategy& strategy : plan.strategies) strategies.push_back(strategy_json(strategy));
  json rejected = json::array();
  for (const RejectedStrategy& option : plan.rejected)
    rejected.push_back({{"engine", option.engine}, {"device", option.device}, {"reason", option.reason}});
  const json model = json::parse(to_json(plan.model, -1), nullptr, false);
  json document = {{"model", model.is_discarded() ? json(plan.model.id) : model},
                   {"objective", to_string(plan.objective)},
                   {"strategies", strategies},
                   {"rejected", rejected},
                   {"notes", plan.notes}};
  return document.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace ual
