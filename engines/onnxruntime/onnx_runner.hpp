// Running an ONNX model with ONNX Runtime (loaded at run time, never linked): the C++ API behind `ual run`, meant
// for the C ABI and Python as well. Inputs and outputs are named host tensors; the result says which execution
// providers were appended and why the others were not.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "execution_providers.hpp"
#include "host_tensor.hpp"
#include "ual/export.hpp"
#include "ual/inventory.hpp"
#include "ual/result.hpp"
#include "ual/selector.hpp"

namespace ual::onnxruntime {

struct OnnxRunRequest {
  std::filesystem::path model_path;
  std::vector<HostTensor> inputs;         // each named after one of the model's inputs; every input is required
  std::vector<std::string> output_names;  // empty: every output, in the model's order
  Policy policy = Policy::max_performance;
  std::map<std::string, ProviderOptions> provider_options;  // by provider name ("VitisAI" or its full name)
  std::optional<Inventory> inventory;  // empty: this machine's devices (ual::discover without runtime probes)
  std::filesystem::path cache_directory;  // compiled-model caches (VitisAI); empty: $XDG_CACHE_HOME/ual
  int intra_op_threads = 0;               // 0: ONNX Runtime's default (one per physical core)
};

struct ProviderReport {
  std::vector<PlannedProvider> appended;  // in priority order, the CPU provider last
  std::vector<SkippedProvider> skipped;
};

struct OnnxRunResult {
  std::vector<HostTensor> outputs;
  ProviderReport providers;
  std::string onnxruntime_version;
  std::string library_path;
  double run_seconds = 0;  // OrtApi::Run alone
};

// A model input or output as the model declares it; -1 marks a dimension the model leaves free.
struct TensorDeclaration {
  std::string name;
  std::optional<ElementType> type;  // empty: a type ual does not exchange (string, bfloat16, ...)
  std::string type_name;            // ONNX's name for it either way: "float32", "string", "bfloat16"
  std::vector<std::int64_t> shape;
};

UAL_API Result<OnnxRunResult> run_onnx_model(const OnnxRunRequest& request);

// ONNX Runtime's version and library path, or why it cannot be used (unavailable: headers not fetched, library not
// found); tests skip on the error.
struct OnnxRuntimeInfo {
  std::string version;
  std::string library_path;
  std::uint32_t api_version = 0;
  std::vector<std::string> providers;  // GetAvailableProviders
};
UAL_API Result<OnnxRuntimeInfo> onnxruntime_info();

}  // namespace ual::onnxruntime
