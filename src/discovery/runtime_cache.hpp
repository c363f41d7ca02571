// A cache of successful live runtime probes ($XDG_CACHE_HOME/ual/runtimes-v1.json). Loading cuBLASLt alone costs
// ~110 ms and PoCL's platform query ~40 ms on the CI machine, which would put `ual devices` far over its 50 ms
// budget; a probe is reused only while the library file (path, size, mtime), LD_LIBRARY_PATH, /etc/ld.so.cache and
// the OpenCL ICD list are unchanged. A corrupt or stale cache is ignored and rewritten, never trusted.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ual/inventory.hpp"

namespace ual::discovery {

class RuntimeCache {
 public:
  // Empty directory: the default ($XDG_CACHE_HOME/ual or ~/.cache/ual); no usable home: the cache is disabled.
  // search_state: what the caller's library search would see (which candidate files exist), so that a library
  // added where the dynamic loader does not look on its own still invalidates the cache.
  static RuntimeCache open(const std::filesystem::path& directory, const std::string& search_state);

  // A cached probe of this runtime whose files are unchanged, or nullopt.
  std::optional<Runtime> find(const std::string& name) const;
  void store(const Runtime& runtime);
  void save() const;  // best effort: a read-only home only costs the next run its speed
  bool enabled() const { return !file_.empty(); }

  // The signature of a library or program file: canonical path, size and mtime; empty when it cannot be read.
  static std::string file_signature(const std::string& path);

 private:
  std::filesystem::path file_;
  std::string environment_;  // LD_LIBRARY_PATH, ld.so.cache and OpenCL ICD state when this run started
  struct Entry {
    std::string signature;
    Runtime runtime;
  };
  std::vector<Entry> entries_;
  bool dirty_ = false;
};

// What a probe result depends on besides the library file itself: ual's version, LD_LIBRARY_PATH, PATH,
// /etc/ld.so.cache, the user's groups and the OpenCL ICD list. Also keys the compute-device listing cache.
std::string runtime_environment_signature();

}  // namespace ual::discovery
