// `vllm serve` (data/engines/vllm.json names the documentation followed).
#include <fmt/format.h>

#include "engines/commands/documented_flags.hpp"
#include "engines/commands/server_commands.hpp"

namespace ual::engines {

namespace {

std::string number_text(double value) { return fmt::format("{:g}", value); }

}  // namespace

Result<std::vector<EngineCommand>> build_vllm_commands(const VllmServeOptions& options) {
  auto documentation = load_engine_documentation("vllm");
  if (!documentation) return documentation.error();
  if (options.model.empty()) return make_error(ErrorCode::invalid_argument, "vllm serve: no model given");
  if (options.tensor_parallel < 1 || options.pipeline_parallel < 1 || options.data_parallel < 1 || options.nodes < 1)
    return make_error(ErrorCode::invalid_argument, "vllm serve: parallel sizes and node count must be >= 1");
  const int ranks = options.tensor_parallel * options.pipeline_parallel * options.data_parallel;
  if (options.nodes > 1) {
    if (options.gpus_per_node < 1 || ranks > options.nodes * options.gpus_per_node)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("vllm serve: {} GPU ranks do not fit {} node(s) of {} GPU(s)", ranks,
                                    options.nodes, options.gpus_per_node));
    if (options.head_address.empty())
      return make_error(ErrorCode::invalid_argument, "vllm serve: a multi-node launch needs the head node's address");
  }

  std::vector<std::string> arguments{"serve", options.model};
  auto add = [&arguments](std::string flag, std::string value) {
    arguments.push_back(std::move(flag));
    arguments.push_back(std::move(value));
  };
  if (!options.host.empty()) add("--host", options.host);
  if (options.port != 0) add("--port", std::to_string(options.port));
  if (options.tensor_parallel > 1) add("--tensor-parallel-size", std::to_string(options.tensor_parallel));
  if (options.pipeline_parallel > 1) add("--pipeline-parallel-size", std::to_string(options.pipeline_parallel));
  if (options.data_parallel > 1) add("--data-parallel-size", std::to_string(options.data_parallel));
  if (!options.quantization.empty()) add("--quantization", options.quantization);
  if (!options.kv_cache_dtype.empty()) add("--kv-cache-dtype", options.kv_cache_dtype);
  if (options.max_model_len > 0) add("--max-model-len", std::to_string(options.max_model_len));
  if (options.gpu_memory_utilization > 0) add("--gpu-memory-utilization", number_text(options.gpu_memory_utilization));
  if (options.cpu_offload_gb > 0) add("--cpu-offload-gb", number_text(options.cpu_offload_gb));
  if (options.nodes > 1) add("--distributed-executor-backend", "ray");

  const std::vector<std::string> flags(arguments.begin() + 1, arguments.end());
  if (auto checked = check_documented_flags(*documentation, "serve", flags); !checked) return checked.error();

  std::vector<EngineCommand> commands;
  if (options.nodes > 1) {
    const std::string ray_port = std::to_string(options.ray_port);
    commands.push_back({"head", {"ray", "start", "--head", "--port=" + ray_port}, {}, "run first, on node 0"});
    commands.push_back({"worker",
                        {"ray", "start", fmt::format("--address={}:{}", options.head_address, ray_port)},
                        {},
                        fmt::format("run on each of the other {} node(s), after the head", options.nodes - 1)});
  }
  arguments.insert(arguments.begin(), documentation->program);
  commands.push_back({"server", std::move(arguments), {},
                      options.nodes > 1 ? "run on node 0 once every worker has joined the Ray cluster" : ""});
  return commands;
}

}  // namespace ual::engines
