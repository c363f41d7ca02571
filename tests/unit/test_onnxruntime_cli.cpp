// `ual run` as a user runs it: real models on the CPU provider, outputs written as .npy and compared with numpy,
// the providers report in text and JSON, exit 2 for bad usage and 1 with the reason for every failure.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"
#include "../../engines/onnxruntime/npy_file.hpp"
#include "test_onnxruntime_support.hpp"

namespace ual::onnxruntime {
namespace {

using testing::generated_models;

using ual::testing::CliResult;
using ual::testing::run_cli;

std::string model(const std::string& name) { return (generated_models().directory / (name + ".onnx")).string(); }
std::string array(const std::string& name) { return (generated_models().directory / (name + ".npy")).string(); }
std::string output_dir(const std::string& test) { return (testing::scratch_directory() / ("out-" + test)).string(); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

HostTensor read_output(const std::string& path) {
  auto tensor = read_npy_file(path);
  EXPECT_TRUE(tensor.ok()) << (tensor.ok() ? "" : tensor.error().message);
  return tensor.ok() ? std::move(tensor.value()) : HostTensor{};
}

TEST(OnnxRuntimeCli, MlpJsonAndOutputFilesMatchNumpy) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const std::string directory = output_dir("mlp");
  const CliResult result = run_cli({"run", model("mlp"), "--input", "x=" + array("mlp.x"), "--output-dir", directory,
                                    "--policy", "prefer_npu", "--threads", "1", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.output;
  EXPECT_EQ(json["policy"], "prefer_npu");
  EXPECT_FALSE(json["onnxruntime"]["version"].get<std::string>().empty());
  EXPECT_EQ(json["providers"]["appended"].back()["name"], "CPUExecutionProvider");
  EXPECT_FALSE(json["providers"]["skipped"].empty());
  ASSERT_EQ(json["outputs"].size(), 1u);
  EXPECT_EQ(json["outputs"][0]["name"], "y");
  EXPECT_EQ(json["outputs"][0]["dtype"], "float32");
  EXPECT_EQ(json["outputs"][0]["shape"], nlohmann::json::array({5, 3}));
  EXPECT_EQ(json["outputs"][0]["file"], directory + "/y.npy");
  HostTensor y = read_output(directory + "/y.npy");
  y.name = "y";
  testing::expect_tensors_close(y, testing::load_array("mlp.y"), 1e-5, 1e-6);
}

TEST(OnnxRuntimeCli, AttentionTextReportListsProvidersAndOutputs) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const std::string directory = output_dir("attention");
  const CliResult result = run_cli({"run", model("attention"), "-i", "x=" + array("attention.x"), "-o", directory,
                                    "--policy", "prefer_cpu"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  EXPECT_TRUE(contains(result.output, "appended  CPUExecutionProvider")) << result.output;
  EXPECT_TRUE(contains(result.output, "skipped   VitisAIExecutionProvider")) << result.output;
  EXPECT_TRUE(contains(result.output, "float32  (2, 6, 8)")) << result.output;
  for (const char* name : {"out", "probabilities"}) {
    HostTensor tensor = read_output(directory + "/" + name + ".npy");
    tensor.name = name;
    testing::expect_tensors_close(tensor, testing::load_array(std::string("attention.") + name), 1e-5, 1e-5);
  }
}

TEST(OnnxRuntimeCli, OutputNamesBecomeSafeFileNames) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const std::string directory = output_dir("odd");
  const std::string input = (testing::scratch_directory() / "two.npy").string();
  ASSERT_TRUE(write_npy_file(input, make_host_tensor<float>("x", ElementType::f32, {2}, {1.5f, -2.0f})).ok());
  const CliResult result = run_cli({"run", model("odd_names"), "--input", "x=" + input, "-o", directory, "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.output;
  EXPECT_EQ(json["outputs"][0]["name"], "../logits/0:1");
  EXPECT_EQ(json["outputs"][0]["file"], directory + "/_.._logits_0_1.npy");
  EXPECT_TRUE(std::filesystem::exists(directory + "/_.._logits_0_1.npy"));
}

TEST(OnnxRuntimeCli, FailuresExitOneWithTheReason) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const std::string corrupt = (testing::scratch_directory() / "corrupt-cli.onnx").string();
  std::ofstream(corrupt, std::ios::binary) << "not a model";
  const std::string garbage = (testing::scratch_directory() / "garbage.npy").string();
  std::ofstream(garbage, std::ios::binary) << "not an array";
  const std::string x = "x=" + array("mlp.x");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", "/nonexistent/m.onnx", "--input", x}, "/nonexistent/m.onnx: no such model file"},
      {{"run", corrupt, "--input", x}, corrupt + ": ONNX Runtime cannot load the model: Load model from"},
      {{"run", model("mlp"), "--input", x, "--input", "h=" + array("mlp.x")}, "'h' is not an input of mlp.onnx"},
      {{"run", model("mlp")}, "mlp.onnx needs input 'x' (float32, shape (?, 4)), which was not given"},
      {{"run", model("mlp"), "--input", "x=" + array("dtypes.i64")}, "input 'x': mlp.onnx expects float32, got int64"},
      {{"run", model("mlp"), "--input", "x=" + array("attention.x")},
       "input 'x': mlp.onnx expects shape (?, 4) (? = any size), got (2, 6, 8)"},
      {{"run", model("mlp"), "--input", "x=" + garbage}, "input 'x': " + garbage + ": not an .npy file"},
      {{"run", model("mlp"), "--input", "x=/nonexistent/x.npy"}, "input 'x': /nonexistent/x.npy: no such file"},
  };
  for (const auto& [arguments, message] : cases) {
    const CliResult result = run_cli(arguments);
    EXPECT_EQ(result.exit_code, 1) << arguments[1] << " " << result.error;
    EXPECT_TRUE(contains(result.error, "ual run: " + message)) << "stderr: " << result.error << "\nwanted: " << message;
  }
}

TEST(OnnxRuntimeCli, BadUsageExitsTwo) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"run", model("mlp"), "--input", "x"}, "--input 'x' is not NAME=FILE.npy"},
      {{"run", model("mlp"), "--policy", "fastest"}, "fastest"},
      {{"run", model("mlp"), "--provider-option", "VitisAI"}, "is not EP:key=value"},
      {{"run", model("mlp"), "--provider-option", "Bogus:a=b"}, "unknown execution provider 'Bogus'"},
      {{"run"}, "model is required"},
  };
  for (const auto& [arguments, message] : cases) {
    const CliResult result = run_cli(arguments);
    EXPECT_EQ(result.exit_code, 2) << result.error;
    EXPECT_TRUE(contains(result.error, message)) << "stderr: " << result.error << "\nwanted: " << message;
  }
  const CliResult help = run_cli({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.output, "--provider-option")) << help.output;
}

// A fresh process that is told to use a library that is not there says so, naming what it tried.
TEST(OnnxRuntimeCli, MissingLibraryIsExplained) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  ::setenv("UAL_ONNXRUNTIME_LIBRARY", "/nonexistent/libonnxruntime.so.1", 1);
  const CliResult result = run_cli({"run", model("mlp"), "--input", "x=" + array("mlp.x")});
  ::unsetenv("UAL_ONNXRUNTIME_LIBRARY");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error,
                       "ual run: unavailable: libonnxruntime.so.1 not found (tried /nonexistent/libonnxruntime.so.1"))
      << result.error;
}

}  // namespace
}  // namespace ual::onnxruntime
