// Options and error reporting the `ual sim` subcommands share.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "ual/sim.hpp"

namespace ual::cli {

struct SimTarget {
  std::string model, hardware;
  int gpus = 1;
};

struct ResolvedTarget {
  sim::ModelSpec model;
  sim::HardwareSpec hardware;
};

// --model, --hardware, --gpus.
void add_target_options(CLI::App& app, SimTarget& target);
Result<ResolvedTarget> resolve_target(SimTarget& target);

// "ual <command>: message" on stderr; exit code 2 (bad usage) or 1 (a failure the message explains).
int report_usage_error(const char* command, const std::string& message);
int report_failure(const char* command, const std::string& message);

}  // namespace ual::cli
