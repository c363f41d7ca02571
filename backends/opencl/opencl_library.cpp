#include "opencl_library.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "plugin_error.hpp"

namespace ual::opencl {
namespace {

// RTLD_NODELETE: ICD loaders and the vendor drivers they pull in keep global state and threads (PoCL's worker
// pool, LLVM's static objects) that do not survive being unmapped and mapped again; libual's own loader keeps vendor
// runtimes mapped for the same reason (core/dynamic_library.hpp keep_mapped).
constexpr int kOpenFlags = RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE;

}  // namespace

ual_status open_opencl_library(OpenClLibrary& library, ual_error* error) {
  close_opencl_library(library);
  const char* override_name = std::getenv("UAL_OPENCL_LIBRARY");
  std::string tried;
  if (override_name != nullptr && override_name[0] != '\0') {
    library.handle = dlopen(override_name, kOpenFlags);
    if (library.handle == nullptr) {
      const char* reason = dlerror();
      return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: %s (UAL_OPENCL_LIBRARY) not found: %s", override_name,
                  reason != nullptr ? reason : "dlopen failed");
    }
    library.name = override_name;
  } else {
    for (const char* name : {"libOpenCL.so.1", "libOpenCL.so"}) {
      library.handle = dlopen(name, kOpenFlags);
      if (library.handle != nullptr) {
        library.name = name;
        break;
      }
    }
    if (library.handle == nullptr) {
      return fail(error, UAL_STATUS_UNAVAILABLE,
                  "unavailable: libOpenCL.so.1 not found (nor libOpenCL.so); install an OpenCL ICD loader "
                  "(Debian: ocl-icd-libopencl1) and a driver");
    }
  }
  dlerror();
#define UAL_OPENCL_RESOLVE_SYMBOL(symbol)                                                                            \
  library.symbol = reinterpret_cast<decltype(library.symbol)>(dlsym(library.handle, #symbol));                     \
  if (library.symbol == nullptr) {                                                                                   \
    const std::string opened = library.name;                                                                         \
    close_opencl_library(library);                                                                                   \
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: %s lacks the OpenCL symbol %s (not an OpenCL 1.2 ICD " \
                "loader)", opened.c_str(), #symbol);                                                                \
  }
  UAL_OPENCL_SYMBOLS(UAL_OPENCL_RESOLVE_SYMBOL)
#undef UAL_OPENCL_RESOLVE_SYMBOL
  return UAL_STATUS_OK;
}

void close_opencl_library(OpenClLibrary& library) {
  if (library.handle != nullptr) dlclose(library.handle);
  library = OpenClLibrary{};
}

std::string cl_error_text(cl_int code) {
  const char* name = nullptr;
  switch (code) {
    case CL_DEVICE_NOT_FOUND: name = "CL_DEVICE_NOT_FOUND"; break;
    case CL_DEVICE_NOT_AVAILABLE: name = "CL_DEVICE_NOT_AVAILABLE"; break;
    case CL_COMPILER_NOT_AVAILABLE: name = "CL_COMPILER_NOT_AVAILABLE"; break;
    case CL_MEM_OBJECT_ALLOCATION_FAILURE: name = "CL_MEM_OBJECT_ALLOCATION_FAILURE"; break;
    case CL_OUT_OF_RESOURCES: name = "CL_OUT_OF_RESOURCES"; break;
    case CL_OUT_OF_HOST_MEMORY: name = "CL_OUT_OF_HOST_MEMORY"; break;
    case CL_BUILD_PROGRAM_FAILURE: name = "CL_BUILD_PROGRAM_FAILURE"; break;
    case CL_INVALID_VALUE: name = "CL_INVALID_VALUE"; break;
    case CL_INVALID_DEVICE: name = "CL_INVALID_DEVICE"; break;
    case CL_INVALID_BINARY: name = "CL_INVALID_BINARY"; break;
    case CL_INVALID_BUILD_OPTIONS: name = "CL_INVALID_BUILD_OPTIONS"; break;
    case CL_INVALID_KERNEL_NAME: name = "CL_INVALID_KERNEL_NAME"; break;
    case CL_INVALID_ARG_INDEX: name = "CL_INVALID_ARG_INDEX"; break;
    case CL_INVALID_ARG_VALUE: name = "CL_INVALID_ARG_VALUE"; break;
    case CL_INVALID_ARG_SIZE: name = "CL_INVALID_ARG_SIZE"; break;
    case CL_INVALID_KERNEL_ARGS: name = "CL_INVALID_KERNEL_ARGS"; break;
    case CL_INVALID_WORK_GROUP_SIZE: name = "CL_INVALID_WORK_GROUP_SIZE"; break;
    case CL_INVALID_WORK_ITEM_SIZE: name = "CL_INVALID_WORK_ITEM_SIZE"; break;
    case CL_INVALID_GLOBAL_WORK_SIZE: name = "CL_INVALID_GLOBAL_WORK_SIZE"; break;
    case CL_INVALID_BUFFER_SIZE: name = "CL_INVALID_BUFFER_SIZE"; break;
    case CL_INVALID_MEM_OBJECT: name = "CL_INVALID_MEM_OBJECT"; break;
    case CL_INVALID_EVENT: name = "CL_INVALID_EVENT"; break;
    case CL_INVALID_OPERATION: name = "CL_INVALID_OPERATION"; break;
    case CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST: name = "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST"; break;
    case -1001: name = "CL_PLATFORM_NOT_FOUND_KHR"; break;
    default: name = "OpenCL error"; break;
  }
  return std::string(name) + " (" + std::to_string(code) + ")";
}

}  // namespace ual::opencl
