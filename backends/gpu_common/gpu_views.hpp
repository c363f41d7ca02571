// ABI tensors as the shared GPU kernels see them (ual_gpu_view of kernel_params.h): validation against the device's
// buffers, broadcasting an operand to an output's shape, and merging dimensions so kernels unravel fewer of them.
// Errors name the device (GpuDevice::label) and the operand: "cuda:0 (NVIDIA H100) SOFTMAX input 0 (x): ...".
#pragma once

#include <cstdint>
#include <initializer_list>

#include "../common/abi_tensor_checks.hpp"
#include "gpu_device.hpp"
#include "kernel_params.h"

namespace ual::gpu {

using ual::plugin::OperandName;

// fail() with "<device label> " in front of the message.
__attribute__((format(printf, 4, 5))) ual_status device_fail(const GpuDevice& device, ual_error* error,
                                                             ual_status code, const char* format, ...);

// Validates `tensor` (ual::plugin::check_tensor_header / check_tensor_extent against device.size(buffer); `rank`
// as there: exact, or any 1..UAL_MAX_RANK when < 0) and describes it: data = device.address(buffer) + offset_bytes.
ual_status make_view(const GpuDevice& device, const ual_tensor& tensor, const OperandName& name, int rank,
                     std::initializer_list<ual_dtype> allowed, ual_gpu_view& view, ual_error* error);

// Reads `operand` with `target`'s coordinates. Without broadcasting the shapes must be equal. With it, numpy's rule:
// the operand's dims align to the target's last ones, each equal or 1 (a 1 and a missing leading dim get stride 0).
ual_status broadcast_to(const GpuDevice& device, const ual_gpu_view& target, ual_gpu_view& operand,
                        bool allow_broadcast, const OperandName& target_name, const OperandName& operand_name,
                        ual_error* error);

// Views of the same shape, read with the same coordinates: adjacent dims that are laid out as one dim in every view
// are merged (and size-1 dims dropped), so kernels unravel fewer dims; a contiguous tensor becomes rank 1.
void collapse_dimensions(ual_gpu_view* const* views, int count);

// [rows, cols] over the last dim when the leading dims of `view` merge into one (strides chain); false otherwise.
bool flatten_rows(const ual_gpu_view& view, ual_gpu_view& rows);

// A dense row-major view of `shape` at `address` (scale_inv 1).
ual_gpu_view contiguous_view(ual_dtype dtype, std::initializer_list<int64_t> shape, std::uint64_t address);

// A dense row-major view with `like`'s shape, `dtype` and scale_inv, at `address`.
ual_gpu_view dense_like(const ual_gpu_view& like, int32_t dtype, std::uint64_t address);

std::int64_t element_count(const ual_gpu_view& view);

}  // namespace ual::gpu
