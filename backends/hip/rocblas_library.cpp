#include "rocblas_library.hpp"

#include <dlfcn.h>

#include <cstdlib>

namespace ual::hip {

bool open_rocblas_library(RocblasLibrary& library, std::string& why) {
  close_rocblas_library(library);
  const char* override_name = std::getenv("UAL_ROCBLAS_LIBRARY");
  if (override_name != nullptr && override_name[0] != '\0') {
    const char* names[] = {override_name};
    library.handle = open_first_library(names, 1, library.path);
    if (library.handle == nullptr) {
      why = std::string("rocBLAS not found (") + override_name + " from UAL_ROCBLAS_LIBRARY)";
      return false;
    }
  } else {
    const char* names[] = {"librocblas.so.5", "librocblas.so.4", "librocblas.so.3", "librocblas.so.0"};
    library.handle = open_first_library(names, std::size(names), library.path);
    if (library.handle == nullptr) {
      why = "rocBLAS not found (librocblas.so.5/.4/.3/.0; install ROCm's rocblas)";
      return false;
    }
  }
#define UAL_ROCBLAS_RESOLVE(name)                                                                   \
  library.name = reinterpret_cast<decltype(library.name)>(dlsym(library.handle, #name));            \
  if (library.name == nullptr) {                                                                    \
    why = library.path + " lacks " #name " (not a rocBLAS this plugin knows)";                      \
    close_rocblas_library(library);                                                                 \
    return false;                                                                                   \
  }
  UAL_ROCBLAS_SYMBOLS(UAL_ROCBLAS_RESOLVE)
#undef UAL_ROCBLAS_RESOLVE
  return true;
}

void close_rocblas_library(RocblasLibrary& library) {
  if (library.handle != nullptr) dlclose(library.handle);
  library = RocblasLibrary{};
}

std::string RocblasLibrary::describe(rocblas_status status) const {
  const char* text = rocblas_status_to_string != nullptr ? rocblas_status_to_string(status) : nullptr;
  return std::string(text != nullptr ? text : "rocblas_status") + " (" + std::to_string(status) + ")";
}

}  // namespace ual::hip
