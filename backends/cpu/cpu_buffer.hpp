// The CPU backend's buffers are plain host memory: a ual_buffer* handed out by the CPU backend points at a CpuBuffer,
// and a tensor's bytes are at data + offset_bytes. Shared by the backend's op implementations.
#pragma once

#include <cstdint>

#include "ual/backend_abi.h"

namespace ual::cpu {

struct CpuBuffer {
  void* data = nullptr;
  std::uint64_t bytes = 0;
};

inline CpuBuffer* to_cpu_buffer(ual_buffer* buffer) noexcept { return reinterpret_cast<CpuBuffer*>(buffer); }
inline const CpuBuffer* to_cpu_buffer(const ual_buffer* buffer) noexcept {
  return reinterpret_cast<const CpuBuffer*>(buffer);
}
inline ual_buffer* to_abi_buffer(CpuBuffer* buffer) noexcept { return reinterpret_cast<ual_buffer*>(buffer); }

// Host address of element 0 of a tensor view (nullptr for an absent operand).
inline void* host_address(const ual_tensor& tensor) noexcept {
  if (tensor.buffer == nullptr) return nullptr;
  return static_cast<char*>(to_cpu_buffer(tensor.buffer)->data) + tensor.offset_bytes;
}

}  // namespace ual::cpu
