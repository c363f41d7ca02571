#include <cstdint>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/child_process.hpp"
#include "core/text.hpp"
#include "discovery/runtimes.hpp"

namespace ual::discovery {
namespace {

// CUDA driver API (cuda.h): CUresult cuDriverGetVersion(int*), 1000*major + 10*minor; needs no cuInit.
void probe_cuda(Runtime& runtime, const DynamicLibrary& library) {
  using Function = int (*)(int*);
  const auto get_version = library.symbol<Function>("cuDriverGetVersion");
  int version = 0;
  if (get_version && get_version(&version) == 0 && version > 0)
    runtime.version = fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

// cuBLASLt: cublasStatus_t cublasLtGetProperty(libraryPropertyType, int*), MAJOR_VERSION 0, MINOR 1, PATCH 2.
void probe_cublaslt(Runtime& runtime, const DynamicLibrary& library) {
  using Function = int (*)(int, int*);
  const auto get_property = library.symbol<Function>("cublasLtGetProperty");
  int major = 0, minor = 0, patch = 0;
  if (get_property && get_property(0, &major) == 0 && get_property(1, &minor) == 0 && get_property(2, &patch) == 0)
    runtime.version = fmt::format("{}.{}.{}", major, minor, patch);
}

// rocBLAS (library/src/buildinfo.cpp): constant build string, no HIP initialisation.
void probe_rocblas(Runtime& runtime, const DynamicLibrary& library) {
  using SizeFunction = int (*)(std::size_t*);
  using StringFunction = int (*)(char*, std::size_t);
  const auto get_size = library.symbol<SizeFunction>("rocblas_get_version_string_size");
  const auto get_string = library.symbol<StringFunction>("rocblas_get_version_string");
  std::size_t size = 0;
  if (!get_size || !get_string || get_size(&size) != 0 || size == 0 || size > 4096) return;
  std::string buffer(size, '\0');
  if (get_string(buffer.data(), size) == 0) runtime.version = std::string(text::trim(buffer.c_str()));
}

// XRT (xrt/experimental/xrt_version.h, 2023+): unsigned xrtVersionMajor/Minor/Patch(void), C linkage.
void probe_xrt(Runtime& runtime, const DynamicLibrary& library) {
  using Function = unsigned (*)();
  const auto major = library.symbol<Function>("xrtVersionMajor");
  const auto minor = library.symbol<Function>("xrtVersionMinor");
  const auto patch = library.symbol<Function>("xrtVersionPatch");
  if (major && minor && patch) runtime.version = fmt::format("{}.{}.{}", major(), minor(), patch());
}

// OpenCL 1.2 entry points (CL/cl.h): platform and device enumeration only, no context is created.
void probe_opencl(Runtime& runtime, const DynamicLibrary& library) {
  using PlatformIds = std::int32_t (*)(std::uint32_t, void**, std::uint32_t*);
  using PlatformInfo = std::int32_t (*)(void*, std::uint32_t, std::size_t, void*, std::size_t*);
  using DeviceIds = std::int32_t (*)(void*, std::uint64_t, std::uint32_t, void**, std::uint32_t*);
  using DeviceInfo = std::int32_t (*)(void*, std::uint32_t, std::size_t, void*, std::size_t*);
  constexpr std::uint32_t platform_version = 0x0901, platform_name = 0x0902, platform_vendor = 0x0903;
  constexpr std::uint32_t device_type = 0x1000, device_memory = 0x101F, device_name = 0x102B;
  constexpr std::uint64_t device_type_all = 0xFFFFFFFF;
  const auto get_platforms = library.symbol<PlatformIds>("clGetPlatformIDs");
  const auto get_platform_info = library.symbol<PlatformInfo>("clGetPlatformInfo");
  const auto get_devices = library.symbol<DeviceIds>("clGetDeviceIDs");
  const auto get_device_info = library.symbol<DeviceInfo>("clGetDeviceInfo");
  if (!get_platforms || !get_platform_info || !get_devices || !get_device_info) {
    runtime.usable = false;
    runtime.reason = "the OpenCL library lacks the OpenCL 1.2 entry points";
    return;
  }
  const auto info_string = [](auto function, void* object, std::uint32_t key) {
    char buffer[512] = {};
    if (function(object, key, sizeof buffer - 1, buffer, nullptr) != 0) return std::string();
    return std::string(text::trim(buffer));
  };
  std::uint32_t count = 0;
  const std::int32_t status = get_platforms(0, nullptr, &count);
  if (status != 0 || count == 0) {
    runtime.usable = false;
    runtime.reason = status == -1001 ? "no OpenCL platform (ICD) is installed (CL_PLATFORM_NOT_FOUND_KHR)"
                                     : fmt::format("clGetPlatformIDs found no platform (status {})", status);
    return;
  }
  std::vector<void*> platforms(std::min<std::uint32_t>(count, 64));
  get_platforms(static_cast<std::uint32_t>(platforms.size()), platforms.data(), nullptr);
  for (void* platform : platforms) {
    OpenClPlatform entry;
    entry.name = info_string(get_platform_info, platform, platform_name);
    entry.vendor = info_string(get_platform_info, platform, platform_vendor);
    entry.version = info_string(get_platform_info, platform, platform_version);
    std::uint32_t device_count = 0;
    if (get_devices(platform, device_type_all, 0, nullptr, &device_count) == 0 && device_count > 0) {
      std::vector<void*> devices(std::min<std::uint32_t>(device_count, 64));
      get_devices(platform, device_type_all, static_cast<std::uint32_t>(devices.size()), devices.data(), nullptr);
      for (void* device : devices) {
        OpenClDevice item;
        item.name = info_string(get_device_info, device, device_name);
        std::uint64_t type = 0, memory = 0;
        get_device_info(device, device_type, sizeof type, &type, nullptr);
        get_device_info(device, device_memory, sizeof memory, &memory, nullptr);
        // CL_DEVICE_TYPE_CPU 1<<1, GPU 1<<2, ACCELERATOR 1<<3, CUSTOM 1<<4.
        item.type = (type & 4) ? "gpu" : (type & 2) ? "cpu" : (type & 8) ? "accelerator" : "custom";
        item.memory_bytes = memory;
        entry.devices.push_back(std::move(item));
      }
    }
    runtime.platforms.push_back(std::move(entry));
  }
  if (runtime.version.empty() && !runtime.platforms.empty()) runtime.version = runtime.platforms.front().version;
}

// ONNX Runtime C API (onnxruntime_c_api.h): OrtGetApiBase() -> {GetApi(uint32), GetVersionString()}. OrtApi is
// an append-only table of function pointers; GetAvailableProviders is entry 125 and ReleaseAvailableProviders 126
// (upstream static_assert in onnxruntime_c_api.cc), ReleaseStatus 93. API version 4 has them all.
void probe_onnxruntime(Runtime& runtime, const DynamicLibrary& library) {
  struct OrtApiBase {
    const void* (*GetApi)(std::uint32_t version);
    const char* (*GetVersionString)();
  };
  using GetApiBase = const OrtApiBase* (*)();
  using GetProviders = void* (*)(char***, int*);
  using ReleaseProviders = void* (*)(char**, int);
  using ReleaseStatus = void (*)(void*);
  const auto get_api_base = library.symbol<GetApiBase>("OrtGetApiBase");
  const OrtApiBase* base = get_api_base ? get_api_base() : nullptr;
  if (!base) {
    runtime.usable = false;
    runtime.reason = "libonnxruntime has no OrtGetApiBase";
    return;
  }
  if (const char* version = base->GetVersionString()) runtime.version = version;
  const auto* api = static_cast<void* const*>(base->GetApi(4));
  if (!api) return;
  const auto get_providers = reinterpret_cast<GetProviders>(api[125]);
  const auto release_providers = reinterpret_cast<ReleaseProviders>(api[126]);
  const auto release_status = reinterpret_cast<ReleaseStatus>(api[93]);
  char** names = nullptr;
  int count = 0;
  if (void* status = get_providers(&names, &count)) {
    release_status(status);
    return;
  }
  for (int i = 0; i < count && i < 64; ++i) runtime.providers.emplace_back(names[i]);
  if (void* status = release_providers(names, count)) release_status(status);
}

}  // namespace

void probe_loaded_runtime(Runtime& runtime, const DynamicLibrary& library) {
  if (runtime.name == "cuda") probe_cuda(runtime, library);
  else if (runtime.name == "cublaslt") probe_cublaslt(runtime, library);
  else if (runtime.name == "rocblas") probe_rocblas(runtime, library);
  else if (runtime.name == "xrt") probe_xrt(runtime, library);
  else if (runtime.name == "opencl") probe_opencl(runtime, library);
  else if (runtime.name == "onnxruntime") probe_onnxruntime(runtime, library);
  // nvml, hip, hipblaslt: their version calls initialise the device (hipRuntimeGetVersion runs hip::init), so
  // the version comes from the file name behind the soname.
}

std::string parse_fastflowlm_version(std::string_view output) {
  const auto json = nlohmann::json::parse(output, nullptr, false);
  if (!json.is_discarded() && json.is_object() && json.contains("version") && json["version"].is_string()) {
    const std::string version = json["version"].get<std::string>();
    return text::is_printable(version) ? std::string(text::trim(version)) : std::string();
  }
  // `flm version` prints "FLM v0.9.21".
  for (const std::string_view line : text::split(output, '\n')) {
    const auto words = text::split_whitespace(line);
    if (words.size() == 2 && words[0] == "FLM" && text::starts_with(words[1], "v") && words[1].size() > 1 &&
        text::is_printable(words[1]))
      return std::string(words[1].substr(1));
  }
  return {};
}

void probe_fastflowlm(Runtime& runtime, const std::string& program, std::chrono::milliseconds timeout) {
  runtime.loaded = true;
  std::string failure;
  for (const std::vector<std::string>& arguments : {std::vector<std::string>{"version", "--json"},
                                                    std::vector<std::string>{"version"}}) {
    auto output = run_child_process(program, arguments, ChildOptions{timeout, 64 * 1024});
    if (!output) {
      failure = output.error().message;
      break;  // could not start, or hung: a second try would fail the same way
    }
    const std::string version = parse_fastflowlm_version(output->standard_output);
    if (output->exited_normally && output->exit_status == 0 && !version.empty()) {
      runtime.usable = true;
      runtime.version = version;
      return;
    }
    const std::string first_line(text::trim(text::split(output->standard_error, '\n').front()));
    failure = fmt::format("`{} {}` {}{}", program, fmt::join(arguments, " "),
                          output->exited_normally ? fmt::format("exited with status {}", output->exit_status)
                                                  : fmt::format("was killed by signal {}", output->signal),
                          first_line.empty() ? std::string(" and printed no version") : ": " + first_line);
  }
  runtime.usable = false;
  runtime.reason = failure;
}

}  // namespace ual::discovery
