// The registry of compute backends: the built-in CPU backend, then every plugin on the search path.
#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <set>

#include "backends/cpu/cpu_backend.hpp"
#include "compute/plugin_loader.hpp"
#include "core/cache_file.hpp"
#include "core/text.hpp"

#ifndef UAL_INSTALL_LIBDIR
#define UAL_INSTALL_LIBDIR "/usr/local/lib"
#endif

namespace ual {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view plugin_prefix = "libual-backend-";
constexpr std::string_view plugin_suffix = ".so";

bool is_plugin_file_name(std::string_view name) {
  return name.size() > plugin_prefix.size() + plugin_suffix.size() && name.starts_with(plugin_prefix) &&
         name.ends_with(plugin_suffix);
}

// "libual-backend-opencl.so" -> "opencl" (the name used in reports before the plugin says its own).
std::string name_from_file(const fs::path& path) {
  std::string name = path.filename().string();
  if (!is_plugin_file_name(name)) return name;
  return name.substr(plugin_prefix.size(), name.size() - plugin_prefix.size() - plugin_suffix.size());
}

std::string directory_of_libual() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&directory_of_libual), &info) == 0 || info.dli_fname == nullptr) return {};
  std::error_code error;
  fs::path path = fs::canonical(info.dli_fname, error);
  return error ? std::string() : path.parent_path().string();
}

// Plugin files in search order; a file name seen earlier shadows later ones (PATH-like).
std::vector<fs::path> plugin_files(const std::vector<std::string>& search_path) {
  std::vector<fs::path> files;
  std::set<std::string> seen_names;
  std::set<fs::path> seen_paths;
  auto add = [&](const fs::path& file) {
    std::error_code error;
    fs::path canonical = fs::canonical(file, error);
    if (error || !seen_paths.insert(canonical).second) return;
    if (!seen_names.insert(file.filename().string()).second) return;
    files.push_back(file);
  };
  for (const std::string& entry : search_path) {
    std::error_code error;
    if (fs::is_directory(entry, error)) {
      std::vector<fs::path> in_directory;
      for (const auto& item : fs::directory_iterator(entry, error))
        if (is_plugin_file_name(item.path().filename().string())) in_directory.push_back(item.path());
      std::sort(in_directory.begin(), in_directory.end());
      for (const auto& file : in_directory) add(file);
    } else if (fs::exists(entry, error)) {
      add(entry);  // an explicit file: any name is accepted
    }
  }
  return files;
}

std::shared_ptr<BackendRegistry> load_registry(const BackendOptions& options) {
  auto registry = std::make_shared<BackendRegistry>();
  auto host = detail::make_plugin_host(options.cache_directory.empty() ? default_cache_directory()
                                                                       : options.cache_directory);
  // The CPU backend is built in and always first: it is the fallback every selection policy ends with.
  BackendReport cpu_report;
  cpu_report.name = "cpu";
  cpu_report.loaded = true;
  cpu_report.score = 1;
  if (auto status = detail::start_backend(DynamicLibrary(), &cpu::builtin_backend_init, host, "", cpu_report,
                                          registry->devices_);
      !status) {
    cpu_report.loaded = false;
    cpu_report.reason = status.error().message;
  }
  registry->reports_.push_back(std::move(cpu_report));
  if (!options.load_plugins) return registry;

  for (const fs::path& file : plugin_files(backend_search_path(options))) {
    BackendReport report;
    report.name = name_from_file(file);
    report.path = file.string();
    auto plugin = detail::open_plugin_file(file.string());
    if (!plugin) {
      report.reason = plugin.error().message;
      registry->reports_.push_back(std::move(report));
      continue;
    }
    auto score = plugin->score_check(host->host);
    if (!score) {
      report.reason = score.error().message;
      registry->reports_.push_back(std::move(report));
      continue;
    }
    report.score = score.value();
    // A backend name already loaded from an earlier file keeps its place unless this one scores higher.
    std::vector<ComputeDevice> devices;
    auto started = detail::start_backend(std::move(plugin->library), plugin->init_function, host, file.string(),
                                         report, devices);
    if (!started) {
      report.reason = started.error().message;
      registry->reports_.push_back(std::move(report));
      continue;
    }
    auto earlier = std::find_if(registry->reports_.begin(), registry->reports_.end(),
                                [&](const BackendReport& other) { return other.loaded && other.name == report.name; });
    if (earlier != registry->reports_.end()) {
      if (earlier->score >= report.score) {
        report.reason = fmt::format("backend '{}' is already loaded from {} (score {} >= {})", report.name,
                                    earlier->path.empty() ? "libual" : earlier->path, earlier->score, report.score);
        report.device_ids.clear();
        registry->reports_.push_back(std::move(report));
        continue;  // devices (and the plugin) are released here
      }
      std::erase_if(registry->devices_, [&](const ComputeDevice& device) { return device.info().backend == report.name; });
      earlier->loaded = false;
      earlier->reason = fmt::format("replaced by {} (score {} > {})", report.path, report.score, earlier->score);
      earlier->device_ids.clear();
    }
    report.loaded = true;
    for (auto& device : devices) registry->devices_.push_back(std::move(device));
    registry->reports_.push_back(std::move(report));
  }
  return registry;
}

}  // namespace

std::string default_cache_directory() { return core::cache_directory().string(); }

std::vector<std::string> backend_search_path(const BackendOptions& options) {
  if (!options.search_path.empty()) return options.search_path;
  std::vector<std::string> path;
  if (options.use_environment) {
    if (const char* variable = std::getenv("UAL_BACKEND_PATH"); variable != nullptr)
      for (std::string_view entry : text::split(variable, ':'))
        if (!entry.empty()) path.emplace_back(entry);
  }
  if (std::string directory = directory_of_libual(); !directory.empty()) path.push_back(directory);
  path.emplace_back(UAL_INSTALL_LIBDIR);
  return path;
}

Result<std::shared_ptr<BackendRegistry>> BackendRegistry::load(const BackendOptions& options) {
  try {
    return load_registry(options);
  } catch (const std::exception& error) {
    return make_error(ErrorCode::internal, fmt::format("loading compute backends: {}", error.what()));
  }
}

Result<ComputeDevice> BackendRegistry::device(std::string_view id) const {
  std::string wanted(id);
  if (wanted.find(':') == std::string::npos) wanted += ":0";
  for (const ComputeDevice& device : devices_)
    if (device.id() == wanted) return device;
  std::string known;
  for (const ComputeDevice& device : devices_) known += (known.empty() ? "" : ", ") + device.id();
  return make_error(ErrorCode::not_found, fmt::format("no compute device '{}' (this machine has: {})", id, known));
}

const BackendRegistry& default_backends() {
  static std::once_flag once;
  static std::shared_ptr<BackendRegistry> registry;
  std::call_once(once, [] {
    auto loaded = BackendRegistry::load();
    registry = loaded ? loaded.value() : std::make_shared<BackendRegistry>();
  });
  return *registry;
}

}  // namespace ual
