// `trtllm-serve` (data/engines/tensorrt-llm.json names the documentation followed). FP8 is not a flag: the model
// must be an FP8 checkpoint (ModelOpt), and an FP8 KV cache is set in the --extra_llm_api_options YAML file.
#include <fmt/format.h>

#include "engines/commands/documented_flags.hpp"
#include "engines/commands/server_commands.hpp"

namespace ual::engines {

Result<std::vector<EngineCommand>> build_tensorrt_llm_commands(const TensorRtLlmServeOptions& options) {
  auto documentation = load_engine_documentation("tensorrt-llm");
  if (!documentation) return documentation.error();
  if (options.model.empty()) return make_error(ErrorCode::invalid_argument, "trtllm-serve: no model given");
  if (options.tensor_parallel < 1 || options.pipeline_parallel < 1 || options.nodes < 1)
    return make_error(ErrorCode::invalid_argument, "trtllm-serve: parallel sizes and node count must be >= 1");
  const int world_size = options.tensor_parallel * options.pipeline_parallel;
  if (options.nodes > 1 && (options.gpus_per_node < 1 || world_size > options.nodes * options.gpus_per_node))
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("trtllm-serve: {} ranks do not fit {} node(s) of {} GPU(s)", world_size,
                                  options.nodes, options.gpus_per_node));

  std::vector<std::string> arguments{options.model};
  auto add = [&arguments](std::string flag, std::string value) {
    arguments.push_back(std::move(flag));
    arguments.push_back(std::move(value));
  };
  if (!options.host.empty()) add("--host", options.host);
  if (options.port != 0) add("--port", std::to_string(options.port));
  add("--backend", "pytorch");
  if (options.tensor_parallel > 1) add("--tp_size", std::to_string(options.tensor_parallel));
  if (options.pipeline_parallel > 1) add("--pp_size", std::to_string(options.pipeline_parallel));
  if (options.max_batch_size > 0) add("--max_batch_size", std::to_string(options.max_batch_size));
  if (options.max_num_tokens > 0) add("--max_num_tokens", std::to_string(options.max_num_tokens));
  if (options.max_seq_len > 0) add("--max_seq_len", std::to_string(options.max_seq_len));
  if (options.kv_cache_free_gpu_memory_fraction > 0)
    add("--kv_cache_free_gpu_memory_fraction", fmt::format("{:g}", options.kv_cache_free_gpu_memory_fraction));
  std::string files_note;
  if (options.fp8_kv_cache) {
    add("--extra_llm_api_options", options.extra_options_path);
    files_note = fmt::format("write {} first:\nkv_cache_config:\n  dtype: fp8\n", options.extra_options_path);
  }
  if (auto checked = check_documented_flags(*documentation, "serve", arguments); !checked) return checked.error();
  arguments.insert(arguments.begin(), documentation->program);

  if (options.nodes == 1) return std::vector<EngineCommand>{{"server", std::move(arguments), {}, files_note}};
  // One MPI job across the nodes: mpirun starts a rank per GPU on every host of the hostfile.
  std::vector<std::string> launcher{"mpirun", "--hostfile", options.hostfile, "-np", std::to_string(world_size),
                                    "trtllm-llmapi-launch"};
  launcher.insert(launcher.end(), arguments.begin(), arguments.end());
  std::string note = fmt::format("run on node 0; {} lists the {} nodes, one line each: '<host> slots={}'",
                                 options.hostfile, options.nodes, options.gpus_per_node);
  if (!files_note.empty()) note += "; " + files_note;
  return std::vector<EngineCommand>{{"launcher", std::move(launcher), {}, note}};
}

}  // namespace ual::engines
