// The `ual` command's subcommands: each file adds one to the CLI11 app and sets the action it runs.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <utility>
#include <vector>

namespace ual::cli {

// A subcommand's action returns the process exit code (0 ok, 1 failure explained on stderr).
using Action = std::function<int()>;

// Top-level subcommands register themselves from their own file, so adding one touches no other file:
//   static const CommandRegistration registration{"serve", 40, add_serve_command};
// `order` sorts them in `ual --help`.
using AddCommand = void (*)(CLI::App& app, Action& action);
struct CommandRegistration {
  CommandRegistration(const char* name, int order, AddCommand add);
};
// Every registered command, sorted by order (main.cpp adds them).
std::vector<std::pair<int, AddCommand>>& registered_commands();

void add_devices_command(CLI::App& app, Action& action);
void add_bench_command(CLI::App& app, Action& action);
void add_sim_command(CLI::App& app, Action& action);
// `ual sim` subcommands, each in its own file.
void add_sim_partition_command(CLI::App& sim, Action& action);
void add_sim_schedule_command(CLI::App& sim, Action& action);
void add_sim_catalog_command(CLI::App& sim, Action& action);

// Human-readable byte counts: "80 GiB", "48 KiB".
std::string format_bytes(std::uint64_t bytes);

}  // namespace ual::cli
