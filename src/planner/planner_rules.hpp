// The planner's rules, one file per engine family. Each adds the strategies it can offer on this machine and the
// options it rejects (with the reason), and leaves the ranking to planner.cpp.
#pragma once

#include <string>
#include <vector>

#include "planner/machine_view.hpp"
#include "ual/plan.hpp"

namespace ual::planner {

struct PlanContext {
  const ModelDescription& model;
  const MachineView& machine;
  const PlanOptions& options;
  std::vector<Strategy> strategies;
  std::vector<RejectedStrategy> rejected;

  void reject(std::string_view engine, std::string device, std::string reason) {
    rejected.push_back({std::string(engine), std::move(device), std::move(reason)});
  }
  // The user's host and port, or the engine's default port.
  int port_or(int default_port) const { return options.port > 0 ? options.port : default_port; }
};

void add_fastflowlm_strategies(PlanContext& context);    // rules_fastflowlm.cpp
void add_gpu_server_strategies(PlanContext& context);    // rules_gpu_servers.cpp: vLLM, TensorRT-LLM, layered offload
void add_llama_cpp_strategies(PlanContext& context);     // rules_llama_cpp.cpp
void add_onnxruntime_strategies(PlanContext& context);   // rules_onnxruntime.cpp

// Shared by the rules.
std::string endpoint_url(const PlanOptions& options, int port);
// What a missing engine program needs, as a `requires` entry.
std::string install_hint(std::string_view program);
// HopperSim at batch 1 (latency) on one device group; nullopt where it has no model or it fails.
struct SinglePrediction {
  PredictedPerformance predicted;
  std::string note;
};
std::optional<SinglePrediction> predict_single_device(const ModelDescription& model, const DeviceGroup& device,
                                                      sim::Precision precision, const PlanOptions& options,
                                                      double device_memory_bytes);

}  // namespace ual::planner
