// The objects behind the ABI's opaque handles: the backend (loaded ICD loader, device list, the host's cache
// directory and log), an open device (context, in-order queue, lazily built program), buffers and events.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "device_enumeration.hpp"
#include "opencl_library.hpp"

namespace ual::opencl {

struct Backend {
  OpenClLibrary cl;
  std::vector<DeviceEntry> devices;
  bool has_cache_directory = false;
  std::string cache_directory;  // the host's cache directory; program binaries go to <it>/opencl/
  void (*host_log)(int32_t level, const char* message) = nullptr;
  ual_backend_api api{};

  void log(int32_t level, const std::string& message) const {
    if (host_log != nullptr) host_log(level, ("opencl: " + message).c_str());
  }
};

// Work-group sizes the kernels are compiled for (-D options): the largest that fit the device's limits.
struct LaunchShape {
  int gemm_side = 16;     // WG: GEMM work-groups are WG x WG, tiles 4 * WG square
  int row_group = 256;    // ROW_WG: work-items per row of SOFTMAX / RMS_NORM / LAYER_NORM
  int point_group = 256;  // POINT_WG: elementwise work-group size
};

}  // namespace ual::opencl

struct ual_device {
  ual::opencl::Backend* backend = nullptr;
  const ual::opencl::OpenClLibrary* cl = nullptr;
  uint32_t index = 0;
  cl_platform_id platform = nullptr;
  cl_device_id id = nullptr;
  std::string name;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  ual::opencl::LaunchShape launch;

  // Built on the first op that needs it (ops may run from different host threads for different devices, and the
  // host serialises per device, but supports() and run() both reach here: the mutex keeps the build single).
  std::mutex program_mutex;
  cl_program program = nullptr;
  cl_kernel gemm_kernel = nullptr;
  cl_kernel pointwise_kernel = nullptr;
  cl_kernel rowwise_kernel = nullptr;
};

struct ual_buffer {
  ual_device* device = nullptr;
  cl_mem memory = nullptr;  // NULL for zero-byte buffers: OpenCL refuses 0-size clCreateBuffer
  uint64_t bytes = 0;
};

struct ual_event {
  cl_event event = nullptr;  // NULL: the operation was empty and is already complete
};
