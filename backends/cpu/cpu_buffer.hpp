// The CPU backend's buffers are plain host memory: a ual_buffer* handed out by the CPU backend points at a CpuBuffer,
// and a tensor's bytes are at data + offset_bytes. Shared by the backend's op implementations.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ual/backend_abi.h"
#include "ual/fp8.hpp"

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

// The ABI's dtypes, as every op of the CPU backend reads them.
inline bool is_fp8(ual_dtype dtype) noexcept {
  return dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2 || dtype == UAL_DTYPE_FP8_E4M3FNUZ ||
         dtype == UAL_DTYPE_FP8_E5M2FNUZ;
}

inline std::size_t dtype_size(ual_dtype dtype) noexcept {  // 0 for an unknown value
  switch (dtype) {
    case UAL_DTYPE_F32:
    case UAL_DTYPE_I32: return 4;
    case UAL_DTYPE_F16:
    case UAL_DTYPE_BF16: return 2;
    case UAL_DTYPE_FP8_E4M3:
    case UAL_DTYPE_FP8_E5M2:
    case UAL_DTYPE_FP8_E4M3FNUZ:
    case UAL_DTYPE_FP8_E5M2FNUZ:
    case UAL_DTYPE_I8: return 1;
  }
  return 0;
}

inline ual::fp8::Format fp8_format(ual_dtype dtype) noexcept {  // precondition: is_fp8(dtype)
  switch (dtype) {
    case UAL_DTYPE_FP8_E5M2: return ual::fp8::Format::e5m2;
    case UAL_DTYPE_FP8_E4M3FNUZ: return ual::fp8::Format::e4m3fnuz;
    case UAL_DTYPE_FP8_E5M2FNUZ: return ual::fp8::Format::e5m2fnuz;
    default: return ual::fp8::Format::e4m3;
  }
}

// Host address of element 0 of a tensor view (nullptr for an absent operand).
inline void* host_address(const ual_tensor& tensor) noexcept {
  if (tensor.buffer == nullptr) return nullptr;
  return static_cast<char*>(to_cpu_buffer(tensor.buffer)->data) + tensor.offset_bytes;
}

}  // namespace ual::cpu
