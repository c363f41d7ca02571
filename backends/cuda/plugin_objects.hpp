// The objects behind the ABI's opaque handles for CUDA: the backend (driver and cuBLASLt tables, device list), an open
// device (primary context, in-order stream, kernel module, cuBLASLt handle and workspace, scratch, the GEMM
// algorithm cache), buffers and events. ual_device implements the shared GpuDevice the common op code runs on.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "../gpu_common/gpu_device.hpp"
#include "cublaslt_library.hpp"
#include "cuda_driver.hpp"
#include "gemm_algorithm_cache.hpp"

namespace ual::cuda {

// What cuDeviceGetAttribute and friends say about one device, read once at init.
struct DeviceDescription {
  CUdevice device = 0;
  std::string name;
  int compute_major = 0, compute_minor = 0;
  int multiprocessors = 0;
  int max_threads_per_block = 1024;
  int clock_khz = 0;
  int memory_clock_khz = 0;
  int memory_bus_bits = 0;
  bool integrated = false;
  std::uint64_t memory_bytes = 0;
  std::string pci_address;  // "0000:c1:00.0"
  int compute_capability() const { return compute_major * 10 + compute_minor; }
};

struct Backend {
  CudaDriver driver;
  CublasLtLibrary cublaslt;
  std::string cublaslt_unavailable;  // why GEMM is unsupported when cuBLASLt did not load ("" when it did)
  int driver_version = 0;            // cuDriverGetVersion: 13000 for CUDA 13.0
  std::vector<DeviceDescription> devices;
  void (*host_log)(int32_t level, const char* message) = nullptr;
  ual_backend_api api{};

  void log(int32_t level, const std::string& message) const {
    if (host_log != nullptr) host_log(level, ("cuda: " + message).c_str());
  }
};

}  // namespace ual::cuda

struct ual_device final : ual::gpu::GpuDevice {
  ual::cuda::Backend* backend = nullptr;
  const ual::cuda::CudaDriver* cu = nullptr;
  uint32_t index = 0;
  ual::cuda::DeviceDescription description;
  std::string device_label;  // "cuda:0 (NVIDIA H100 80GB HBM3)"
  CUcontext context = nullptr;
  CUstream stream = nullptr;
  CUmodule module = nullptr;
  std::unordered_map<std::string, CUfunction> functions;
  std::array<CUdeviceptr, 4> scratch_pointers{};
  std::array<std::uint64_t, 4> scratch_bytes{};
  // cuBLASLt state: created on the first GEMM.
  cublasLtHandle_t lt = nullptr;
  CUdeviceptr workspace = 0;
  std::uint64_t workspace_bytes = 0;
  ual::cuda::GemmAlgorithmCache algorithms;

  // Makes the device's context current on the calling thread (the host may drive devices from several threads).
  ual_status make_current(ual_error* error);
  // A driver failure as an ABI status with the device, the step and the driver's words.
  ual_status driver_failure(ual_error* error, CUresult result, const char* step) const;

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
  CUdeviceptr pointer = 0;  // 0 for zero-byte buffers
  uint64_t bytes = 0;
};

struct ual_event {
  CUevent event = nullptr;  // NULL: the operation was empty and is already complete
};
