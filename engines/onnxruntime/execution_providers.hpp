// Which ONNX Runtime execution providers a session gets, and why the others are left out: from the providers the
// library was built with (OrtApi::GetAvailableProviders), the accelerators discovery found, and a ual::Policy. Pure
// logic, so it is tested with recorded machines; ort_session.cpp turns the plan into SessionOptions calls.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ual/export.hpp"
#include "ual/inventory.hpp"
#include "ual/result.hpp"
#include "ual/selector.hpp"

namespace ual::onnxruntime {

using ProviderOptions = std::vector<std::pair<std::string, std::string>>;  // in the order they are passed

// How ONNX Runtime's C API takes a provider (onnxruntime_c_api.h).
enum class AppendMethod {
  generic,          // SessionOptionsAppendExecutionProvider(options, name, keys, values, n), since 1.12
  cuda_v2,          // CreateCUDAProviderOptions + UpdateCUDAProviderOptions + ..._CUDA_V2, since 1.11
  tensorrt_v2,      // CreateTensorRTProviderOptions + UpdateTensorRTProviderOptions + ..._TensorRT_V2
  migraphx_struct,  // SessionOptionsAppendExecutionProvider_MIGraphX(OrtMIGraphXProviderOptions), since 1.11
  implicit_cpu,     // the CPU provider: every session has it, after all appended ones
};

struct PlannedProvider {
  std::string name;  // as GetAvailableProviders spells it: "VitisAIExecutionProvider"
  AppendMethod method = AppendMethod::generic;
  ProviderOptions options;
  std::string reason;  // why it is used: "AMD NPU (xdna2) found; policy prefer_npu"
};

struct SkippedProvider {
  std::string name;
  std::string reason;  // "not in this ONNX Runtime build", "no AMD NPU found", "policy prefer_cpu", ...
};

struct ProviderPlan {
  std::vector<PlannedProvider> providers;  // in priority order; the CPU provider is always last
  std::vector<SkippedProvider> skipped;
};

struct ProviderRequest {
  std::vector<std::string> available;  // GetAvailableProviders: only these are ever planned
  Inventory inventory;                 // its devices decide which accelerators exist
  Policy policy = Policy::prefer_npu;
  // User options per provider, keyed by the provider's full or short name ("VitisAIExecutionProvider" or
  // "VitisAI"); they override ual's defaults, and options ual does not know are passed through unchanged.
  std::map<std::string, ProviderOptions> user_options;
  std::string model_path;       // VitisAI's default cache_key is the model file's stem
  std::string cache_directory;  // VitisAI's default cache_dir is <cache_directory>/vitisai ("" = none given)
  // The Ryzen AI software release ("1.3", "1.5"; "" = unknown): up to 1.3 the VitisAI provider takes an `xclbin`
  // (the NPU overlay), from 1.4 on a `target` (X1 for XDNA, X2 for XDNA2) instead.
  std::string ryzen_ai_release;
  std::string xclbin;  // the overlay for releases up to 1.3 (Ryzen AI's XLNX_VART_FIRMWARE), "" = none
};

// The execution providers ual knows, in its default priority order, by the names ORT reports.
UAL_API const std::vector<std::string>& known_execution_providers();
// "VitisAI" -> "VitisAIExecutionProvider"; full names map to themselves; "" when the name is not a known provider.
UAL_API std::string execution_provider_full_name(const std::string& name);

// Fails only for user options naming a provider ual does not know, or options a provider cannot take.
UAL_API Result<ProviderPlan> plan_execution_providers(const ProviderRequest& request);

}  // namespace ual::onnxruntime
