#include "engines/onnxruntime/library_search.hpp"

#include <cstdlib>

#include <fmt/format.h>

namespace ual::onnxruntime {

std::vector<std::string> onnxruntime_library_candidates() {
  if (const char* path = std::getenv(library_environment_variable); path && *path) return {path};
  // The loader's search (LD_LIBRARY_PATH, ld.so.cache, the default directories) by soname, then the unversioned
  // development link some distributions ship alone.
  std::vector<std::string> candidates = {"libonnxruntime.so.1", "libonnxruntime.so"};
#ifdef UAL_BUNDLED_ONNXRUNTIME_LIBRARY
  candidates.emplace_back(UAL_BUNDLED_ONNXRUNTIME_LIBRARY);  // src/CMakeLists.txt: fetched by scripts/setup
#endif
  return candidates;
}

Result<DynamicLibrary> open_onnxruntime_library() {
  const std::vector<std::string> candidates = onnxruntime_library_candidates();
  auto library = DynamicLibrary::open_first(candidates, /*keep_mapped=*/true);
  if (library) return library;
  const char* named = std::getenv(library_environment_variable);
  const std::string source = named && *named ? fmt::format(", named by {}", library_environment_variable)
                                             : fmt::format("; run scripts/setup to fetch it, or set {} to its path",
                                                           library_environment_variable);
  return make_error(ErrorCode::unavailable, fmt::format("unavailable: libonnxruntime.so.1 not found (tried {}{}): {}",
                                                        fmt::join(candidates, ", "), source, library.error().message));
}

}  // namespace ual::onnxruntime
