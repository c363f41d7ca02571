#include "program_cache.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace ual::opencl {
namespace {

constexpr char kMagic[8] = {'U', 'A', 'L', 'C', 'L', 'B', 'I', 'N'};
constexpr uint32_t kFormatVersion = 1;

// Little-endian on every platform ual targets; the magic and version reject anything else.
struct CacheHeader {
  char magic[8];
  uint32_t version;
  uint32_t reserved;
  uint64_t key;
  uint64_t size;
  uint64_t checksum;
};
static_assert(sizeof(CacheHeader) == 40);

std::string_view as_text(const std::vector<unsigned char>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

uint64_t fnv1a_64(std::string_view bytes, uint64_t hash) {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

uint64_t program_cache_key(std::string_view device_name, std::string_view driver_version,
                           std::string_view platform_version, std::string_view source, std::string_view options) {
  uint64_t hash = fnv1a_64("ual-opencl-program");
  // A NUL between fields keeps ("ab", "c") and ("a", "bc") apart.
  for (std::string_view field : {device_name, driver_version, platform_version, source, options}) {
    hash = fnv1a_64(field, hash);
    hash = fnv1a_64(std::string_view("\0", 1), hash);
  }
  return hash;
}

std::string program_cache_path(const std::string& directory, uint64_t key) {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.bin", static_cast<unsigned long long>(key));
  return (std::filesystem::path(directory) / "opencl" / name).string();
}

std::vector<unsigned char> read_program_cache(const std::string& path, uint64_t key, std::string& why) {
  why.clear();
  std::ifstream file(path, std::ios::binary);
  if (!file) return {};
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  CacheHeader header{};
  if (bytes.size() < sizeof header) {
    why = "shorter than its header";
    return {};
  }
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0) {
    why = "bad magic";
    return {};
  }
  if (header.version != kFormatVersion) {
    why = "format version " + std::to_string(header.version);
    return {};
  }
  if (header.key != key) {
    why = "key mismatch";
    return {};
  }
  if (header.size != bytes.size() - sizeof header || header.size == 0) {
    why = "size " + std::to_string(header.size) + " but " + std::to_string(bytes.size() - sizeof header) +
          " bytes follow the header";
    return {};
  }
  std::vector<unsigned char> binary(bytes.begin() + sizeof header, bytes.end());
  if (fnv1a_64(as_text(binary)) != header.checksum) {
    why = "checksum mismatch";
    return {};
  }
  return binary;
}

bool write_program_cache(const std::string& path, uint64_t key, const std::vector<unsigned char>& binary,
                         std::string& why) {
  static std::atomic<unsigned> counter{0};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    why = "cannot create " + std::filesystem::path(path).parent_path().string() + ": " + ec.message();
    return false;
  }
  CacheHeader header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  header.version = kFormatVersion;
  header.key = key;
  header.size = binary.size();
  header.checksum = fnv1a_64(as_text(binary));
  const std::string temporary =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(&header), sizeof header);
    file.write(reinterpret_cast<const char*>(binary.data()), static_cast<std::streamsize>(binary.size()));
    file.close();
    if (!file) {
      why = "cannot write " + temporary;
      std::filesystem::remove(temporary, ec);
      return false;
    }
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    why = "cannot rename " + temporary + " to " + path + ": " + ec.message();
    std::filesystem::remove(temporary, ec);
    return false;
  }
  return true;
}

}  // namespace ual::opencl
