// The seed's NPU contract (amd_npu_init / amd_npu_run_model) decided from an Inventory: is there a usable Ryzen AI
// NPU, and a route to it (FastFlowLM on XDNA2, or ONNX Runtime's VitisAI execution provider)? Pure logic, so tests
// answer it for recorded machines (tests/fixtures/machines/); npu_calls.cpp runs the routes.
#pragma once

#include <string>
#include <vector>

#include "ual/inventory.hpp"

namespace ual::capi {

inline constexpr const char* npu_route_fastflowlm = "fastflowlm";
inline constexpr const char* npu_route_onnxruntime = "onnxruntime";
inline constexpr const char* vitisai_provider = "VitisAIExecutionProvider";

struct NpuSeen {
  std::string name;
  std::string arch;         // xdna, xdna2
  std::string pci_address;
  std::string driver;       // "" when none is bound
  bool usable = false;      // AMD, driver bound, no problems
  std::vector<std::string> problems;  // discovery's, plus "no driver bound" when it gave none
};

struct NpuRouteReport {
  bool available = false;           // a usable NPU and at least one route
  std::vector<std::string> routes;  // usable routes, preferred first: fastflowlm, onnxruntime
  std::vector<NpuSeen> devices;     // every NPU discovery found (any vendor)
  std::string flm_path;             // FastFlowLM's program, when usable
  std::vector<std::string> reasons; // why each route is or is not there, one sentence each
};

NpuRouteReport find_npu_routes(const Inventory& inventory);
bool has_route(const NpuRouteReport& report, const char* route);
// {"available","route","routes","devices":[...],"runtimes":{"fastflowlm":{...},"onnxruntime":{...}},"reasons"}.
std::string to_json(const NpuRouteReport& report, const Inventory& inventory);

}  // namespace ual::capi
