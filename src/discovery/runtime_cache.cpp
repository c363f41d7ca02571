#include "discovery/runtime_cache.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "discovery/inventory_json.hpp"
#include "core/cache_file.hpp"
#include "ual/version.hpp"

namespace ual::discovery {
namespace {

using nlohmann::json;
constexpr int cache_format = 1;

}  // namespace

std::string runtime_environment_signature() {
  const char* library_path = std::getenv("LD_LIBRARY_PATH");
  const char* path = std::getenv("PATH");  // where flm is found
  // ual's own version (a new release may probe differently), the loader's search inputs, and the user's groups
  // (OpenCL ICDs list only the devices a user may open).
  std::string signature = fmt::format("ual={};LD_LIBRARY_PATH={};PATH={};ld.so.cache={};uid={};groups=", version(),
                                      library_path ? library_path : "", path ? path : "",
                                      RuntimeCache::file_signature("/etc/ld.so.cache"), ::getuid());
  gid_t groups[256];
  const int count = ::getgroups(256, groups);
  for (int i = 0; i < count; ++i) signature += fmt::format("{},", groups[i]);
  // The OpenCL ICD loader reads /etc/OpenCL/vendors/*.icd (or $OCL_ICD_VENDORS): a new platform changes this.
  const char* vendors = std::getenv("OCL_ICD_VENDORS");
  const std::filesystem::path icd_dir = vendors ? vendors : "/etc/OpenCL/vendors";
  std::error_code error;
  std::vector<std::string> icds;
  for (const auto& entry : std::filesystem::directory_iterator(icd_dir, error)) {
    // The .icd file names the platform library: its content and that library's file both count.
    std::ifstream stream(entry.path());
    std::string library;
    std::getline(stream, library);
    icds.push_back(RuntimeCache::file_signature(entry.path().string()) + "=" + library + "@" +
                   RuntimeCache::file_signature(library));
  }
  std::sort(icds.begin(), icds.end());
  signature += fmt::format(";icd={}", fmt::join(icds, ","));
  return signature;
}

namespace {

// Reads back what runtime_json() (the `ual devices --json` form) wrote: unknown text is null there.
std::string text_or_empty(const json& item, const char* key) {
  const json& value = item.at(key);
  return value.is_null() ? std::string() : value.get<std::string>();
}

Runtime runtime_from_json(const json& item) {
  Runtime runtime;
  runtime.name = item.at("name").get<std::string>();
  runtime.usable = item.at("usable").get<bool>();
  runtime.loaded = item.at("loaded").get<bool>();
  runtime.version = text_or_empty(item, "version");
  runtime.path = text_or_empty(item, "path");
  runtime.reason = text_or_empty(item, "reason");
  runtime.providers = item.value("providers", std::vector<std::string>{});
  for (const json& platform : item.value("platforms", json::array())) {
    OpenClPlatform entry{platform.at("name").get<std::string>(), platform.at("vendor").get<std::string>(),
                         platform.at("version").get<std::string>(), {}};
    for (const json& device : platform.at("devices"))
      entry.devices.push_back({device.at("name").get<std::string>(), device.at("type").get<std::string>(),
                               device.at("memory_bytes").get<std::uint64_t>()});
    runtime.platforms.push_back(std::move(entry));
  }
  return runtime;
}

}  // namespace

std::string RuntimeCache::file_signature(const std::string& path) {
  std::error_code error;
  const auto canonical = std::filesystem::canonical(path, error);
  struct stat info {};
  if (error || ::stat(canonical.c_str(), &info) != 0) return {};
  return fmt::format("{}:{}:{}.{}", canonical.string(), info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

RuntimeCache RuntimeCache::open(const std::filesystem::path& directory, const std::string& search_state) {
  RuntimeCache cache;
  std::filesystem::path folder = directory;
  if (folder.empty()) folder = core::cache_directory();
  if (folder.empty()) return cache;
  cache.file_ = folder / "runtimes-v1.json";
  cache.environment_ = runtime_environment_signature() + ";search=" + search_state;
  std::ifstream stream(cache.file_);
  if (!stream) return cache;
  std::stringstream content;
  content << stream.rdbuf();
  try {
    const json document = json::parse(content.str());
    if (document.at("format").get<int>() != cache_format || document.at("environment").get<std::string>() != cache.environment_)
      return cache;
    for (const json& item : document.at("entries"))
      cache.entries_.push_back({item.at("signature").get<std::string>(), runtime_from_json(item.at("runtime"))});
  } catch (const std::exception&) {
    cache.entries_.clear();  // corrupt: rebuilt by this run
    cache.dirty_ = true;
  }
  return cache;
}

std::optional<Runtime> RuntimeCache::find(const std::string& name) const {
  for (const Entry& entry : entries_)
    if (entry.runtime.name == name && !entry.signature.empty() && entry.signature == file_signature(entry.runtime.path))
      return entry.runtime;
  return std::nullopt;
}

void RuntimeCache::store(const Runtime& runtime) {
  const std::string signature = file_signature(runtime.path);
  std::erase_if(entries_, [&](const Entry& entry) { return entry.runtime.name == runtime.name; });
  dirty_ = true;
  if (!runtime.usable || signature.empty()) return;  // failures are cheap to re-probe and may be fixed any time
  entries_.push_back({signature, runtime});
}

void RuntimeCache::save() const {
  if (!enabled() || !dirty_) return;
  json entries = json::array();
  for (const Entry& entry : entries_)
    entries.push_back({{"signature", entry.signature}, {"runtime", json(runtime_json(entry.runtime))}});
  const json document{{"format", cache_format}, {"environment", environment_}, {"entries", entries}};
  core::replace_file(file_, document.dump(1));
}

}  // namespace ual::discovery
