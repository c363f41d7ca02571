#include "sim_cli.hpp"

#include <cstdio>

#include <fmt/format.h>

namespace ual::cli {

void add_target_options(CLI::App& app, SimTarget& target) {
  app.add_option("--model", target.model, "A catalog model id (see `ual sim catalog`) or a config.json path")
      ->required();
  app.add_option("--hardware", target.hardware, "A catalog hardware id such as h100-sxm")->required();
  app.add_option("--gpus", target.gpus, "Devices in total")->capture_default_str();
}

Result<ResolvedTarget> resolve_target(SimTarget& target) {
  auto model = sim::find_model(target.model);
  if (!model) return model.error();
  auto hardware = sim::find_hardware(target.hardware);
  if (!hardware) return hardware.error();
  return ResolvedTarget{std::move(model.value()), std::move(hardware.value())};
}

int report_usage_error(const char* command, const std::string& message) {
  fmt::print(stderr, "ual {}: {}\n", command, message);
  return 2;
}

int report_failure(const char* command, const std::string& message) {
  fmt::print(stderr, "ual {}: {}\n", command, message);
  return 1;
}

}  // namespace ual::cli
