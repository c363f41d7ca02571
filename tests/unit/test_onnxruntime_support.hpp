// Shared by the ONNX Runtime engine tests (test_onnxruntime_*.cpp): the models and numpy oracle outputs generated
// once per test process by tests/tools/make_onnxruntime_test_models.py and onnxruntime_oracle.py (Debian's
// /usr/bin/python3 with python3-onnx and python3-numpy), and tolerance checks against them.
#pragma once

#include <filesystem>
#include <string>

#include "../../engines/onnxruntime/host_tensor.hpp"

namespace ual::onnxruntime::testing {

// Where the models and .npy files are, or why they could not be generated (skip_reason non-empty).
struct GeneratedModels {
  std::filesystem::path directory;
  std::string skip_reason;
};
const GeneratedModels& generated_models();
// A directory for this test process's own files (outputs, corrupt models), removed at exit.
const std::filesystem::path& scratch_directory();

// Empty when ONNX Runtime loads here; otherwise why not (the engine's own "unavailable: ..." message).
std::string onnxruntime_skip_reason();

// <directory>/<name>.npy, read with the engine's reader (fails the test when it cannot be read).
HostTensor load_array(const std::string& name);

// Elementwise |actual - expected| <= atol + rtol * |expected| for floating types, equality otherwise; names the
// first element that differs.
void expect_tensors_close(const HostTensor& actual, const HostTensor& expected, double rtol, double atol);

}  // namespace ual::onnxruntime::testing

// Skips the current test unless ONNX Runtime loads and the test models were generated.
#define UAL_REQUIRE_ONNXRUNTIME_MODELS()                                                                   \
  do {                                                                                                     \
    if (const std::string reason = ::ual::onnxruntime::testing::onnxruntime_skip_reason(); !reason.empty()) \
      GTEST_SKIP() << reason;                                                                              \
    if (const auto& models = ::ual::onnxruntime::testing::generated_models(); !models.skip_reason.empty()) \
      GTEST_SKIP() << models.skip_reason;                                                                  \
  } while (false)
