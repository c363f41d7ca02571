// NPU route decisions (see npu_route.hpp).
#include "capi/npu_route.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ual::capi {
namespace {

const Runtime* find_runtime(const Inventory& inventory, std::string_view name) {
  for (const Runtime& runtime : inventory.runtimes)
    if (runtime.name == name) return &runtime;
  return nullptr;
}

std::string runtime_reason(const Runtime* runtime, std::string_view name) {
  if (runtime == nullptr) return fmt::format("{} was not probed", name);
  return runtime->reason.empty() ? "not usable" : runtime->reason;
}

}  // namespace

NpuRouteReport find_npu_routes(const Inventory& inventory) {
  NpuRouteReport report;
  bool usable_xdna2 = false, usable_amd = false;
  for (const HardwareDevice& device : inventory.devices) {
    if (device.kind != DeviceKind::npu) continue;
    NpuSeen seen{device.name, device.arch, device.pci_address, device.driver, false, device.problems};
    if (device.vendor != "amd") {
      report.reasons.push_back(fmt::format("{} is not an AMD Ryzen AI NPU", device.name));
    } else if (device.driver.empty()) {
      if (seen.problems.empty()) seen.problems.push_back("no driver bound");
      report.reasons.push_back(fmt::format("{}: no driver bound ({})", device.name, seen.problems.front()));
    } else if (!device.problems.empty()) {
      report.reasons.push_back(fmt::format("{}: {}", device.name, device.problems.front()));
    } else {
      seen.usable = true;
      usable_amd = true;
      if (device.arch == "xdna2" || device.fastflowlm_supported.value_or(false)) usable_xdna2 = true;
    }
    report.devices.push_back(std::move(seen));
  }
  if (report.devices.empty()) report.reasons.push_back("no NPU found");

  const Runtime* flm = find_runtime(inventory, "fastflowlm");
  const bool flm_usable = flm != nullptr && flm->usable;
  if (!flm_usable) {
    report.reasons.push_back("FastFlowLM (flm): " + runtime_reason(flm, "fastflowlm"));
  } else if (!usable_xdna2) {
    report.reasons.push_back("FastFlowLM is installed but needs a usable XDNA2 NPU (Strix, Strix Halo, Krackan)");
  } else {
    report.routes.push_back(npu_route_fastflowlm);
    report.flm_path = flm->path;
    report.reasons.push_back(fmt::format("FastFlowLM{}{} at {} drives the XDNA2 NPU", flm->version.empty() ? "" : " ",
                                         flm->version, flm->path));
  }

  const Runtime* ort = find_runtime(inventory, "onnxruntime");
  const bool has_vitisai = ort != nullptr && ort->usable &&
                           std::find(ort->providers.begin(), ort->providers.end(), vitisai_provider) !=
                               ort->providers.end();
  if (ort == nullptr || !ort->usable) {
    report.reasons.push_back("ONNX Runtime: " + runtime_reason(ort, "onnxruntime"));
  } else if (!has_vitisai) {
    report.reasons.push_back(fmt::format("ONNX Runtime {} has no {} (install the Ryzen AI build)", ort->version,
                                         vitisai_provider));
  } else if (!usable_amd) {
    report.reasons.push_back(fmt::format("ONNX Runtime has {} but no usable AMD NPU was found", vitisai_provider));
  } else {
    report.routes.push_back(npu_route_onnxruntime);
    report.reasons.push_back(fmt::format("ONNX Runtime {} with {} drives the NPU", ort->version, vitisai_provider));
  }
  report.available = !report.routes.empty();
  return report;
}

bool has_route(const NpuRouteReport& report, const char* route) {
  return std::find(report.routes.begin(), report.routes.end(), route) != report.routes.end();
}

std::string to_json(const NpuRouteReport& report, const Inventory& inventory) {
  using nlohmann::json;
  json devices = json::array();
  for (const NpuSeen& seen : report.devices)
    devices.push_back({{"name", seen.name}, {"arch", seen.arch}, {"pci_address", seen.pci_address},
                       {"driver", seen.driver}, {"usable", seen.usable}, {"problems", seen.problems}});
  json runtimes = json::object();
  for (const char* name : {"fastflowlm", "onnxruntime"}) {
    const Runtime* runtime = find_runtime(inventory, name);
    if (runtime == nullptr) {
      runtimes[name] = {{"usable", false}, {"reason", "not probed"}};
      continue;
    }
    runtimes[name] = {{"usable", runtime->usable}, {"version", runtime->version}, {"path", runtime->path},
                      {"reason", runtime->reason}};
    if (std::string_view(name) == "onnxruntime") runtimes[name]["providers"] = runtime->providers;
  }
  json result = {{"available", report.available},
                 {"route", report.routes.empty() ? json(nullptr) : json(report.routes.front())},
                 {"routes", report.routes},
                 {"devices", devices},
                 {"runtimes", runtimes},
                 {"reasons", report.reasons}};
  // Paths from a sysroot may hold bytes that are not UTF-8: replace them rather than fail.
  return result.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace ual::capi
