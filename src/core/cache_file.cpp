#include "core/cache_file.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ual::core {

std::filesystem::path cache_directory() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && xdg[0] == '/')
    return std::filesystem::path(xdg) / "ual";
  if (const char* home = std::getenv("HOME"); home != nullptr && home[0] == '/')
    return std::filesystem::path(home) / ".cache" / "ual";
  return {};
}

bool replace_file(const std::filesystem::path& file, std::string_view content) {
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  // Unique per process and per call, so two threads saving the same cache never share a temporary file.
  static std::atomic<unsigned> sequence{0};
  const std::filesystem::path temporary =
      file.string() + "." + std::to_string(::getpid()) + "." + std::to_string(sequence++) + ".tmp";
  {
    std::ofstream stream(temporary, std::ios::trunc);
    if (!stream) return false;
    stream << content;
    if (!stream) {
      stream.close();
      std::filesystem::remove(temporary, error);
      return false;
    }
  }
  std::filesystem::rename(temporary, file, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    return false;
  }
  return true;
}

}  // namespace ual::core
