// Runs a program with arguments, captures its output with a size cap and kills it at a deadline, so a hung or
// chatty vendor tool (flm, xrt-smi) can never hang or flood discovery.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ual/result.hpp"

namespace ual {

struct ChildOutput {
  int exit_status = -1;       // exit code when the child exited normally
  bool exited_normally = false;
  int signal = 0;             // the signal that ended it otherwise
  std::string standard_output;
  std::string standard_error;
};

struct ChildOptions {
  std::chrono::milliseconds timeout{3000};
  std::size_t output_limit = 1u << 20;  // bytes kept per stream; the rest is read and dropped
};

// Errors: the program cannot be started (not found, not executable), or it ran past the timeout (it is killed).
Result<ChildOutput> run_child_process(const std::string& program, const std::vector<std::string>& arguments,
                                      const ChildOptions& options = {});

}  // namespace ual
