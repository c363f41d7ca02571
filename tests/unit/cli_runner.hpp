// Runs the built `ual` command (UAL_CLI_PATH, set by CMake) as a user would, for the CLI tests: exit code, stdout and
// stderr, with a deadline and an output cap so a hung or chatty command fails the test instead of hanging it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/child_process.hpp"

namespace ual::testing {

struct CliResult {
  int exit_code = -1;
  std::string output;
  std::string error;
};

// `environment`: "NAME=value" entries set for the command (through /usr/bin/env).
inline CliResult run_cli(const std::vector<std::string>& arguments, const std::vector<std::string>& environment = {}) {
  std::string program = UAL_CLI_PATH;
  std::vector<std::string> command;
  if (!environment.empty()) {
    program = "/usr/bin/env";
    command = environment;
    command.push_back(UAL_CLI_PATH);
  }
  command.insert(command.end(), arguments.begin(), arguments.end());
  const auto result = run_child_process(program, command, ChildOptions{std::chrono::seconds(120), 4u << 20});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  EXPECT_TRUE(result->exited_normally) << "signal " << result->signal;
  return {result->exit_status, result->standard_output, result->standard_error};
}

}  // namespace ual::testing
