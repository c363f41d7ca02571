#include "cuda_driver.hpp"

#include <dlfcn.h>

#include <cstdlib>

#include "../common/plugin_status.hpp"

namespace ual::cuda {

using ual::plugin::fail;

namespace {

// Names for the results that matter before the driver can describe itself: the toolkit's stub library answers
// cuGetErrorName itself with CUDA_ERROR_STUB_LIBRARY, so cuInit's failure there needs its own name (values: cuda.h).
const char* fallback_name(CUresult result) {
  switch (result) {
    case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
    case CUDA_ERROR_STUB_LIBRARY: return "CUDA_ERROR_STUB_LIBRARY (the CUDA toolkit's link-time stub, not a driver)";
    case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH: return "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH";
    default: return nullptr;
  }
}

}  // namespace

std::string CudaDriver::describe(CUresult result) const {
  const char* name = nullptr;
  const char* text = nullptr;
  if (cuGetErrorName == nullptr || cuGetErrorName(result, &name) != CUDA_SUCCESS) name = nullptr;
  if (cuGetErrorString == nullptr || cuGetErrorString(result, &text) != CUDA_SUCCESS) text = nullptr;
  if (name == nullptr) name = fallback_name(result);
  std::string out = name != nullptr ? name : "CUDA error " + std::to_string(static_cast<int>(result));
  if (text != nullptr) out += std::string(" (") + text + ")";
  return out;
}

ual_status open_cuda_driver(CudaDriver& driver, ual_error* error) {
  const char* override_path = std::getenv("UAL_CUDA_DRIVER_LIBRARY");
  driver.path = override_path != nullptr && override_path[0] != '\0' ? override_path : "libcuda.so.1";
  driver.handle = dlopen(driver.path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (driver.handle == nullptr) {
    const char* why = dlerror();
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: no NVIDIA driver (%s not found: %s)",
                driver.path.c_str(), why != nullptr ? why : "dlopen failed");
  }
#define UAL_CUDA_DRIVER_LOOKUP(name)                                                                             \
  driver.name = reinterpret_cast<decltype(driver.name)>(dlsym(driver.handle, #name));                           \
  if (driver.name == nullptr) {                                                                                  \
    const std::string path = driver.path;                                                                        \
    close_cuda_driver(driver);                                                                                   \
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: %s has no %s (NVIDIA driver too old)", path.c_str(), \
                #name);                                                                                          \
  }
  UAL_CUDA_DRIVER_SYMBOLS(UAL_CUDA_DRIVER_LOOKUP)
#undef UAL_CUDA_DRIVER_LOOKUP
  if (const CUresult result = driver.cuInit(0); result != CUDA_SUCCESS) {
    // The toolkit's stub library (lib64/stubs/libcuda.so) answers CUDA_ERROR_STUB_LIBRARY; a machine with the driver
    // but no GPU answers CUDA_ERROR_NO_DEVICE.
    const std::string reason = driver.describe(result);
    const std::string path = driver.path;
    close_cuda_driver(driver);
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: cuInit failed in %s: %s", path.c_str(), reason.c_str());
  }
  return UAL_STATUS_OK;
}

void close_cuda_driver(CudaDriver& driver) {
  if (driver.handle != nullptr) dlclose(driver.handle);
  const std::string path = driver.path;
  driver = CudaDriver{};
  driver.path = path;
}

}  // namespace ual::cuda
