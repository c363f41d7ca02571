// The command builders of vLLM, TensorRT-LLM and llama.cpp against the flags each engine documents
// (data/engines/*.json, transcribed from the engines' references): what they emit, and what they refuse.
#include <gtest/gtest.h>

#include "engines/commands/documented_flags.hpp"
#include "engines/commands/server_commands.hpp"

namespace ual::engines {
namespace {

EngineDocumentation documentation(const char* stem) {
  auto loaded = load_engine_documentation(stem);
  EXPECT_TRUE(loaded.ok()) << stem;
  return loaded.ok() ? *loaded : EngineDocumentation{};
}

TEST(EngineCommands, VllmServeSingleNode) {
  VllmServeOptions options;
  options.model = "meta-llama/Llama-3.1-70B";
  options.tensor_parallel = 4;
  options.data_parallel = 2;
  options.quantization = "fp8";
  options.kv_cache_dtype = "fp8";
  options.max_model_len = 8192;
  options.host = "127.0.0.1";
  options.port = 8001;
  auto commands = build_vllm_commands(options);
  ASSERT_TRUE(commands.ok()) << commands.error().message;
  ASSERT_EQ(commands->size(), 1u);
  EXPECT_EQ(commands->front().text(),
            "vllm serve meta-llama/Llama-3.1-70B --host 127.0.0.1 --port 8001 --tensor-parallel-size 4 "
            "--data-parallel-size 2 --quantization fp8 --kv-cache-dtype fp8 --max-model-len 8192");
}

TEST(EngineCommands, VllmRefusesWhatItsDocumentationDoesNotAllow) {
  VllmServeOptions options;
  options.model = "m";
  options.quantization = "fp9";
  EXPECT_NE(build_vllm_commands(options).error().message.find("not one of the documented values"), std::string::npos);
  options.quantization = "";
  options.port = 70000;
  EXPECT_NE(build_vllm_commands(options).error().message.find("not a TCP port"), std::string::npos);
  options.port = 0;
  options.tensor_parallel = 0;
  EXPECT_FALSE(build_vllm_commands(options).ok());
  options.tensor_parallel = 16;
  options.nodes = 2;
  options.gpus_per_node = 8;
  EXPECT_NE(build_vllm_commands(options).error().message.find("head node's address"), std::string::npos);
  options.gpus_per_node = 4;
  options.head_address = "10.0.0.1";
  EXPECT_NE(build_vllm_commands(options).error().message.find("do not fit"), std::string::npos);
  options.model = "";
  EXPECT_FALSE(build_vllm_commands(options).ok());
}

TEST(EngineCommands, TensorRtLlmHasNoFp8FlagButAnOptionsFile) {
  TensorRtLlmServeOptions options;
  options.model = "nvidia/Llama-3.1-8B-Instruct-FP8";
  options.max_batch_size = 256;
  options.max_num_tokens = 8192;
  options.max_seq_len = 4096;
  options.kv_cache_free_gpu_memory_fraction = 0.9;
  options.fp8_kv_cache = true;
  options.port = 8000;
  auto commands = build_tensorrt_llm_commands(options);
  ASSERT_TRUE(commands.ok()) << commands.error().message;
  const std::string text = commands->front().text();
  EXPECT_EQ(text, "trtllm-serve nvidia/Llama-3.1-8B-Instruct-FP8 --port 8000 --backend pytorch --max_batch_size 256 "
                  "--max_num_tokens 8192 --max_seq_len 4096 --kv_cache_free_gpu_memory_fraction 0.9 "
                  "--extra_llm_api_options extra_llm_api_options.yaml");
  EXPECT_EQ(text.find("fp8 "), std::string::npos);
  EXPECT_NE(commands->front().files_note.find("dtype: fp8"), std::string::npos);
}

TEST(EngineCommands, TensorRtLlmAcrossNodesIsOneMpiJob) {
  TensorRtLlmServeOptions options;
  options.model = "nvidia/Llama-3.1-405B-Instruct-FP8";
  options.tensor_parallel = 8;
  options.pipeline_parallel = 2;
  options.nodes = 2;
  options.gpus_per_node = 8;
  auto commands = build_tensorrt_llm_commands(options);
  ASSERT_TRUE(commands.ok()) << commands.error().message;
  ASSERT_EQ(commands->size(), 1u);
  EXPECT_EQ(commands->front().text(),
            "mpirun --hostfile hostfile -np 16 trtllm-llmapi-launch trtllm-serve nvidia/Llama-3.1-405B-Instruct-FP8 "
            "--backend pytorch --tp_size 8 --pp_size 2");
  options.gpus_per_node = 4;
  EXPECT_FALSE(build_tensorrt_llm_commands(options).ok());
}

TEST(EngineCommands, LlamaServerNeedsExactlyOneModelSource) {
  LlamaCppServeOptions options;
  options.model_path = "/models/a.gguf";
  options.gpu_layers = 999;
  options.context_size = 8192;
  options.threads = 8;
  options.port = 8080;
  auto commands = build_llama_cpp_commands(options);
  ASSERT_TRUE(commands.ok()) << commands.error().message;
  EXPECT_EQ(commands->front().text(), "llama-server -m /models/a.gguf -ngl 999 -c 8192 --threads 8 --port 8080");
  options.hugging_face = "bartowski/x:Q4_K_M";
  EXPECT_FALSE(build_llama_cpp_commands(options).ok());
  options.model_path.clear();
  options.hugging_face.clear();
  EXPECT_FALSE(build_llama_cpp_commands(options).ok());
  options.model_path = "/models/a.gguf";
  options.gpu_layers = -1;
  EXPECT_FALSE(build_llama_cpp_commands(options).ok());
}

TEST(DocumentedFlags, CheckerRejectsUnknownRepeatedAndMalformedFlags) {
  const EngineDocumentation vllm = documentation("vllm");
  EXPECT_TRUE(check_documented_flags(vllm, "serve", {"model", "--tensor-parallel-size", "2"}).ok());
  EXPECT_NE(check_documented_flags(vllm, "serve", {"model", "--tp", "2"}).error().message.find("not a documented flag"),
            std::string::npos);
  EXPECT_NE(check_documented_flags(vllm, "serve", {"model", "--port", "1", "--port", "2"}).error().message.find("twice"),
            std::string::npos);
  EXPECT_FALSE(check_documented_flags(vllm, "serve", {"model", "--tensor-parallel-size", "0"}).ok());
  EXPECT_FALSE(check_documented_flags(vllm, "serve", {"model", "--gpu-memory-utilization", "1.5"}).ok());
  EXPECT_FALSE(check_documented_flags(vllm, "serve", {"model", "--max-model-len"}).ok());
  EXPECT_FALSE(check_documented_flags(vllm, "serve", {}).ok());                // the model is required
  EXPECT_FALSE(check_documented_flags(vllm, "serve", {"a", "b"}).ok());        // one positional
  EXPECT_FALSE(check_documented_flags(vllm, "bench", {"model"}).ok());        // undocumented subcommand
  const EngineDocumentation llama = documentation("llama-cpp");
  EXPECT_FALSE(check_documented_flags(llama, "serve", {"-ngl", "10"}).ok());  // -m or -hf required
  EXPECT_EQ(llama.default_port, 8080);
  EXPECT_EQ(llama.readiness_path, "/health");
  EXPECT_FALSE(load_engine_documentation("no-such-engine").ok());
}

}  // namespace
}  // namespace ual::engines
