// `ual`: the Unified Acceleration Layer's command line. Exit codes: 0 ok, 2 bad usage, 1 failure (on stderr).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "commands.hpp"
#include "ual/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"ual: find this machine's accelerators and run AI hot paths on the best one", "ual"};
  app.set_version_flag("--version", fmt::format("ual {}", ual::version()));
  app.require_subcommand(1);
  app.footer("Run `ual <command> --help` for a command's options.");

  ual::cli::Action action;
  auto commands = ual::cli::registered_commands();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, add] : commands) add(app, action);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    app.exit(error);  // prints the message and the usage line to stderr
    return 2;
  }
  int exit_code = 2;
  try {
    exit_code = action ? action() : 2;
  } catch (const std::exception& error) {
    fmt::print(stderr, "ual: {}\n", error.what());
    return 1;
  }
  // Output that never arrived (a full disk, a closed pipe) is a failure, not success.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    fmt::print(stderr, "ual: could not write the output\n");
    return 1;
  }
  return exit_code;
}
