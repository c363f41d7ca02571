// The planner: every way to run a model on this machine (engine x device x precision x partition), ranked for an
// objective, each with the exact command, whether it is ready, what it needs first, a prediction where HopperSim
// covers the device, and the reasons; plus the options it rejected and why. The seed's ModelOptimizerAgent made this
// choice with a few if/else rules; here the rules are data (data/engines/) and the numbers come from the simulator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/inventory.hpp"
#include "ual/model_file.hpp"
#include "ual/result.hpp"

namespace ual {

enum class PlanObjective { latency, throughput, power };
UAL_API const char* to_string(PlanObjective objective) noexcept;
UAL_API Result<PlanObjective> parse_plan_objective(std::string_view text);

// Engine ids of the JSON contract.
inline constexpr std::string_view engine_fastflowlm = "fastflowlm";
inline constexpr std::string_view engine_onnxruntime = "onnxruntime";
inline constexpr std::string_view engine_vllm = "vllm";
inline constexpr std::string_view engine_tensorrt_llm = "tensorrt-llm";
inline constexpr std::string_view engine_llama_cpp = "llama.cpp";
inline constexpr std::string_view engine_layered_offload = "layered-offload";

struct PlanOptions {
  PlanObjective objective = PlanObjective::latency;
  int input_len = 1024;    // prompt tokens the prediction assumes
  int output_len = 256;    // generated tokens
  int context_length = 0;  // context the engine is started with (0: min(model's, 8192))
  // Where a server strategy listens; serve picks a free port and plans again with it.
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the engine's default port
  // Machines of the same kind available (multi-node TP x PP for GPU servers); this machine is node 0.
  int nodes = 1;
  std::string head_node_address;  // multi-node: the address other nodes reach node 0 at (default: host)
};

struct Partition {
  int tensor_parallel = 1;
  int pipeline_parallel = 1;
  int instances = 1;   // data-parallel copies
  int nodes = 1;
  int gpu_layers = -1; // partial offload: layers on the GPU (-1: all); the rest run on the CPU
  int total_layers = 0;
};

// One process to start; multi-node launches have one per node role ("head", "worker", "launcher").
struct EngineCommand {
  std::string role;               // "server", "head", "worker", "launcher", "run"
  std::vector<std::string> argv;  // argv[0] is the program
  std::vector<std::pair<std::string, std::string>> environment;  // variables to set first
  std::string files_note;         // e.g. an extra_llm_api_options file to write first: its path and content
  UAL_API std::string text() const;  // shell-quoted, environment first
};

struct PredictedPerformance {
  std::optional<double> time_to_first_token_ms;
  std::optional<double> tokens_per_second;      // output tokens/s (throughput objective: of the whole system)
  std::optional<double> memory_bytes_per_device;
  std::optional<double> power_watts;
  std::string source;  // "HopperSim (h100-sxm catalog entry)", "memory-bandwidth bound", "" when none
};

struct Strategy {
  std::string engine;     // engine id (see above)
  std::string device;     // "npu:xdna2 AMD Ryzen AI (Strix)", "gpu:0-7 NVIDIA H100 80GB HBM3", "cpu"
  std::string device_kind;  // cpu, gpu, igpu, npu
  std::string precision;  // "bf16", "fp8 (Transformer Engine delayed scaling)", "q4_k_m", "int8 weights"
  Partition partition;
  std::vector<EngineCommand> commands;
  bool ready = false;                 // engine installed and device usable
  std::vector<std::string> requirements;  // "requires" in JSON: what to install or fix first (empty when ready)
  PredictedPerformance predicted;
  std::vector<std::string> reasons;   // why this option, and why at this rank
  double score = 0;                   // higher is better for the objective (for ranking; not comparable across plans)
  // Server engines: where it will listen and the path that answers once it is ready; empty for `ual run`.
  std::string endpoint;               // "http://127.0.0.1:52625"
  std::string readiness_path;         // "/v1/models", "/health", "/api/tags"
};

struct RejectedStrategy {
  std::string engine;
  std::string device;
  std::string reason;
};

struct Plan {
  ModelDescription model;
  PlanObjective objective = PlanObjective::latency;
  std::vector<Strategy> strategies;  // best first
  std::vector<RejectedStrategy> rejected;
  std::vector<std::string> notes;    // machine-level observations (no GPU found, user not in group render, ...)
};

UAL_API Result<Plan> plan(const ModelDescription& model, const Inventory& inventory, const PlanOptions& options = {});

// `ual plan --json`: {"model":{...},"objective":...,"strategies":[{"engine","device","precision","partition",
// "command","commands","ready","requires","predicted","reasons","endpoint"}],"rejected":[{"engine","device","reason"}]}
UAL_API std::string to_json(const Plan& plan, int indent = 2);

}  // namespace ual
