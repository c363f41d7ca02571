// Setting a kernel's arguments in order and enqueueing it, with failures as ual_status.
#pragma once

#include <cstddef>

#include "memory_ops.hpp"
#include "plugin_error.hpp"

namespace ual::opencl {

// Each argument is passed by value with its own size (cl_mem handles, scalars, descriptor structs), so the host
// types must match the kernel signature exactly: cl_long for long, cl_int for int, cl_float for float.
template <class... Arguments>
ual_status set_kernel_arguments(const ual_device* device, cl_kernel kernel, const char* kernel_name,
                                ual_error* error, const Arguments&... arguments) {
  cl_uint index = 0;
  cl_int status = CL_SUCCESS;
  const auto set = [&](const auto& argument) {
    if (status == CL_SUCCESS) status = device->cl->clSetKernelArg(kernel, index, sizeof argument, &argument);
    if (status == CL_SUCCESS) ++index;
  };
  (set(arguments), ...);
  if (status != CL_SUCCESS) {
    return fail(error, UAL_STATUS_INTERNAL, "OpenCL device %s: clSetKernelArg(%s, argument %u) failed: %s",
                device->name.c_str(), kernel_name, index, cl_error_text(status).c_str());
  }
  return UAL_STATUS_OK;
}

inline ual_status enqueue_kernel(const ual_device* device, cl_kernel kernel, const char* kernel_name,
                                 cl_uint dimensions, const std::size_t* global, const std::size_t* local,
                                 ual_error* error) {
  const cl_int status =
      device->cl->clEnqueueNDRangeKernel(device->queue, kernel, dimensions, nullptr, global, local, 0, nullptr,
                                         nullptr);
  if (status != CL_SUCCESS) return cl_failure(error, status, kernel_name, device);
  return UAL_STATUS_OK;
}

// Sets the float at `offset_bytes` of `buffer` to +0 (amax outputs are atomic maxima over non-negative values).
inline ual_status zero_amax(const ual_device* device, const ual_buffer* buffer, uint64_t offset_bytes,
                            ual_error* error) {
  const cl_uint zero = 0;
  const cl_int status = device->cl->clEnqueueFillBuffer(device->queue, buffer->memory, &zero, sizeof zero,
                                                        offset_bytes, sizeof zero, 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return cl_failure(error, status, "clEnqueueFillBuffer (amax)", device);
  return UAL_STATUS_OK;
}

}  // namespace ual::opencl
