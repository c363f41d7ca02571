#include "memory_ops.hpp"

#include "plugin_error.hpp"

namespace ual::hip {
namespace {

void* byte_address(const ual_buffer* buffer, uint64_t offset) {
  return static_cast<unsigned char*>(buffer->pointer) + offset;
}

ual_status check_device(const ual_device* device, const char* entry, ual_error* error) {
  if (device == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip %s: device is NULL", entry);
  return UAL_STATUS_OK;
}

ual_status check_range(const ual_device* device, const ual_buffer* buffer, uint64_t offset, uint64_t bytes,
                       const char* what, ual_error* error) {
  if (buffer == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s buffer is NULL", device->device_label.c_str(), what);
  }
  if (buffer->device != device) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s buffer belongs to another device",
                device->device_label.c_str(), what);
  }
  if (offset > buffer->bytes || bytes > buffer->bytes - offset) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s range [%llu, %llu + %llu) is outside the %llu-byte buffer",
                device->device_label.c_str(), what, static_cast<unsigned long long>(offset),
                static_cast<unsigned long long>(offset), static_cast<unsigned long long>(bytes),
                static_cast<unsigned long long>(buffer->bytes));
  }
  return UAL_STATUS_OK;
}

// After an enqueued copy: either wait for it (completion == NULL) or hand back an event recorded behind it.
ual_status finish_copy(ual_device* device, ual_event** completion, ual_error* error) {
  const HipLibrary& hip = *device->hip;
  if (completion == nullptr) {
    if (const hipError_t r = hip.hipStreamSynchronize(device->stream); r != hipSuccess) {
      return device->runtime_failure(error, r, "hipStreamSynchronize after a copy");
    }
    return UAL_STATUS_OK;
  }
  auto* event = new ual_event;
  if (const hipError_t r = hip.hipEventCreateWithFlags(&event->event, hipEventDisableTiming); r != hipSuccess) {
    delete event;
    return device->runtime_failure(error, r, "hipEventCreateWithFlags");
  }
  if (const hipError_t r = hip.hipEventRecord(event->event, device->stream); r != hipSuccess) {
    hip.hipEventDestroy(event->event);
    delete event;
    return device->runtime_failure(error, r, "hipEventRecord");
  }
  *completion = event;
  return UAL_STATUS_OK;
}

}  // namespace

ual_status buffer_allocate(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error) {
  if (device == nullptr || buffer == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip buffer_allocate: device or buffer pointer is NULL");
  }
  *buffer = nullptr;
  if (ual_status s = device->make_current(error)) return s;
  auto* result = new ual_buffer;
  result->device = device;
  result->bytes = bytes;
  if (bytes > 0) {
    if (const hipError_t r = device->hip->hipMalloc(&result->pointer, bytes); r != hipSuccess) {
      delete result;
      std::size_t free_bytes = 0, total_bytes = 0;
      device->hip->hipMemGetInfo(&free_bytes, &total_bytes);
      return fail(error, r == hipErrorOutOfMemory ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                  "%s: allocating %llu bytes failed (%llu of %llu bytes free): %s", device->device_label.c_str(),
                  static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(free_bytes),
                  static_cast<unsigned long long>(total_bytes), device->hip->describe(r).c_str());
    }
  }
  *buffer = result;
  return UAL_STATUS_OK;
}

void buffer_free(ual_device* device, ual_buffer* buffer) {
  if (device == nullptr || buffer == nullptr) return;
  if (buffer->pointer != nullptr && device->make_current(nullptr) == UAL_STATUS_OK) {
    // hipFree waits for the device's queued work (HIP documents it as synchronising), so no kernel still reads it.
    device->hip->hipFree(buffer->pointer);
  }
  delete buffer;
}

ual_status copy_host_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                               const void* source, uint64_t bytes, ual_event** completion, ual_error* error) {
  if (ual_status s = check_device(device, "copy_host_to_device", error)) return s;
  if (ual_status s = check_range(device, destination, destination_offset, bytes, "destination", error)) return s;
  if (source == nullptr && bytes > 0) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: copy source is NULL", device->device_label.c_str());
  }
  if (completion != nullptr) *completion = nullptr;
  if (bytes == 0) return completion != nullptr ? finish_copy(device, completion, error) : UAL_STATUS_OK;
  if (ual_status s = device->make_current(error)) return s;
  if (const hipError_t r = device->hip->hipMemcpyHtoDAsync(byte_address(destination, destination_offset),
                                                           const_cast<void*>(source), bytes, device->stream);
      r != hipSuccess) {
    return device->runtime_failure(error, r, "hipMemcpyHtoDAsync");
  }
  return finish_copy(device, completion, error);
}

ual_status copy_device_to_host(ual_device* device, void* destination, const ual_buffer* source, uint64_t source_offset,
                               uint64_t bytes, ual_event** completion, ual_error* error) {
  if (ual_status s = check_device(device, "copy_device_to_host", error)) return s;
  if (ual_status s = check_range(device, source, source_offset, bytes, "source", error)) return s;
  if (destination == nullptr && bytes > 0) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: copy destination is NULL", device->device_label.c_str());
  }
  if (completion != nullptr) *completion = nullptr;
  if (bytes == 0) return completion != nullptr ? finish_copy(device, completion, error) : UAL_STATUS_OK;
  if (ual_status s = device->make_current(error)) return s;
  if (const hipError_t r = device->hip->hipMemcpyDtoHAsync(destination, byte_address(source, source_offset), bytes,
                                                           device->stream);
      r != hipSuccess) {
    return device->runtime_failure(error, r, "hipMemcpyDtoHAsync");
  }
  return finish_copy(device, completion, error);
}

ual_status copy_device_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                 const ual_buffer* source, uint64_t source_offset, uint64_t bytes, ual_error* error) {
  if (ual_status s = check_device(device, "copy_device_to_device", error)) return s;
  if (ual_status s = check_range(device, destination, destination_offset, bytes, "destination", error)) return s;
  if (ual_status s = check_range(device, source, source_offset, bytes, "source", error)) return s;
  if (bytes == 0) return UAL_STATUS_OK;
  if (source == destination && source_offset < destination_offset + bytes &&
      destination_offset < source_offset + bytes) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: copy source and destination ranges overlap",
                device->device_label.c_str());
  }
  if (ual_status s = device->make_current(error)) return s;
  if (const hipError_t r = device->hip->hipMemcpyDtoDAsync(byte_address(destination, destination_offset),
                                                           byte_address(source, source_offset), bytes, device->stream);
      r != hipSuccess) {
    return device->runtime_failure(error, r, "hipMemcpyDtoDAsync");
  }
  return UAL_STATUS_OK;
}

ual_status event_wait(ual_device* device, ual_event* event, ual_error* error) {
  if (ual_status s = check_device(device, "event_wait", error)) return s;
  if (event == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: event_wait: event is NULL", device->device_label.c_str());
  }
  if (event->event == nullptr) return UAL_STATUS_OK;
  if (const hipError_t r = device->hip->hipEventSynchronize(event->event); r != hipSuccess) {
    return device->runtime_failure(error, r, "hipEventSynchronize");
  }
  return UAL_STATUS_OK;
}

void event_free(ual_device* device, ual_event* event) {
  if (device == nullptr || event == nullptr) return;
  if (event->event != nullptr) device->hip->hipEventDestroy(event->event);
  delete event;
}

ual_status synchronize(ual_device* device, ual_error* error) {
  if (ual_status s = check_device(device, "synchronize", error)) return s;
  if (ual_status s = device->make_current(error)) return s;
  if (const hipError_t r = device->hip->hipStreamSynchronize(device->stream); r != hipSuccess) {
    return device->runtime_failure(error, r, "hipStreamSynchronize");
  }
  return UAL_STATUS_OK;
}

}  // namespace ual::hip
