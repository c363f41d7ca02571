// The generated models and oracle arrays behind the ONNX Runtime engine tests (test_onnxruntime_support.hpp).
#include "test_onnxruntime_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>

#include <fmt/format.h>

#include "core/child_process.hpp"
#include "../../engines/onnxruntime/npy_file.hpp"
#include "../../engines/onnxruntime/onnx_runner.hpp"
#include "fixture_paths.hpp"

namespace ual::onnxruntime::testing {
namespace {

constexpr const char* python = "/usr/bin/python3";  // Debian's: the pyenv python3 on PATH lacks numpy and onnx

std::string run_script(const std::string& script, const std::filesystem::path& directory) {
  const auto result = run_child_process(python, {ual::testing::source_path("tests/tools/" + script), directory.string()},
                                        ChildOptions{std::chrono::seconds(120), 1u << 20});
  if (!result) return script + ": " + result.error().message;
  if (!result->exited_normally || result->exit_status != 0)
    return script + " failed (is python3-onnx installed? scripts/setup installs it): " + result->standard_error;
  return {};
}

std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// CTest runs each test in its own process: the models are generated once per version of the two scripts into a
// directory named after their content, built under a private name and renamed into place so parallel tests agree.
GeneratedModels generate() {
  GeneratedModels models;
  if (::access(python, X_OK) != 0) {
    models.skip_reason = "/usr/bin/python3 is not installed (scripts/setup installs python3-onnx, python3-numpy)";
    return models;
  }
  std::string scripts;
  for (const char* script : {"make_onnxruntime_test_models.py", "onnxruntime_oracle.py"})
    scripts += read_file(ual::testing::source_path(std::string("tests/tools/") + script));
  const auto base = std::filesystem::temp_directory_path();
  models.directory = base / fmt::format("ual-onnxruntime-models-{}-{:016x}", ::getuid(), std::hash<std::string>{}(scripts));
  if (std::filesystem::exists(models.directory / "complete")) return models;
  const auto building = base / fmt::format("{}.building-{}", models.directory.filename().string(), ::getpid());
  std::filesystem::create_directories(building);
  for (const char* script : {"make_onnxruntime_test_models.py", "onnxruntime_oracle.py"})
    if (std::string failure = run_script(script, building); !failure.empty()) {
      models.skip_reason = failure;
      std::filesystem::remove_all(building);
      return models;
    }
  std::ofstream(building / "complete") << "generated\n";
  std::error_code error;
  std::filesystem::rename(building, models.directory, error);
  if (error) std::filesystem::remove_all(building, error);  // another test process got there first
  return models;
}

void remove_scratch_directory() {
  std::error_code ignored;
  std::filesystem::remove_all(scratch_directory(), ignored);
}

}  // namespace

const GeneratedModels& generated_models() {
  static const GeneratedModels models = generate();
  return models;
}

const std::filesystem::path& scratch_directory() {
  static const std::filesystem::path directory = [] {
    auto path = std::filesystem::temp_directory_path() / fmt::format("ual-onnxruntime-tests-{}", ::getpid());
    std::filesystem::create_directories(path);
    return path;
  }();
  // Registered after the path exists, so it runs before the path's destructor at exit.
  static const bool cleanup = [] { return std::atexit(remove_scratch_directory) == 0; }();
  (void)cleanup;
  return directory;
}

std::string onnxruntime_skip_reason() {
  const auto info = onnxruntime_info();
  return info ? std::string() : "ONNX Runtime cannot be used here: " + info.error().message;
}

HostTensor load_array(const std::string& name) {
  auto tensor = read_npy_file(generated_models().directory / (name + ".npy"));
  EXPECT_TRUE(tensor.ok()) << (tensor.ok() ? "" : tensor.error().message);
  if (!tensor) return {};
  tensor->name = name;
  return std::move(*tensor);
}

namespace {

template <class T>
std::vector<T> values_of(const HostTensor& tensor) {
  std::vector<T> values(tensor.data.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), tensor.data.data(), values.size() * sizeof(T));
  return values;
}

// IEEE binary16 to double (numpy's float16), for comparing half-precision outputs.
double half_to_double(std::uint16_t bits) {
  const int exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  const double sign = (bits & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

std::vector<double> as_doubles(const HostTensor& tensor) {
  std::vector<double> result;
  switch (tensor.type) {
    case ElementType::f32: for (float v : values_of<float>(tensor)) result.push_back(v); break;
    case ElementType::f64: result = values_of<double>(tensor); break;
    case ElementType::f16: for (std::uint16_t v : values_of<std::uint16_t>(tensor)) result.push_back(half_to_double(v)); break;
    default: break;
  }
  return result;
}

}  // namespace

void expect_tensors_close(const HostTensor& actual, const HostTensor& expected, double rtol, double atol) {
  ASSERT_EQ(to_string(actual.type), std::string(to_string(expected.type))) << actual.name;
  ASSERT_EQ(format_shape(actual.shape), format_shape(expected.shape)) << actual.name;
  ASSERT_EQ(actual.data.size(), expected.data.size()) << actual.name;
  if (actual.type != ElementType::f32 && actual.type != ElementType::f64 && actual.type != ElementType::f16) {
    EXPECT_TRUE(actual.data == expected.data) << actual.name << ": the bytes differ from numpy's";
    return;
  }
  const std::vector<double> got = as_doubles(actual), want = as_doubles(expected);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(std::abs(got[i] - want[i]) <= atol + rtol * std::abs(want[i])) && mismatches++ < 3)
      ADD_FAILURE() << actual.name << "[" << i << "]: got " << got[i] << ", numpy " << want[i] << " (rtol " << rtol
                    << ", atol " << atol << ")";
  EXPECT_EQ(mismatches, 0u) << actual.name;
}

}  // namespace ual::onnxruntime::testing
