// Provider names, option keys and append functions come from onnxruntime_c_api.h (ORT 1.29,
// SessionOptionsAppendExecutionProvider's list of supported names and QNN keys) and the providers' pages on
// onnxruntime.ai/docs/execution-providers/; VitisAI's options from Ryzen AI's "Model Compilation and Deployment"
// (ryzenai.docs.amd.com, 1.3 and 1.4+).
#include "engines/onnxruntime/execution_providers.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>

#include <fmt/format.h>

namespace ual::onnxruntime {
namespace {

enum class DeviceClass { npu, gpu, cpu };

bool is_gpu(const HardwareDevice& device) { return device.kind == DeviceKind::gpu || device.kind == DeviceKind::igpu; }

const HardwareDevice* find_device(const Inventory& inventory, const std::function<bool(const HardwareDevice&)>& test) {
  for (const HardwareDevice& device : inventory.devices)
    if (test(device)) return &device;
  return nullptr;
}

// What one provider needs from the machine: the device it drives, or why it cannot run here.
struct Fit {
  const HardwareDevice* device = nullptr;
  std::string missing;  // empty when the provider can run
  DeviceClass device_class = DeviceClass::gpu;
};

struct ProviderSpec {
  const char* name;
  const char* short_name;
  AppendMethod method;
  std::function<Fit(const ProviderRequest&)> fit;
};

Fit need(const Inventory& inventory, DeviceClass device_class, const char* what,
         const std::function<bool(const HardwareDevice&)>& test) {
  if (const HardwareDevice* device = find_device(inventory, test)) return {device, "", device_class};
  return {nullptr, fmt::format("no {} found", what), device_class};
}

Fit fit_vitisai(const ProviderRequest& request) {
  Fit fit = need(request.inventory, DeviceClass::npu, "AMD NPU",
                 [](const HardwareDevice& d) { return d.kind == DeviceKind::npu && d.vendor == "amd"; });
  if (fit.device && fit.device->driver != "amdxdna")
    fit.missing = fmt::format("AMD NPU ({}) found, but it is not bound to the amdxdna driver",
                              fit.device->arch.empty() ? fit.device->name : fit.device->arch);
  return fit;
}

// OpenVINO drives Intel CPUs, GPUs and NPUs; which one it gets is its device_type option.
Fit fit_openvino(const ProviderRequest& request) {
  const Inventory& inventory = request.inventory;
  const auto intel = [](DeviceKind kind) {
    return [kind](const HardwareDevice& d) { return d.vendor == "intel" && d.kind == kind; };
  };
  const HardwareDevice* npu = find_device(inventory, intel(DeviceKind::npu));
  const HardwareDevice* gpu = find_device(inventory, [](const HardwareDevice& d) { return d.vendor == "intel" && is_gpu(d); });
  const HardwareDevice* cpu = find_device(inventory, intel(DeviceKind::cpu));
  const bool gpu_first = request.policy == Policy::prefer_gpu || request.policy == Policy::max_performance;
  if (npu && (!gpu_first || !gpu)) return {npu, "", DeviceClass::npu};
  if (gpu) return {gpu, "", DeviceClass::gpu};
  if (cpu) return {cpu, "", DeviceClass::cpu};
  return {nullptr, "no Intel CPU, GPU or NPU found", DeviceClass::cpu};
}

// ual's priority order. TensorRT comes before CUDA: ORT gives each node to the first provider that takes it, and
// TensorRT's documentation registers CUDA after TensorRT for the nodes TensorRT leaves (TensorRT-ExecutionProvider
// page, "Usage"); the other way round TensorRT would get nothing.
const std::vector<ProviderSpec>& provider_specs() {
  static const std::vector<ProviderSpec> specs = {
      {"VitisAIExecutionProvider", "VitisAI", AppendMethod::generic, fit_vitisai},
      {"MIGraphXExecutionProvider", "MIGraphX", AppendMethod::migraphx_struct,
       [](const ProviderRequest& r) {
         return need(r.inventory, DeviceClass::gpu, "AMD GPU",
                     [](const HardwareDevice& d) { return is_gpu(d) && d.vendor == "amd"; });
       }},
      {"TensorrtExecutionProvider", "TensorRT", AppendMethod::tensorrt_v2,
       [](const ProviderRequest& r) {
         return need(r.inventory, DeviceClass::gpu, "NVIDIA GPU",
                     [](const HardwareDevice& d) { return is_gpu(d) && d.vendor == "nvidia"; });
       }},
      {"CUDAExecutionProvider", "CUDA", AppendMethod::cuda_v2,
       [](const ProviderRequest& r) {
         return need(r.inventory, DeviceClass::gpu, "NVIDIA GPU",
                     [](const HardwareDevice& d) { return is_gpu(d) && d.vendor == "nvidia"; });
       }},
      {"QNNExecutionProvider", "QNN", AppendMethod::generic,
       [](const ProviderRequest& r) {
         return need(r.inventory, DeviceClass::npu, "Qualcomm NPU",
                     [](const HardwareDevice& d) { return d.kind == DeviceKind::npu && d.vendor == "qualcomm"; });
       }},
      {"CoreMLExecutionProvider", "CoreML", AppendMethod::generic,
       [](const ProviderRequest& r) {
         return need(r.inventory, DeviceClass::npu, "Apple device",
                     [](const HardwareDevice& d) { return d.vendor == "apple"; });
       }},
      {"OpenVINOExecutionProvider", "OpenVINO", AppendMethod::generic, fit_openvino},
      {"DmlExecutionProvider", "DML",  AppendMethod::generic,
       [](const ProviderRequest&) { return Fit{nullptr, "DirectML runs on Windows only", DeviceClass::gpu}; }},
      {"CPUExecutionProvider", "CPU", AppendMethod::implicit_cpu,
       [](const ProviderRequest&) { return Fit{nullptr, "", DeviceClass::cpu}; }},
  };
  return specs;
}

const char* class_name(DeviceClass device_class) {
  return device_class == DeviceClass::npu ? "NPU" : device_class == DeviceClass::gpu ? "GPU" : "CPU";
}

// Why the policy keeps a provider out, or nothing.
std::optional<std::string> policy_exclusion(Policy policy, DeviceClass device_class) {
  if (policy == Policy::prefer_cpu && device_class != DeviceClass::cpu) return std::string("policy prefer_cpu");
  if (policy == Policy::prefer_cpu) return std::string("policy prefer_cpu (ONNX Runtime's own CPU provider is used)");
  if (policy == Policy::min_power && device_class == DeviceClass::gpu)
    return std::string("policy min_power (a GPU draws more power than the NPU or the CPU)");
  return std::nullopt;
}

int class_rank(Policy policy, DeviceClass device_class) {
  const bool gpu_first = policy == Policy::prefer_gpu || policy == Policy::max_performance;
  switch (device_class) {
    case DeviceClass::npu: return gpu_first ? 1 : 0;
    case DeviceClass::gpu: return gpu_first ? 0 : 1;
    case DeviceClass::cpu: return 2;
  }
  return 2;
}

// "1.3" < "1.4": the release where the VitisAI provider's `target` replaced `xclbin`.
std::optional<bool> release_before_1_4(const std::string& release) {
  int major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &major, &minor) != 2) return std::nullopt;
  return major < 1 || (major == 1 && minor < 4);
}

void set_option(ProviderOptions& options, const std::string& key, const std::string& value) {
  for (auto& [existing, existing_value] : options)
    if (existing == key) {
      existing_value = value;
      return;
    }
  options.emplace_back(key, value);
}

ProviderOptions default_options(const ProviderSpec& spec, const Fit& fit, const ProviderRequest& request,
                                const ProviderOptions& user) {
  ProviderOptions options;
  const auto user_has = [&](const char* key) {
    return std::any_of(user.begin(), user.end(), [&](const auto& option) { return option.first == key; });
  };
  const std::string name = spec.short_name;
  if (name == "VitisAI") {
    if (!request.cache_directory.empty()) options.emplace_back("cache_dir", request.cache_directory + "/vitisai");
    if (!request.model_path.empty())
      options.emplace_back("cache_key", std::filesystem::path(request.model_path).stem().string());
    const auto before_1_4 = release_before_1_4(request.ryzen_ai_release);
    if (before_1_4 && *before_1_4 && !request.xclbin.empty()) options.emplace_back("xclbin", request.xclbin);
    if (before_1_4 && !*before_1_4 && fit.device)
      options.emplace_back("target", fit.device->arch == "xdna2" ? "X2" : "X1");  // X1: XDNA (Phoenix, Hawk Point)
  } else if (name == "QNN" && !user_has("backend_type")) {
    options.emplace_back("backend_path", "libQnnHtp.so");  // the HTP (NPU) backend; the header's default type
  } else if (name == "OpenVINO" && fit.device) {
    options.emplace_back("device_type", class_name(fit.device_class));
  }
  for (const auto& [key, value] : user) set_option(options, key, value);  // user options win; unknown pass through
  return options;
}

// OrtMIGraphXProviderOptions is a fixed struct: only its fields can be set.
Status check_migraphx_options(const ProviderOptions& options) {
  static const std::vector<std::string> fields = {"device_id", "migraphx_fp16_enable", "migraphx_fp8_enable",
                                                  "migraphx_int8_enable", "migraphx_exhaustive_tune",
                                                  "migraphx_mem_limit"};
  for (const auto& [key, value] : options)
    if (std::find(fields.begin(), fields.end(), key) == fields.end())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("MIGraphX option '{}' is not supported (ual sets {} of OrtMIGraphXProviderOptions)",
                                    key, fmt::join(fields, ", ")));
  return ok_status();
}

}  // namespace

const std::vector<std::string>& known_execution_providers() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> result;
    for (const ProviderSpec& spec : provider_specs()) result.emplace_back(spec.name);
    return result;
  }();
  return names;
}

std::string execution_provider_full_name(const std::string& name) {
  for (const ProviderSpec& spec : provider_specs())
    if (name == spec.name || name == spec.short_name) return spec.name;
  return {};
}

Result<ProviderPlan> plan_execution_providers(const ProviderRequest& request) {
  std::map<std::string, ProviderOptions> user_options;
  for (const auto& [name, options] : request.user_options) {
    const std::string full = execution_provider_full_name(name);
    if (full.empty())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("unknown execution provider '{}' in provider options (known: {})", name,
                                    fmt::join(known_execution_providers(), ", ")));
    for (const auto& [key, value] : options) set_option(user_options[full], key, value);
  }
  const auto available = [&](const std::string& name) {
    return std::find(request.available.begin(), request.available.end(), name) != request.available.end();
  };

  struct Candidate {
    PlannedProvider provider;
    DeviceClass device_class;
    std::size_t order;
  };
  std::vector<Candidate> candidates;
  ProviderPlan plan;
  const auto& specs = provider_specs();
  for (std::size_t index = 0; index < specs.size(); ++index) {
    const ProviderSpec& spec = specs[index];
    if (spec.method == AppendMethod::implicit_cpu) continue;
    if (!available(spec.name)) {
      plan.skipped.push_back({spec.name, "not in this ONNX Runtime build"});
      continue;
    }
    const Fit fit = spec.fit(request);
    if (!fit.missing.empty()) {
      plan.skipped.push_back({spec.name, fit.missing});
      continue;
    }
    if (auto excluded = policy_exclusion(request.policy, fit.device_class)) {
      plan.skipped.push_back({spec.name, *excluded});
      continue;
    }
    const auto user = user_options.find(spec.name);
    ProviderOptions options =
        default_options(spec, fit, request, user == user_options.end() ? ProviderOptions{} : user->second);
    if (spec.method == AppendMethod::migraphx_struct)
      if (auto checked = check_migraphx_options(options); !checked) return checked.error();
    const std::string device = fit.device ? fmt::format("{} ({})", fit.device->name,
                                                        fit.device->arch.empty() ? fit.device->vendor : fit.device->arch)
                                          : std::string("this machine");
    candidates.push_back({{spec.name, spec.method, std::move(options),
                           fmt::format("{} {} found; policy {}", class_name(fit.device_class), device,
                                       to_string(request.policy))},
                          fit.device_class, index});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    return class_rank(request.policy, a.device_class) < class_rank(request.policy, b.device_class);
  });
  for (Candidate& candidate : candidates) plan.providers.push_back(std::move(candidate.provider));
  // Providers ORT reports that ual does not select (XNNPACK, Azure, ROCm, WebGPU, ...).
  for (const std::string& name : request.available)
    if (execution_provider_full_name(name).empty())
      plan.skipped.push_back({name, "ual does not select this provider"});
  plan.providers.push_back({"CPUExecutionProvider", AppendMethod::implicit_cpu, {},
                            "always last: runs every node the providers before it do not take"});
  return plan;
}

}  // namespace ual::onnxruntime
