#include "discovery/runtimes.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"
#include "core/text.hpp"
#include "discovery/runtime_cache.hpp"
#include "engines/onnxruntime/library_search.hpp"

namespace ual::discovery {
namespace {

struct DeviceRequirement {
  std::uint32_t vendor_id = 0;
  std::string driver;
  bool fastflowlm = false;  // the device must be one FastFlowLM supports
  std::string what;         // "NVIDIA GPU bound to the nvidia driver"
};

struct RuntimeSpec {
  std::string name;
  std::vector<std::string> libraries;
  std::vector<std::string> programs;
  std::optional<DeviceRequirement> requires_device;
};

struct RuntimeCatalog {
  std::vector<std::string> library_dirs;
  std::vector<std::string> program_dirs;
  std::vector<RuntimeSpec> runtimes;
};

Result<RuntimeCatalog> parse_runtime_catalog() {
  const auto content = data::find_embedded_file("runtimes.json");
  if (!content) return make_error(ErrorCode::internal, "data/runtimes.json is not compiled in");
  try {
    const auto json = nlohmann::json::parse(*content);
    RuntimeCatalog catalog;
    catalog.library_dirs = json.at("library_dirs").get<std::vector<std::string>>();
    catalog.program_dirs = json.at("program_dirs").get<std::vector<std::string>>();
    for (const auto& item : json.at("runtimes")) {
      RuntimeSpec spec;
      spec.name = item.at("name").get<std::string>();
      spec.libraries = item.value("libraries", std::vector<std::string>{});
      spec.programs = item.value("programs", std::vector<std::string>{});
      if (item.contains("requires_device")) {
        const auto& requirement = item.at("requires_device");
        const auto vendor = text::parse_hex_id(requirement.at("vendor_id").get<std::string>());
        if (!vendor) throw std::runtime_error(spec.name + ": requires_device.vendor_id is not a hex id");
        spec.requires_device = DeviceRequirement{*vendor, requirement.at("driver").get<std::string>(),
                                                 requirement.value("fastflowlm", false),
                                                 requirement.at("what").get<std::string>()};
      }
      catalog.runtimes.push_back(std::move(spec));
    }
    return catalog;
  } catch (const std::exception& error) {
    return make_error(ErrorCode::parse_error, fmt::format("data/runtimes.json: {}", error.what()));
  }
}

const Result<RuntimeCatalog>& runtime_catalog() {
  static const Result<RuntimeCatalog> catalog = parse_runtime_catalog();  // compiled-in data: parsed once
  return catalog;
}

bool requirement_met(const DeviceRequirement& requirement, const std::vector<HardwareDevice>& devices) {
  return std::any_of(devices.begin(), devices.end(), [&](const HardwareDevice& device) {
    return device.vendor_id == requirement.vendor_id && device.driver == requirement.driver &&
           (!requirement.fastflowlm || device.fastflowlm_supported.value_or(false));
  });
}

// Follows a chain of symlinks inside the sysroot (libcuda.so.1 -> libcuda.so.550.54.15) to the final file name.
std::string final_file_name(const Sysroot& sysroot, std::string path) {
  for (int hop = 0; hop < 8; ++hop) {
    const auto target = sysroot.read_link(path);
    if (!target) break;
    path = (*target)[0] == '/' ? *target : path.substr(0, path.rfind('/') + 1) + *target;
  }
  return path.substr(path.rfind('/') + 1);
}

// A recorded tree: the runtime is "usable" when its file is there, but nothing was loaded or run.
Runtime find_by_presence(DiscoveryContext& context, const RuntimeCatalog& catalog, const RuntimeSpec& spec) {
  Runtime runtime;
  runtime.name = spec.name;
  const auto& names = spec.libraries.empty() ? spec.programs : spec.libraries;
  const auto& dirs = spec.libraries.empty() ? catalog.program_dirs : catalog.library_dirs;
  for (const std::string& name : names) {
    for (const std::string& dir : dirs) {
      const std::string path = dir + "/" + name;
      const FileStatus status = context.sysroot().status(path);
      if (!status.exists || status.is_directory) continue;
      runtime.usable = true;
      runtime.path = path;
      runtime.version = version_from_file_name(name, final_file_name(context.sysroot(), path));
      return runtime;
    }
  }
  runtime.reason = fmt::format("{} not found in the sysroot's {} directories", fmt::join(names, ", "),
                               spec.libraries.empty() ? "program" : "library");
  return runtime;
}

Result<DynamicLibrary> open_live_library(const RuntimeCatalog& catalog, const RuntimeSpec& spec) {
  // ONNX Runtime: the engine's own search first (UAL_ONNXRUNTIME_LIBRARY, the loader, the copy scripts/setup
  // fetched), so `ual devices` lists the library `ual run` uses; a library named by the variable is the only one.
  if (spec.name == "onnxruntime") {
    auto library = onnxruntime::open_onnxruntime_library();
    const char* named = std::getenv(onnxruntime::library_environment_variable);
    if (library || (named && *named)) return library;
  }
  std::vector<std::string> candidates = spec.libraries;  // the loader's own search first (LD_LIBRARY_PATH, ld.so.cache)
  for (const std::string& name : spec.libraries)
    for (const std::string& dir : catalog.library_dirs)
      if (::access((dir + "/" + name).c_str(), F_OK) == 0) candidates.push_back(dir + "/" + name);
  auto library = DynamicLibrary::open_first(candidates, /*keep_mapped=*/true);
  if (library) return library;
  // A soname that exists but fails to load (missing dependency) says more than "not found": keep that message.
  for (std::size_t i = spec.libraries.size(); i < candidates.size(); ++i)
    if (auto attempt = DynamicLibrary::open(candidates[i], true); !attempt) return attempt.error();
  return make_error(ErrorCode::not_found, fmt::format("{} not found", fmt::join(spec.libraries, ", ")));
}

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  for (const std::string_view dir : text::split(path ? path : "", ':')) {
    if (dir.empty()) continue;
    const std::string candidate = fmt::format("{}/{}", dir, program);
    struct stat info {};
    if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return {};
}

Runtime find_live(DiscoveryContext& context, const RuntimeCatalog& catalog, const RuntimeSpec& spec) {
  Runtime runtime;
  runtime.name = spec.name;
  if (!spec.programs.empty()) {
    for (const std::string& program : spec.programs) {
      const std::string path = find_on_path(program);
      if (path.empty()) continue;
      runtime.path = path;
      probe_fastflowlm(runtime, path, context.options().child_timeout);
      return runtime;
    }
    runtime.reason = fmt::format("{} not found on PATH", fmt::join(spec.programs, ", "));
    return runtime;
  }
  auto library = open_live_library(catalog, spec);
  if (!library) {
    runtime.reason = library.error().message;
    return runtime;
  }
  runtime.loaded = true;
  runtime.usable = true;
  runtime.path = library->path();
  std::error_code error;
  const auto real = std::filesystem::canonical(runtime.path, error);
  const std::string soname = runtime.path.substr(runtime.path.rfind('/') + 1);
  if (!error) runtime.version = version_from_file_name(soname, real.filename().string());
  probe_loaded_runtime(runtime, *library);
  return runtime;
}

}  // namespace

std::string version_from_file_name(std::string_view soname, std::string_view file_name) {
  const std::size_t so = soname.find(".so");
  if (so == std::string_view::npos) return {};
  const std::string_view stem = soname.substr(0, so + 3);  // "libcuda.so"
  if (!text::starts_with(file_name, stem) || file_name.size() <= stem.size() + 1 || file_name[stem.size()] != '.')
    return {};
  const std::string_view version = file_name.substr(stem.size() + 1);
  const std::string_view soname_version = soname.size() > stem.size() + 1 ? soname.substr(stem.size() + 1) : "";
  return version == soname_version ? std::string() : std::string(version);
}

std::vector<Runtime> discover_runtimes(DiscoveryContext& context, const std::vector<HardwareDevice>& devices) {
  std::vector<Runtime> runtimes = probe_runtimes(context);
  const auto& catalog = runtime_catalog();
  if (!catalog) return runtimes;
  for (Runtime& runtime : runtimes) {
    const auto spec = std::find_if(catalog->runtimes.begin(), catalog->runtimes.end(),
                                   [&](const RuntimeSpec& candidate) { return candidate.name == runtime.name; });
    if (spec == catalog->runtimes.end() || !spec->requires_device || !runtime.usable) continue;
    if (requirement_met(*spec->requires_device, devices)) continue;
    runtime.usable = false;
    runtime.reason = fmt::format("{} is installed, but this machine has no {}",
                                 runtime.path.substr(runtime.path.rfind('/') + 1), spec->requires_device->what);
  }
  return runtimes;
}

std::vector<Runtime> probe_runtimes(DiscoveryContext& context) {
  const auto& catalog = runtime_catalog();
  if (!catalog) {
    context.add_problem(catalog.error().message);
    return {};
  }
  std::vector<Runtime> runtimes;
  if (!context.sysroot().is_live()) {
    for (const RuntimeSpec& spec : catalog->runtimes) runtimes.push_back(find_by_presence(context, *catalog, spec));
    return runtimes;
  }
  const DiscoveryOptions& options = context.options();
  // Which candidate files exist in the catalog's directories: a library added there invalidates the cache.
  std::string search_state;
  for (const RuntimeSpec& spec : catalog->runtimes)
    for (const std::string& name : spec.libraries)
      for (const std::string& dir : catalog->library_dirs)
        if (::access((dir + "/" + name).c_str(), F_OK) == 0) search_state += dir + "/" + name + ",";
  for (const std::string& path : onnxruntime::onnxruntime_library_candidates())  // the engine's, outside those dirs
    if (path.find('/') != std::string::npos) search_state += path + (::access(path.c_str(), F_OK) == 0 ? "+," : "-,");
  RuntimeCache cache = RuntimeCache::open(options.runtime_cache_directory, search_state);
  for (const RuntimeSpec& spec : catalog->runtimes) {
    if (auto cached = options.refresh_runtime_cache ? std::nullopt : cache.find(spec.name)) {
      runtimes.push_back(std::move(*cached));
      continue;
    }
    runtimes.push_back(find_live(context, *catalog, spec));
    cache.store(runtimes.back());
  }
  cache.save();
  return runtimes;
}

}  // namespace ual::discovery
