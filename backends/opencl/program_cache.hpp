// Program binaries cached on disk, one file per (device, driver, source, options): PoCL and GPU drivers compile
// OpenCL C with LLVM in seconds, a cached binary loads in milliseconds. A file is only used when its header and
// checksum match what is asked for; anything else (corrupt, truncated, other key) reads as a miss.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ual::opencl {

// FNV-1a, 64-bit: a key and a corruption check, not a defence against deliberate tampering (the cache directory
// belongs to the user who runs ual).
uint64_t fnv1a_64(std::string_view bytes, uint64_t hash = 0xcbf29ce484222325ULL);

// The key of one program build: everything that changes the binary.
uint64_t program_cache_key(std::string_view device_name, std::string_view driver_version,
                           std::string_view platform_version, std::string_view source, std::string_view options);

// "<directory>/opencl/<16 hex digits>.bin"
std::string program_cache_path(const std::string& directory, uint64_t key);

// The binary stored under `key`, or empty with `why` saying why the file was not usable ("" when it is absent).
std::vector<unsigned char> read_program_cache(const std::string& path, uint64_t key, std::string& why);

// Writes to a temporary file in the same directory and renames it over `path`, so a reader never sees a partial
// file. false with `why` on failure (the build result is still used; the cache is only an optimisation).
bool write_program_cache(const std::string& path, uint64_t key, const std::vector<unsigned char>& binary,
                         std::string& why);

}  // namespace ual::opencl
