// `llama-server` (data/engines/llama-cpp.json names the documentation followed).
#include <fmt/format.h>

#include "engines/commands/documented_flags.hpp"
#include "engines/commands/server_commands.hpp"

namespace ual::engines {

Result<std::vector<EngineCommand>> build_llama_cpp_commands(const LlamaCppServeOptions& options) {
  auto documentation = load_engine_documentation("llama-cpp");
  if (!documentation) return documentation.error();
  if (options.model_path.empty() == options.hugging_face.empty())
    return make_error(ErrorCode::invalid_argument, "llama-server: give exactly one of a GGUF file or a -hf repository");
  if (options.gpu_layers < 0 || options.context_size < 0 || options.threads < 0)
    return make_error(ErrorCode::invalid_argument, "llama-server: negative layer, context or thread count");
  std::vector<std::string> arguments;
  auto add = [&arguments](std::string flag, std::string value) {
    arguments.push_back(std::move(flag));
    arguments.push_back(std::move(value));
  };
  if (!options.model_path.empty()) add("-m", options.model_path);
  else add("-hf", options.hugging_face);
  add("-ngl", std::to_string(options.gpu_layers));
  if (options.context_size > 0) add("-c", std::to_string(options.context_size));
  if (options.threads > 0) add("--threads", std::to_string(options.threads));
  if (!options.host.empty()) add("--host", options.host);
  if (options.port != 0) add("--port", std::to_string(options.port));
  if (auto checked = check_documented_flags(*documentation, "serve", arguments); !checked) return checked.error();
  arguments.insert(arguments.begin(), documentation->program);
  return std::vector<EngineCommand>{{"server", std::move(arguments), {}, ""}};
}

}  // namespace ual::engines
