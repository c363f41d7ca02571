// Where ual keeps its caches, and how a cache file is replaced: the runtime probes, the compute-device listing and
// the selector's calibration all follow these two rules.
#pragma once

#include <filesystem>
#include <string_view>

namespace ual::core {

// $XDG_CACHE_HOME/ual, else $HOME/.cache/ual, else empty (no cache).
std::filesystem::path cache_directory();

// Writes content to a temporary file beside `file` and renames it into place, so that a concurrent reader sees the
// old file or the new one, never half of one. Creates the directory. Best effort: false when any step failed (a
// read-only home only costs the next run its speed).
bool replace_file(const std::filesystem::path& file, std::string_view content);

}  // namespace ual::core
