// The AMD HIP runtime (libamdhip64.so), opened at run time: the plugin never links it and is compiled by the host
// compiler without HIP's headers, so it loads on any machine and says what is missing. The few types and entry points
// it uses are declared here from HIP's public API reference (https://rocm.docs.amd.com/projects/HIP/en/latest/doxygen/
// html/group___device.html and siblings; values checked against Debian's HIP 5.2 hip_runtime_api.h). Only C entry
// points whose signatures are the same in ROCm 5, 6 and 7 are used: hipDeviceProp_t (its layout changed in ROCm 6)
// never is.
#pragma once

#include <cstddef>
#include <string>

#include "ual/backend_abi.h"

namespace ual::hip {

using hipError_t = int;  // an enum in HIP; int-sized on every ABI HIP supports
using hipDevice_t = int;
using hipStream_t = struct ihipStream_t*;
using hipEvent_t = struct ihipEvent_t*;
using hipModule_t = struct ihipModule_t*;
using hipFunction_t = struct ihipModuleSymbol_t*;
using hipDeviceptr_t = void*;

inline constexpr hipError_t hipSuccess = 0;
inline constexpr hipError_t hipErrorOutOfMemory = 2;  // also hipErrorMemoryAllocation
inline constexpr hipError_t hipErrorNoDevice = 100;
inline constexpr hipError_t hipErrorInvalidImage = 200;
inline constexpr hipError_t hipErrorNoBinaryForGpu = 209;
inline constexpr unsigned hipStreamNonBlocking = 0x1;
inline constexpr unsigned hipEventDisableTiming = 0x2;

// hipDeviceAttribute_t: the CUDA-compatible block has kept its numbering from ROCm 5.0 on (vLLM relies on
// hipDeviceAttributeMaxSharedMemoryPerBlock = 74 in ROCm 6); values from HIP 5.2's hip_runtime_api.h. Callers still
// sanity-check what they read, so a renumbering degrades to defaults rather than to nonsense.
inline constexpr int hipDeviceAttributeClockRate = 5;
inline constexpr int hipDeviceAttributeIntegrated = 16;
inline constexpr int hipDeviceAttributeMaxThreadsPerBlock = 56;
inline constexpr int hipDeviceAttributeMemoryBusWidth = 59;
inline constexpr int hipDeviceAttributeMemoryClockRate = 60;
inline constexpr int hipDeviceAttributeMultiprocessorCount = 63;
inline constexpr int hipDeviceAttributeMaxSharedMemoryPerBlock = 74;
inline constexpr int hipDeviceAttributeWarpSize = 87;

extern "C" {
// Prototypes as in hip_runtime_api.h (HIP 5.2 ... 7.0). The names are in ual::hip, so they never clash with a real
// declaration; only the function-pointer types are used (the symbols are looked up with dlsym).
hipError_t hipInit(unsigned int flags);
hipError_t hipDriverGetVersion(int* driver_version);
hipError_t hipGetDeviceCount(int* count);
hipError_t hipDeviceGet(hipDevice_t* device, int ordinal);
hipError_t hipDeviceGetName(char* name, int length, hipDevice_t device);
hipError_t hipDeviceTotalMem(std::size_t* bytes, hipDevice_t device);
hipError_t hipDeviceGetAttribute(int* value, int attribute, int device_id);
hipError_t hipDeviceGetPCIBusId(char* pci_bus_id, int length, int device);
hipError_t hipSetDevice(int device_id);
hipError_t hipStreamCreateWithFlags(hipStream_t* stream, unsigned int flags);
hipError_t hipStreamDestroy(hipStream_t stream);
hipError_t hipStreamSynchronize(hipStream_t stream);
hipError_t hipMalloc(void** pointer, std::size_t bytes);
hipError_t hipFree(void* pointer);
hipError_t hipMemGetInfo(std::size_t* free_bytes, std::size_t* total_bytes);
hipError_t hipMemcpyHtoDAsync(hipDeviceptr_t destination, void* source, std::size_t bytes, hipStream_t stream);
hipError_t hipMemcpyDtoHAsync(void* destination, hipDeviceptr_t source, std::size_t bytes, hipStream_t stream);
hipError_t hipMemcpyDtoDAsync(hipDeviceptr_t destination, hipDeviceptr_t source, std::size_t bytes,
                              hipStream_t stream);
hipError_t hipEventCreateWithFlags(hipEvent_t* event, unsigned flags);
hipError_t hipEventRecord(hipEvent_t event, hipStream_t stream);
hipError_t hipEventSynchronize(hipEvent_t event);
hipError_t hipEventDestroy(hipEvent_t event);
hipError_t hipModuleLoadData(hipModule_t* module, const void* image);
hipError_t hipModuleUnload(hipModule_t module);
hipError_t hipModuleGetFunction(hipFunction_t* function, hipModule_t module, const char* name);
hipError_t hipModuleLaunchKernel(hipFunction_t function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                                 unsigned block_x, unsigned block_y, unsigned block_z, unsigned shared_bytes,
                                 hipStream_t stream, void** kernel_params, void** extra);
hipError_t hipGetLastError(void);
const char* hipGetErrorName(hipError_t error);
const char* hipGetErrorString(hipError_t error);
}

#define UAL_HIP_SYMBOLS(X)                                                                                          \
  X(hipInit) X(hipDriverGetVersion) X(hipGetDeviceCount) X(hipDeviceGet) X(hipDeviceGetName) X(hipDeviceTotalMem)  \
  X(hipDeviceGetAttribute) X(hipDeviceGetPCIBusId) X(hipSetDevice) X(hipStreamCreateWithFlags) X(hipStreamDestroy) \
  X(hipStreamSynchronize) X(hipMalloc) X(hipFree) X(hipMemGetInfo) X(hipMemcpyHtoDAsync) X(hipMemcpyDtoHAsync)     \
  X(hipMemcpyDtoDAsync) X(hipEventCreateWithFlags) X(hipEventRecord) X(hipEventSynchronize) X(hipEventDestroy)     \
  X(hipModuleLoadData) X(hipModuleUnload) X(hipModuleGetFunction) X(hipModuleLaunchKernel) X(hipGetLastError)      \
  X(hipGetErrorName) X(hipGetErrorString)

struct HipLibrary {
  void* handle = nullptr;
  std::string path;  // what was opened: "libamdhip64.so.6" or $UAL_HIP_LIBRARY
#define UAL_HIP_MEMBER(name) decltype(&ual::hip::name) name = nullptr;
  UAL_HIP_SYMBOLS(UAL_HIP_MEMBER)
#undef UAL_HIP_MEMBER

  // "hipErrorOutOfMemory (2: out of memory)": the runtime's own name and sentence for an error code.
  std::string describe(hipError_t error) const;
};

// dlopen ($UAL_HIP_LIBRARY when set, else libamdhip64.so.7, .so.6, .so.5, .so) and every symbol. UNAVAILABLE with
// the reason when the runtime is missing or is not HIP; `library` is left closed then. hipInit is not called here.
ual_status open_hip_library(HipLibrary& library, ual_error* error);
void close_hip_library(HipLibrary& library);

// dlopen of the first of `names` that loads (RTLD_NODELETE, as the HIP runtime): the handle and the name, or NULL.
void* open_first_library(const char* const* names, std::size_t count, std::string& opened);

}  // namespace ual::hip
