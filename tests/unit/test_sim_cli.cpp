// `ual sim infer|train|catalog` run as a user runs them: the JSON answers carry the library's numbers, bad usage
// exits 2 with the reason, a deployment that does not fit exits 1 saying by how much, and seeded runs repeat.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "ual/sim.hpp"

namespace ual::sim {
namespace {

using testing::CliResult;
using testing::run_cli;

nlohmann::json run_json(const std::vector<std::string>& arguments) {
  const CliResult result = run_cli(arguments);
  EXPECT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << result.output;
  return json.is_discarded() ? nlohmann::json::object() : json;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::vector<std::string> infer_8b = {"sim", "infer", "--model", "llama-3.1-8b", "--hardware", "h100-sxm",
                                           "--input-len", "1024", "--output-len", "256"};

std::vector<std::string> with(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

// ---------------------------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------------------------

TEST(SimCli, InferJsonCarriesTheLibrarysEstimate) {
  const nlohmann::json json = run_json(with(infer_8b, {"--batch", "16", "--precision", "bf16", "--json"}));
  for (const char* key : {"throughput_tokens_per_s", "requests_per_s", "ttft_ms", "tpot_ms", "e2e_latency_ms",
                          "batch", "max_batch_that_fits", "instances", "memory_per_gpu", "decode_step_s", "notes"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_EQ(json["model"], "llama-3.1-8b");
  EXPECT_EQ(json["hardware"], "h100-sxm");
  EXPECT_EQ(json["precision"], "bf16");
  EXPECT_EQ(json["mode"], "batch");
  EXPECT_EQ(json["batch"], 16);
  for (const char* key : {"weights_bytes", "kv_cache_bytes", "activation_bytes", "reserved_bytes", "used_bytes",
                          "capacity_bytes"})
    EXPECT_TRUE(json["memory_per_gpu"].contains(key)) << key;
  EXPECT_LE(json["memory_per_gpu"]["used_bytes"].get<double>(), json["memory_per_gpu"]["capacity_bytes"].get<double>());

  // The same question through the library gives the same numbers.
  InferenceOptions options;
  options.precision = Precision::bf16;
  options.input_len = 1024;
  options.output_len = 256;
  options.mode = InferenceMode::batch;
  options.batch = 16;
  auto expected = estimate_inference(*find_model("llama-3.1-8b"), *find_hardware("h100-sxm"), options);
  ASSERT_TRUE(expected.ok()) << expected.error().message;
  EXPECT_DOUBLE_EQ(json["throughput_tokens_per_s"].get<double>(), expected->throughput_tokens_per_s);
  EXPECT_DOUBLE_EQ(json["ttft_ms"].get<double>(), expected->ttft_ms);
  EXPECT_DOUBLE_EQ(json["tpot_ms"].get<double>(), expected->tpot_ms);
  EXPECT_DOUBLE_EQ(json["memory_per_gpu"]["weights_bytes"].get<double>(), expected->memory_per_gpu.weights_bytes);
  // Every decode step streams the 16 GB of BF16 weights, at best at the datasheet's 3.35 TB/s.
  EXPECT_GT(json["tpot_ms"].get<double>(), 16.06e9 / 3.35e12 * 1e3);
}

TEST(SimCli, InferTextNamesTheFigures) {
  const CliResult result = run_cli(with(infer_8b, {"--batch", "4"}));
  ASSERT_EQ(result.exit_code, 0) << result.error;
  for (const char* part : {"llama-3.1-8b", "h100-sxm", "throughput", "TTFT", "TPOT", "memory per GPU", "decode step"})
    EXPECT_TRUE(contains(result.output, part)) << part << " in\n" << result.output;
}

TEST(SimCli, InferTakesAConfigJsonPath) {
  const std::filesystem::path directory =
      std::filesystem::temp_directory_path() / ("ual-sim-cli-" + std::to_string(getpid()));
  std::filesystem::create_directories(directory);
  const std::filesystem::path config = directory / "config.json";
  std::ofstream(config) << R"({"model_type": "llama", "hidden_size": 2048, "intermediate_size": 8192,
    "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
    "vocab_size": 128256, "tie_word_embeddings": true, "max_position_embeddings": 131072})";
  const nlohmann::json json = run_json({"sim", "infer", "--model", config.string(), "--hardware", "h100-sxm",
                                        "--input-len", "128", "--output-len", "32", "--batch", "2", "--json"});
  std::filesystem::remove_all(directory);
  EXPECT_EQ(json["model"], config.string());
  // Llama 3.2 1B's shape: 1.24B parameters, in FP8 (the default) with a 16-bit embedding about 1.5 GB.
  EXPECT_GT(json["memory_per_gpu"]["weights_bytes"].get<double>(), 1.2e9);
  EXPECT_LT(json["memory_per_gpu"]["weights_bytes"].get<double>(), 2.5e9);
}

TEST(SimCli, TrainJson) {
  const nlohmann::json json =
      run_json({"sim", "train", "--model", "gpt-3-175b", "--hardware", "a100-sxm-80gb", "--gpus", "64", "--tp", "8",
                "--pp", "8", "--global-batch", "64", "--sequence-parallel", "--json"});
  for (const char* key : {"step_time_s", "mfu", "hfu", "tokens_per_s", "model_flops_per_step", "micro_batches",
                          "pipeline_bubble_fraction", "time_s", "memory_per_gpu"})
    EXPECT_TRUE(json.contains(key)) << key;
  EXPECT_GT(json["mfu"].get<double>(), 0);
  EXPECT_LT(json["mfu"].get<double>(), 1);
  EXPECT_EQ(json["dp"], 1);
  EXPECT_EQ(json["recompute"], "selective");
  EXPECT_EQ(json["sequence_parallel"], true);
  // Korthikanti et al.: 72 B s l h^2 (1 + s/6h + V/12hl) model FLOPs per step.
  const double B = 64, s = 2048, l = 96, h = 12288, V = 51200;
  const double korthikanti = 72 * B * s * l * h * h * (1 + s / (6 * h) + V / (12 * h * l));
  EXPECT_NEAR(json["model_flops_per_step"].get<double>() / korthikanti, 1.0, 0.01);
  EXPECT_NEAR(json["tokens_per_s"].get<double>() * json["step_time_s"].get<double>(), B * s, 1e-6 * B * s);
}

TEST(SimCli, TrainText) {
  const CliResult result = run_cli({"sim", "train", "--model", "megatron-22b", "--hardware", "h100-sxm", "--gpus",
                                    "8", "--tp", "8", "--global-batch", "4", "--recompute", "full"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  for (const char* part : {"step time", "MFU", "memory per GPU", "full recompute"})
    EXPECT_TRUE(contains(result.output, part)) << part << " in\n" << result.output;
}

TEST(SimCli, CatalogJsonListsEveryId) {
  const nlohmann::json json = run_json({"sim", "catalog", "--json"});
  ASSERT_TRUE(json["hardware"].is_array());
  ASSERT_TRUE(json["models"].is_array());
  std::set<std::string> hardware, models;
  for (const auto& item : json["hardware"]) hardware.insert(item["id"].get<std::string>());
  for (const auto& item : json["models"]) models.insert(item["id"].get<std::string>());
  const auto hardware_list = hardware_ids();
  const auto model_list = model_ids();
  EXPECT_EQ(hardware, std::set<std::string>(hardware_list.begin(), hardware_list.end()));
  EXPECT_EQ(models, std::set<std::string>(model_list.begin(), model_list.end()));
  for (const auto& item : json["models"])
    if (item["id"] == "llama-3.1-8b") {
      EXPECT_EQ(item["parameters"].get<std::uint64_t>(), 8'030'261'248ull);
    }
  for (const auto& item : json["hardware"])
    if (item["id"] == "h100-sxm") {
      EXPECT_NEAR(item["peak_tflops"]["bf16"].get<double>(), 989.4, 0.5);
      EXPECT_NEAR(item["peak_tflops"]["fp8"].get<double>(), 1978.9, 0.5);
    }
}

TEST(SimCli, CatalogText) {
  const CliResult result = run_cli({"sim", "catalog"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  for (const std::string& id : hardware_ids()) EXPECT_TRUE(contains(result.output, id)) << id;
  for (const std::string& id : model_ids()) EXPECT_TRUE(contains(result.output, id)) << id;
}

// ---------------------------------------------------------------------------------------------------------------
// Seeds
// ---------------------------------------------------------------------------------------------------------------

TEST(SimCli, RequestRateRunsRepeatPerSeed) {
  const auto arguments = with(infer_8b, {"--request-rate", "20", "--num-requests", "500", "--json"});
  const CliResult first = run_cli(arguments);
  const CliResult again = run_cli(arguments);
  ASSERT_EQ(first.exit_code, 0) << first.error;
  EXPECT_EQ(first.output, again.output);
  const nlohmann::json one = nlohmann::json::parse(first.output);
  EXPECT_EQ(one["mode"], "request_rate");
  EXPECT_NEAR(one["requests_per_s"].get<double>(), 20, 3) << "below saturation, completions keep up with arrivals";
  const nlohmann::json reseeded = run_json(with(arguments, {"--seed", "7"}));
  EXPECT_NE(reseeded["ttft_ms"].get<double>(), one["ttft_ms"].get<double>());
}

// ---------------------------------------------------------------------------------------------------------------
// Usage errors (exit 2) and failures (exit 1)
// ---------------------------------------------------------------------------------------------------------------

TEST(SimCli, HelpExitsZero) {
  for (const auto& arguments : std::vector<std::vector<std::string>>{
           {"sim", "--help"}, {"sim", "infer", "--help"}, {"sim", "train", "--help"}, {"sim", "catalog", "--help"}}) {
    const CliResult result = run_cli(arguments);
    EXPECT_EQ(result.exit_code, 0) << arguments[1] << ": " << result.error;
    EXPECT_TRUE(contains(result.output, "--")) << result.output;
  }
  const CliResult infer = run_cli({"sim", "infer", "--help"});
  for (const char* option : {"--model", "--hardware", "--input-len", "--batch", "--request-rate", "--seed"})
    EXPECT_TRUE(contains(infer.output, option)) << option;
}

TEST(SimCli, UnknownModelOrHardwareIsUsageErrorListingKnownIds) {
  CliResult result = run_cli({"sim", "infer", "--model", "llama-9", "--hardware", "h100-sxm", "--input-len", "128",
                              "--output-len", "128"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.error, "llama-9")) << result.error;
  EXPECT_TRUE(contains(result.error, "llama-3.1-8b")) << result.error;
  EXPECT_TRUE(contains(result.error, "mixtral-8x7b")) << result.error;
  result = run_cli({"sim", "infer", "--model", "llama-3.1-8b", "--hardware", "h900", "--input-len", "128",
                    "--output-len", "128"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.error, "h100-sxm")) << result.error;
  result = run_cli({"sim", "train", "--model", "gpt-4", "--hardware", "h100-sxm", "--global-batch", "8"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.error, "gpt-3-175b")) << result.error;
}

TEST(SimCli, ModelThatDoesNotFitExitsOneSayingHowMuch) {
  CliResult result = run_cli({"sim", "infer", "--model", "llama-3.1-405b", "--hardware", "h100-sxm", "--input-len",
                              "1024", "--output-len", "128", "--precision", "fp8", "--batch", "1"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "short")) << result.error;
  EXPECT_TRUE(result.output.empty()) << result.output;
  result = run_cli({"sim", "train", "--model", "gpt-3-175b", "--hardware", "a100-sxm-80gb", "--gpus", "8", "--tp",
                    "8", "--global-batch", "8"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "GiB short")) << result.error;
}

TEST(SimCli, ImpossibleDeploymentsExitOne) {
  // FP8 on Ampere, a TP that does not divide 32 heads, a batch the KV cache cannot hold.
  CliResult result = run_cli(with({"sim", "infer", "--model", "llama-3.1-8b", "--hardware", "a100-sxm-80gb",
                                   "--input-len", "128", "--output-len", "128"},
                                  {"--precision", "fp8", "--batch", "1"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "no fp8")) << result.error;
  result = run_cli(with(infer_8b, {"--gpus", "3", "--tp", "3", "--batch", "1"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "heads")) << result.error;
  result = run_cli(with(infer_8b, {"--batch", "1000000"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "does not fit")) << result.error;
  result = run_cli(with(infer_8b, {"--kv-cache", "int4", "--batch", "1"}));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "int4")) << result.error;
}

TEST(SimCli, MissingOrConflictingOptionsAreUsageErrors) {
  const std::vector<std::vector<std::string>> cases = {
      {"sim"},
      {"sim", "infer", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--output-len", "128"},
      {"sim", "infer", "--hardware", "h100-sxm", "--input-len", "128", "--output-len", "128"},
      {"sim", "train", "--model", "megatron-22b", "--hardware", "h100-sxm"},
      {"sim", "infer", "--model", "llama-3.1-8b", "--hardware", "h100-sxm", "--input-len", "many", "--output-len",
       "128"},
      {"sim", "catalog", "--bogus"}};
  for (const auto& arguments : cases) {
    const CliResult result = run_cli(arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments.back() << ": " << result.output;
    EXPECT_FALSE(result.error.empty());
  }
  CliResult both = run_cli(with(infer_8b, {"--batch", "8", "--request-rate", "5"}));
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_TRUE(contains(both.error, "--batch")) << both.error;
  both = run_cli(with(infer_8b, {"--batch", "8", "--offline"}));
  EXPECT_EQ(both.exit_code, 2);
  const CliResult precision = run_cli(with(infer_8b, {"--precision", "fp6", "--batch", "1"}));
  EXPECT_EQ(precision.exit_code, 2);
  EXPECT_TRUE(contains(precision.error, "fp6")) << precision.error;
  const CliResult recompute = run_cli({"sim", "train", "--model", "megatron-22b", "--hardware", "h100-sxm", "--gpus",
                                       "8", "--tp", "8", "--global-batch", "4", "--recompute", "most"});
  EXPECT_EQ(recompute.exit_code, 2);
  EXPECT_TRUE(contains(recompute.error, "most")) << recompute.error;
}

TEST(SimCli, NonPositiveRequestRateFails) {
  for (const char* rate : {"0", "-2"}) {
    const CliResult result = run_cli(with(infer_8b, {"--request-rate", rate, "--num-requests", "10"}));
    EXPECT_NE(result.exit_code, 0) << rate;
    EXPECT_TRUE(contains(result.error, "--request-rate")) << result.error;
  }
}

}  // namespace
}  // namespace ual::sim
