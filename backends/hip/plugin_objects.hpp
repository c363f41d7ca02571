// The objects behind the ABI's opaque handles for HIP: the backend (HIP runtime and rocBLAS tables, device list), an
// open device (in-order stream, kernel module from the embedded code object, rocBLAS handle, scratch), buffers and
// events. ual_device implements the shared GpuDevice the common op code runs on.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "../gpu_common/gpu_device.hpp"
#include "gfx_target.hpp"
#include "hip_library.hpp"
#include "rocblas_library.hpp"

namespace ual::hip {

// What the runtime and the KFD topology say about one device, read once at init.
struct DeviceDescription {
  int ordinal = 0;  // HIP's device index (hipSetDevice)
  std::string name;
  std::string gfx_target;  // "gfx90a"; "" when KFD did not say (the device is then refused at open)
  int multiprocessors = 0;
  int max_threads_per_block = 1024;
  int wavefront_size = 64;
  int clock_khz = 0;
  int memory_clock_khz = 0;
  int memory_bus_bits = 0;
  bool integrated = false;
  std::uint32_t pci_device_id = 0;
  std::uint64_t memory_bytes = 0;
  std::string pci_address;  // "0000:c1:00.0"
};

struct Backend {
  HipLibrary runtime;
  RocblasLibrary rocblas;
  std::string rocblas_unavailable;  // why GEMM is unavailable when rocBLAS did not load ("" when it did)
  int driver_version = 0;           // hipDriverGetVersion
  std::vector<DeviceDescription> devices;
  void (*host_log)(int32_t level, const char* message) = nullptr;
  ual_backend_api api{};

  void log(int32_t level, const std::string& message) const {
    if (host_log != nullptr) host_log(level, ("hip: " + message).c_str());
  }
};

}  // namespace ual::hip

struct ual_device final : ual::gpu::GpuDevice {
  ual::hip::Backend* backend = nullptr;
  const ual::hip::HipLibrary* hip = nullptr;
  uint32_t index = 0;
  ual::hip::DeviceDescription description;
  std::string device_label;  // "hip:0 (AMD Instinct MI210, gfx90a)"
  ual::hip::hipStream_t stream = nullptr;
  // The kernels' module, loaded on the first launch (hipModuleLoadData costs milliseconds and a device that only
  // copies never needs it); supports() and run() may race for it, hence the mutex.
  std::mutex module_mutex;
  ual::hip::hipModule_t module = nullptr;
  std::unordered_map<std::string, ual::hip::hipFunction_t> functions;
  std::array<std::uint64_t, 4> scratch_pointers{};
  std::array<std::uint64_t, 4> scratch_bytes{};
  ual::hip::rocblas_handle blas = nullptr;  // created on the first GEMM
  // The last op enqueued ("GEMM"): a kernel fault surfaces asynchronously, at the next synchronize or copy, and the
  // message names the op that most likely caused it.
  const char* last_op = nullptr;

  // Makes the device current on the calling thread (the host may drive devices from several threads).
  ual_status make_current(ual_error* error);
  // A runtime failure as an ABI status with the device, the step and the runtime's words.
  ual_status runtime_failure(ual_error* error, ual::hip::hipError_t result, const char* step) const;
  // Loads the embedded code object (once); a target it lacks code for is UNSUPPORTED naming the target.
  ual_status ensure_module(ual_error* error);

  const std::string& label() const override { return device_label; }
  int multiprocessor_count() const override { return description.multiprocessors; }
  int max_threads_per_block() const override { return description.max_threads_per_block; }
  std::uint64_t address(const ual_buffer* buffer) const override;
  std::uint64_t size(const ual_buffer* buffer) const override;
  ual_status launch(const char* name, const void* params, std::size_t params_bytes, const ual::gpu::LaunchShape& shape,
                    ual_error* error) override;
  ual_status scratch(int slot, std::uint64_t bytes, std::uint64_t* address, ual_error* error) override;
};

struct ual_buffer {
  ual_device* device = nullptr;
  void* pointer = nullptr;  // NULL for zero-byte buffers
  uint64_t bytes = 0;
};

struct ual_event {
  ual::hip::hipEvent_t event = nullptr;  // NULL: the operation was empty and is already complete
};
