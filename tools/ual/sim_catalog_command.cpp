// `ual sim catalog`: the hardware and models HopperSim knows, with the figures it uses.
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "sim_cli.hpp"

namespace ual::cli {
namespace {

struct CatalogCommand {
  bool json = false;
};

int run_catalog(const CatalogCommand& command) {
  using json = nlohmann::ordered_json;
  json hardware = json::array(), models = json::array();
  for (const std::string& id : sim::hardware_ids()) {
    auto spec = sim::find_hardware(id);
    if (!spec) return report_failure("sim catalog", spec.error().message);
    json peaks = json::object();
    for (const auto& [precision, flops] : spec->peak_flops) peaks[sim::to_string(precision)] = flops / 1e12;
    hardware.push_back({{"id", spec->id}, {"name", spec->name}, {"kind", spec->kind}, {"vendor", spec->vendor},
                        {"arch", spec->arch}, {"peak_tflops", peaks}, {"memory_bytes", spec->memory_bytes},
                        {"memory_bytes_per_s", spec->memory_bytes_per_s}, {"scale_up", spec->scale_up.name}});
  }
  for (const std::string& id : sim::model_ids()) {
    auto spec = sim::find_model(id);
    if (!spec) return report_failure("sim catalog", spec.error().message);
    models.push_back({{"id", spec->id}, {"name", spec->name}, {"parameters", spec->parameters()},
                      {"active_parameters", spec->active_parameters()}, {"layers", spec->layers},
                      {"hidden", spec->hidden}, {"heads", spec->heads}, {"kv_heads", spec->kv_heads},
                      {"experts", spec->experts}});
  }
  if (command.json) {
    fmt::print("{}\n", json{{"hardware", hardware}, {"models", models}}.dump(2));
    return 0;
  }
  fmt::print("Hardware\n  {:<20} {:<5} {:<38} {:>10} {:>10} {:>9} {:>10}\n", "ID", "KIND", "NAME", "BF16 TF/s",
             "FP8 TF/s", "MEMORY", "BANDWIDTH");
  for (const json& item : hardware) {
    const json& peaks = item["peak_tflops"];
    auto peak = [&](const char* key) {
      return peaks.contains(key) ? fmt::format("{:.0f}", peaks[key].get<double>()) : std::string("-");
    };
    const double memory = item["memory_bytes"].get<double>();
    fmt::print("  {:<20} {:<5} {:<38} {:>10} {:>10} {:>9} {:>7.0f} GB/s\n", item["id"].get<std::string>(),
               item["kind"].get<std::string>(), item["name"].get<std::string>().substr(0, 38), peak("bf16"),
               peak("fp8"), memory > 0 ? format_bytes(static_cast<std::uint64_t>(memory)) : std::string("shared"),
               item["memory_bytes_per_s"].get<double>() / 1e9);
  }
  fmt::print("\nModels\n  {:<16} {:>12} {:>12} {:>7} {:>7} {:>6} {:>9} {:>8}\n", "ID", "PARAMETERS", "ACTIVE",
             "LAYERS", "HIDDEN", "HEADS", "KV HEADS", "EXPERTS");
  for (const json& item : models)
    fmt::print("  {:<16} {:>11.2f}B {:>11.2f}B {:>7} {:>7} {:>6} {:>9} {:>8}\n", item["id"].get<std::string>(),
               item["parameters"].get<double>() / 1e9, item["active_parameters"].get<double>() / 1e9,
               item["layers"].get<int>(), item["hidden"].get<int>(), item["heads"].get<int>(),
               item["kv_heads"].get<int>(), item["experts"].get<int>());
  return 0;
}

}  // namespace

void add_sim_catalog_command(CLI::App& sim, Action& action) {
  auto command = std::make_shared<CatalogCommand>();
  CLI::App* app = sim.add_subcommand("catalog", "The hardware and model ids HopperSim knows, with their figures");
  app->add_flag("--json", command->json, "Machine-readable output");
  app->callback([command, &action] { action = [command] { return run_catalog(*command); }; });
}

}  // namespace ual::cli
