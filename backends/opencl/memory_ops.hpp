// Device buffers (cl_mem), copies in queue order, events and synchronize: the ABI's memory half.
#pragma once

#include "plugin_objects.hpp"

namespace ual::opencl {

ual_status buffer_allocate(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error);
void buffer_free(ual_device* device, ual_buffer* buffer);
ual_status copy_host_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                               const void* source, uint64_t bytes, ual_event** completion, ual_error* error);
ual_status copy_device_to_host(ual_device* device, void* destination, const ual_buffer* source,
                               uint64_t source_offset, uint64_t bytes, ual_event** completion, ual_error* error);
ual_status copy_device_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                 const ual_buffer* source, uint64_t source_offset, uint64_t bytes, ual_error* error);
ual_status event_wait(ual_device* device, ual_event* event, ual_error* error);
void event_free(ual_device* device, ual_event* event);
ual_status synchronize(ual_device* device, ual_error* error);

// A failed cl* call as a ual_status: allocation failures are OUT_OF_MEMORY, the rest DEVICE_ERROR.
ual_status cl_failure(ual_error* error, cl_int status, const char* what, const ual_device* device);

}  // namespace ual::opencl
