// Real models (generated with python3-onnx at test time) run through ual's ONNX Runtime engine on the CPU provider,
// compared with the same math in numpy; and each way a run can go wrong gives an error naming what was wrong.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "../../engines/onnxruntime/library_search.hpp"
#include "../../engines/onnxruntime/onnx_runner.hpp"
#include "fixture_paths.hpp"
#include "test_onnxruntime_support.hpp"

namespace ual::onnxruntime {
namespace {

using testing::generated_models;
using testing::load_array;

OnnxRunRequest request_for(const std::string& model, const std::vector<std::pair<std::string, std::string>>& inputs) {
  OnnxRunRequest request;
  request.model_path = generated_models().directory / (model + ".onnx");
  request.inventory = Inventory{};  // no accelerators: the run uses the CPU provider whatever this machine has
  request.intra_op_threads = 1;
  for (const auto& [name, array] : inputs) {
    HostTensor tensor = load_array(array);
    tensor.name = name;
    request.inputs.push_back(std::move(tensor));
  }
  return request;
}

OnnxRunResult run_ok(const OnnxRunRequest& request) {
  auto result = run_onnx_model(request);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(result.value()) : OnnxRunResult{};
}

Error run_error(const OnnxRunRequest& request) {
  auto result = run_onnx_model(request);
  EXPECT_FALSE(result.ok());
  return result.ok() ? Error{} : result.error();
}

const HostTensor& output(const OnnxRunResult& result, const std::string& name) {
  static const HostTensor none;
  for (const HostTensor& tensor : result.outputs)
    if (tensor.name == name) return tensor;
  ADD_FAILURE() << "no output " << name;
  return none;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(OnnxRuntimeRun, MlpMatchesNumpy) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const OnnxRunResult result = run_ok(request_for("mlp", {{"x", "mlp.x"}}));
  ASSERT_EQ(result.outputs.size(), 1u);
  testing::expect_tensors_close(output(result, "y"), load_array("mlp.y"), 1e-5, 1e-6);
  EXPECT_FALSE(result.onnxruntime_version.empty());
  EXPECT_FALSE(result.library_path.empty());
}

TEST(OnnxRuntimeRun, AttentionBlockMatchesNumpy) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const OnnxRunResult result = run_ok(request_for("attention", {{"x", "attention.x"}}));
  ASSERT_EQ(result.outputs.size(), 2u);
  EXPECT_EQ(result.outputs[0].name, "out");  // the model's order
  testing::expect_tensors_close(output(result, "out"), load_array("attention.out"), 1e-5, 1e-5);
  testing::expect_tensors_close(output(result, "probabilities"), load_array("attention.probabilities"), 1e-5, 1e-6);
}

TEST(OnnxRuntimeRun, EveryElementTypeGoesInAndComesOut) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  std::vector<std::pair<std::string, std::string>> inputs;
  for (const char* name : {"f64", "i32", "i64", "f16", "flags", "u8", "i8"})
    inputs.emplace_back(name, std::string("dtypes.") + name);
  const OnnxRunResult result = run_ok(request_for("dtypes", inputs));
  ASSERT_EQ(result.outputs.size(), 8u);
  for (const HostTensor& tensor : result.outputs)
    testing::expect_tensors_close(tensor, load_array("dtypes." + tensor.name), 1e-12, 0.0);
}

TEST(OnnxRuntimeRun, ChosenOutputsOnly) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  OnnxRunRequest request = request_for("attention", {{"x", "attention.x"}});
  request.output_names = {"probabilities"};
  const OnnxRunResult result = run_ok(request);
  ASSERT_EQ(result.outputs.size(), 1u);
  EXPECT_EQ(result.outputs[0].name, "probabilities");
  request.output_names = {"logits"};
  EXPECT_TRUE(contains(run_error(request).message, "'logits' is not an output of attention.onnx"));
}

TEST(OnnxRuntimeRun, ReportsTheCpuProviderAndWhyOthersWereSkipped) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const OnnxRunResult result = run_ok(request_for("mlp", {{"x", "mlp.x"}}));
  ASSERT_FALSE(result.providers.appended.empty());
  EXPECT_EQ(result.providers.appended.back().name, "CPUExecutionProvider");
  EXPECT_EQ(result.providers.skipped.size() + result.providers.appended.size() >= known_execution_providers().size(),
            true);
  for (const SkippedProvider& skipped : result.providers.skipped) EXPECT_FALSE(skipped.reason.empty()) << skipped.name;
}

TEST(OnnxRuntimeRun, MissingModelFile) {
  OnnxRunRequest request;
  request.model_path = "/nonexistent/model.onnx";
  const Error error = run_error(request);
  EXPECT_EQ(error.code, ErrorCode::not_found);
  EXPECT_EQ(error.message, "/nonexistent/model.onnx: no such model file");
}

TEST(OnnxRuntimeRun, CorruptModelGivesOnnxRuntimesMessage) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const auto path = testing::scratch_directory() / "corrupt.onnx";
  std::ofstream(path, std::ios::binary) << "this is not a protobuf \x01\x02\x03";
  OnnxRunRequest request;
  request.model_path = path;
  request.inventory = Inventory{};
  const Error error = run_error(request);
  EXPECT_TRUE(contains(error.message, "corrupt.onnx: ONNX Runtime cannot load the model: ")) << error.message;
  EXPECT_GT(error.message.size(), std::string("corrupt.onnx: ONNX Runtime cannot load the model: ").size() + 10);
}

TEST(OnnxRuntimeRun, UnknownInputNameListsTheModelsInputs) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const Error error = run_error(request_for("mlp", {{"x", "mlp.x"}, {"z", "mlp.x"}}));
  EXPECT_EQ(error.code, ErrorCode::invalid_argument);
  EXPECT_EQ(error.message, "'z' is not an input of mlp.onnx (its inputs: x)");
}

TEST(OnnxRuntimeRun, MissingRequiredInput) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const Error error = run_error(request_for("mlp", {}));
  EXPECT_EQ(error.message, "mlp.onnx needs input 'x' (float32, shape (?, 4)), which was not given");
}

TEST(OnnxRuntimeRun, WrongElementTypeNamesTheInput) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const Error error = run_error(request_for("mlp", {{"x", "dtypes.f64"}}));
  EXPECT_EQ(error.message, "input 'x': mlp.onnx expects float32, got float64");
}

TEST(OnnxRuntimeRun, WrongShapeNamesTheInput) {
  UAL_REQUIRE_ONNXRUNTIME_MODELS();
  const Error error = run_error(request_for("mlp", {{"x", "attention.x"}}));
  EXPECT_EQ(error.message, "input 'x': mlp.onnx expects shape (?, 4) (? = any size), got (2, 6, 8)");
  OnnxRunRequest short_data = request_for("mlp", {{"x", "mlp.x"}});
  short_data.inputs[0].data.resize(8);
  EXPECT_TRUE(contains(run_error(short_data).message, "input 'x': 8 data bytes do not match shape (5, 4) of float32"));
}

TEST(OnnxRuntimeRun, LibrarySearchOrderAndMissingLibrary) {
  ::unsetenv(library_environment_variable);
  const std::vector<std::string> candidates = onnxruntime_library_candidates();
  ASSERT_GE(candidates.size(), 2u);
  EXPECT_EQ(candidates[0], "libonnxruntime.so.1");
  EXPECT_EQ(candidates[1], "libonnxruntime.so");
  if (candidates.size() == 3) {  // the copy scripts/setup fetched, when it was there at configure time
    EXPECT_EQ(candidates[2], ual::testing::source_path("third_party/onnxruntime/lib/libonnxruntime.so.1"));
  }
  ::setenv(library_environment_variable, "/nonexistent/libonnxruntime.so.1", 1);
  EXPECT_EQ(onnxruntime_library_candidates(), (std::vector<std::string>{"/nonexistent/libonnxruntime.so.1"}));
  auto library = open_onnxruntime_library();
  ::unsetenv(library_environment_variable);
  ASSERT_FALSE(library.ok());
  EXPECT_EQ(library.error().code, ErrorCode::unavailable);
  EXPECT_TRUE(contains(library.error().message,
                       "unavailable: libonnxruntime.so.1 not found (tried /nonexistent/libonnxruntime.so.1"))
      << library.error().message;
}

}  // namespace
}  // namespace ual::onnxruntime
