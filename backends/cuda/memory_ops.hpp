// Buffers, copies, events and synchronisation on an open CUDA device (the ABI's memory entries).
#pragma once

#include "plugin_objects.hpp"

namespace ual::cuda {

ual_status buffer_allocate(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error);
void buffer_free(ual_device* device, ual_buffer* buffer);
ual_status copy_host_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                               const void* source, uint64_t bytes, ual_event** completion, ual_error* error);
ual_status copy_device_to_host(ual_device* device, void* destination, const ual_buffer* source, uint64_t source_offset,
                               uint64_t bytes, ual_event** completion, ual_error* error);
ual_status copy_device_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                 const ual_buffer* source, uint64_t source_offset, uint64_t bytes, ual_error* error);
ual_status event_wait(ual_device* device, ual_event* event, ual_error* error);
void event_free(ual_device* device, ual_event* event);
ual_status synchronize(ual_device* device, ual_error* error);

}  // namespace ual::cuda
