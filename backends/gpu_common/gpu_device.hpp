// What the shared GPU op code (backends/gpu_common/) needs from an open CUDA or HIP device: device addresses of ABI
// buffers, stream-ordered scratch memory and kernel launches by name. The CUDA plugin (backends/cuda/) and the HIP
// plugin (backends/hip/) each implement it on top of their driver; the op code above it is written once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "ual/backend_abi.h"

namespace ual::gpu {

struct LaunchShape {
  std::uint32_t grid[3] = {1, 1, 1};
  std::uint32_t block[3] = {1, 1, 1};
};

class GpuDevice {
 public:
  virtual ~GpuDevice() = default;

  // "cuda:0 (NVIDIA H100 80GB HBM3)": how errors name the device.
  virtual const std::string& label() const = 0;
  virtual int multiprocessor_count() const = 0;  // SMs or CUs: sizes grid-stride launches
  virtual int max_threads_per_block() const = 0;

  // Device address of byte 0 of an ABI buffer, and the buffer's size in bytes (bounds checks).
  virtual std::uint64_t address(const ual_buffer* buffer) const = 0;
  virtual std::uint64_t size(const ual_buffer* buffer) const = 0;

  // Enqueues kernel `name` (one of kernel_params.h) with `params` (that kernel's struct, copied at the call) on the
  // device's in-order stream. A failure names the kernel and the device.
  virtual ual_status launch(const char* name, const void* params, std::size_t params_bytes, const LaunchShape& shape,
                            ual_error* error) = 0;

  // Stream-ordered scratch memory: `slot` 0..3 are independent regions that each hold at least `bytes` until the
  // next request of the same slot (ops on one device are serialised, so an op owns every slot while it runs).
  virtual ual_status scratch(int slot, std::uint64_t bytes, std::uint64_t* address, ual_error* error) = 0;
};

}  // namespace ual::gpu
