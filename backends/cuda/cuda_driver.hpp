// The CUDA driver API (libcuda.so.1), opened at run time: the plugin never links it, so it loads on machines without
// an NVIDIA driver and says so. Types and prototypes come from the toolkit's cuda.h (headers only); each entry is
// looked up by its real exported name (cuda.h maps cuMemAlloc to cuMemAlloc_v2 etc. with macros, so the table names
// the _v2 symbols explicitly).
#pragma once

#include <cuda.h>

#include <string>

#include "ual/backend_abi.h"

namespace ual::cuda {

#define UAL_CUDA_DRIVER_SYMBOLS(X)                                                                           \
  X(cuInit) X(cuDriverGetVersion) X(cuGetErrorName) X(cuGetErrorString) X(cuDeviceGetCount) X(cuDeviceGet)  \
  X(cuDeviceGetName) X(cuDeviceGetAttribute) X(cuDeviceTotalMem_v2) X(cuDeviceGetPCIBusId)                  \
  X(cuDevicePrimaryCtxRetain) X(cuDevicePrimaryCtxRelease_v2) X(cuCtxSetCurrent) X(cuStreamCreate)          \
  X(cuStreamDestroy_v2) X(cuStreamSynchronize) X(cuEventCreate) X(cuEventRecord) X(cuEventSynchronize)      \
  X(cuEventDestroy_v2) X(cuEventElapsedTime) X(cuMemAlloc_v2) X(cuMemFree_v2) X(cuMemGetInfo_v2)            \
  X(cuMemcpyHtoDAsync_v2) X(cuMemcpyDtoHAsync_v2) X(cuMemcpyDtoDAsync_v2) X(cuModuleLoadData)               \
  X(cuModuleUnload) X(cuModuleGetFunction) X(cuLaunchKernel)

struct CudaDriver {
  void* handle = nullptr;
  std::string path;  // what was opened: "libcuda.so.1" or $UAL_CUDA_DRIVER_LIBRARY
#define UAL_CUDA_DRIVER_MEMBER(name) decltype(&::name) name = nullptr;
  UAL_CUDA_DRIVER_SYMBOLS(UAL_CUDA_DRIVER_MEMBER)
#undef UAL_CUDA_DRIVER_MEMBER

  // "CUDA_ERROR_OUT_OF_MEMORY (out of memory)": the driver's own name and sentence for a result code.
  std::string describe(CUresult result) const;
};

// dlopen + every symbol + cuInit(0). UNAVAILABLE with the reason ("unavailable: no NVIDIA driver (libcuda.so.1 not
// found)", "cuInit failed: CUDA_ERROR_NO_DEVICE ...") when the driver cannot be used. $UAL_CUDA_DRIVER_LIBRARY
// names another file (tests point it at the toolkit's stub library).
ual_status open_cuda_driver(CudaDriver& driver, ual_error* error);
void close_cuda_driver(CudaDriver& driver);

}  // namespace ual::cuda
