#include "cublaslt_library.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <vector>

#include "../common/plugin_status.hpp"

namespace ual::cuda {

using ual::plugin::fail;

std::string CublasLtLibrary::describe(cublasStatus_t status) const {
  std::string out = cublasLtGetStatusName != nullptr ? cublasLtGetStatusName(status)
                                                     : "cuBLAS status " + std::to_string(static_cast<int>(status));
  if (cublasLtGetStatusString != nullptr) out += std::string(" (") + cublasLtGetStatusString(status) + ")";
  return out;
}

ual_status open_cublaslt(CublasLtLibrary& library, ual_error* error) {
  std::vector<std::string> candidates;
  if (const char* override_path = std::getenv("UAL_CUBLASLT_LIBRARY"); override_path != nullptr && override_path[0]) {
    candidates.emplace_back(override_path);
  } else {
    // The CUDA 13, 12 and 11 sonames, through the loader's search path (LD_LIBRARY_PATH, ld.so.cache), then the
    // toolkit's default location, which ldconfig often does not list.
    for (const char* name : {"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11"}) {
      candidates.emplace_back(name);
    }
    for (const char* name : {"/usr/local/cuda/lib64/libcublasLt.so.13", "/usr/local/cuda/lib64/libcublasLt.so.12"}) {
      candidates.emplace_back(name);
    }
  }
  std::string tried;
  for (const std::string& candidate : candidates) {
    library.handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library.handle != nullptr) {
      library.path = candidate;
      break;
    }
    tried += (tried.empty() ? "" : ", ") + candidate;
  }
  if (library.handle == nullptr) {
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: cuBLASLt not found (tried %s)", tried.c_str());
  }
#define UAL_CUBLASLT_LOOKUP(name)                                                                           \
  library.name = reinterpret_cast<decltype(library.name)>(dlsym(library.handle, #name));                   \
  if (library.name == nullptr) {                                                                            \
    const std::string path = library.path;                                                                  \
    close_cublaslt(library);                                                                                \
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: %s has no %s (cuBLASLt too old)", path.c_str(), \
                #name);                                                                                     \
  }
  UAL_CUBLASLT_SYMBOLS(UAL_CUBLASLT_LOOKUP)
#undef UAL_CUBLASLT_LOOKUP
  library.version = library.cublasLtGetVersion();
  return UAL_STATUS_OK;
}

void close_cublaslt(CublasLtLibrary& library) {
  if (library.handle != nullptr) dlclose(library.handle);
  library = CublasLtLibrary{};
}

}  // namespace ual::cuda
