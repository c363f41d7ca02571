// The flags an engine documents (data/engines/<engine>.json, transcribed from the engine's own reference with the
// source named there), and a check that a command line uses only those, with values of the documented kind. Every
// command builder checks its output with it, so ual never prints or launches a command the engine would reject for
// an unknown flag or a malformed value.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ual/result.hpp"

namespace ual::engines {

struct EngineDocumentation {
  std::string engine;        // "vllm"
  std::string program;       // "vllm"
  std::string version_followed;
  int default_port = 0;
  std::string readiness_path;
  std::string raw_json;      // the whole file, for engine-specific tables
};

// data/engines/<file_stem>.json; `file_stem` is "vllm", "tensorrt-llm", "llama-cpp".
Result<EngineDocumentation> load_engine_documentation(std::string_view file_stem);

// Checks argv (after the program and, where `subcommand` is given to the engine as a word, after it) against the
// documented flags of `subcommand` in the engine's file: every flag known, every value of its kind (port, positive
// integer, fraction, choice), no flag twice, the documented positional count, exactly one of each "one_of" group.
// The error names the flag and the rule.
Status check_documented_flags(const EngineDocumentation& documentation, std::string_view subcommand,
                              const std::vector<std::string>& arguments);

}  // namespace ual::engines
