// Command builders for the GPU/CPU serving engines the planner routes to: vLLM (`vllm serve`), TensorRT-LLM
// (`trtllm-serve`) and llama.cpp (`llama-server`). Each returns the processes to start, one per node role when the
// server spans nodes (on the engine's own distributed runtime: a Ray cluster for vLLM, one MPI job for TensorRT-LLM),
// and checks every command against the engine's documented flags (documented_flags.hpp) before returning it.
#pragma once

#include <string>
#include <vector>

#include "ual/plan.hpp"
#include "ual/result.hpp"

namespace ual::engines {

struct VllmServeOptions {
  std::string model;            // Hugging Face repo or local directory
  int tensor_parallel = 1;
  int pipeline_parallel = 1;
  int data_parallel = 1;
  std::string quantization;     // "" (the checkpoint's own), "fp8", "bitsandbytes", ...
  std::string kv_cache_dtype;   // "" (auto), "fp8", ...
  int max_model_len = 0;        // 0: the model's
  double gpu_memory_utilization = 0;  // 0: vLLM's default (0.9)
  double cpu_offload_gb = 0;    // per GPU, weights kept in host memory (layer-wise offload)
  std::string host;
  int port = 0;                 // 0: vLLM's default, 8000
  int nodes = 1;
  int gpus_per_node = 0;        // multi-node: GPUs on each node
  std::string head_address;     // multi-node: where workers reach the Ray head
  int ray_port = 6379;
};
Result<std::vector<EngineCommand>> build_vllm_commands(const VllmServeOptions& options);

struct TensorRtLlmServeOptions {
  std::string model;            // Hugging Face repo (an FP8 ModelOpt checkpoint for FP8) or local directory
  int tensor_parallel = 1;
  int pipeline_parallel = 1;
  int max_batch_size = 0;       // 0: engine default
  int max_num_tokens = 0;
  int max_seq_len = 0;
  double kv_cache_free_gpu_memory_fraction = 0;
  bool fp8_kv_cache = false;    // written to the --extra_llm_api_options file
  std::string extra_options_path = "extra_llm_api_options.yaml";
  std::string host;
  int port = 0;
  int nodes = 1;
  int gpus_per_node = 0;
  std::string hostfile = "hostfile";  // multi-node: MPI hostfile, one line per node
};
Result<std::vector<EngineCommand>> build_tensorrt_llm_commands(const TensorRtLlmServeOptions& options);

struct LlamaCppServeOptions {
  std::string model_path;       // a local GGUF file (-m), or
  std::string hugging_face;     // "<user>/<repo>[:quant]" (-hf)
  int gpu_layers = 0;           // -ngl: layers offloaded to the GPU (0: CPU only; 999: all)
  int context_size = 0;         // -c (0: the model's)
  int threads = 0;              // --threads (0: llama.cpp's default)
  std::string host;
  int port = 0;
};
Result<std::vector<EngineCommand>> build_llama_cpp_commands(const LlamaCppServeOptions& options);

}  // namespace ual::engines
