// Running a model on the NPU for ual_npu_run_model: an ONNX file through ONNX Runtime's VitisAI execution provider
// (zero inputs), or a FastFlowLM tag through `flm run`. Takes the Inventory (and, for tests, the flm program), so
// the decisions are testable with recorded machines and the flm stand-in.
#pragma once

#include <chrono>
#include <string>

#include "ual/inventory.hpp"

namespace ual::capi {

struct NpuRunOptions {
  std::string flm_program;  // "" = the path discovery found
  std::chrono::milliseconds timeout{std::chrono::minutes(10)};  // a first `flm run` downloads the model
};

// A UAL_NPU_* code; message says why (or what ran) either way.
int run_npu_model(const std::string& model, const Inventory& inventory, const NpuRunOptions& options,
                  std::string& message);

}  // namespace ual::capi
