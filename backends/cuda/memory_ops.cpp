#include "memory_ops.hpp"

#include "../common/plugin_status.hpp"

namespace ual::cuda {
namespace {

using ual::plugin::fail;

ual_status check_range(const ual_device* device, const ual_buffer* buffer, uint64_t offset, uint64_t bytes,
                       const char* what, ual_error* error) {
  if (buffer == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s buffer is NULL",
                                     device->device_label.c_str(), what);
  if (buffer->device != device) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s buffer belongs to another device",
                device->device_label.c_str(), what);
  }
  if (offset > buffer->bytes || bytes > buffer->bytes - offset) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT,
                "%s: %s range [%llu, %llu + %llu) is outside the %llu-byte buffer", device->device_label.c_str(), what,
                static_cast<unsigned long long>(offset), static_cast<unsigned long long>(offset),
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(buffer->bytes));
  }
  return UAL_STATUS_OK;
}

// After an enqueued copy: either wait for it (completion == NULL) or hand back an event recorded behind it.
ual_status finish_copy(ual_device* device, ual_event** completion, ual_error* error) {
  const CudaDriver& cu = *device->cu;
  if (completion == nullptr) {
    if (const CUresult r = cu.cuStreamSynchronize(device->stream); r != CUDA_SUCCESS) {
      return device->driver_failure(error, r, "cuStreamSynchronize after a copy");
    }
    return UAL_STATUS_OK;
  }
  auto* event = new ual_event;
  if (CUresult r = cu.cuEventCreate(&event->event, CU_EVENT_DISABLE_TIMING); r != CUDA_SUCCESS) {
    delete event;
    return device->driver_failure(error, r, "cuEventCreate");
  }
  if (CUresult r = cu.cuEventRecord(event->event, device->stream); r != CUDA_SUCCESS) {
    cu.cuEventDestroy_v2(event->event);
    delete event;
    return device->driver_failure(error, r, "cuEventRecord");
  }
  *completion = event;
  return UAL_STATUS_OK;
}

}  // namespace

ual_status buffer_allocate(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error) {
  if (device == nullptr || buffer == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda buffer_allocate: device or buffer pointer is NULL");
  }
  *buffer = nullptr;
  if (ual_status s = device->make_current(error)) return s;
  auto* result = new ual_buffer;
  result->device = device;
  result->bytes = bytes;
  if (bytes > 0) {
    if (const CUresult r = device->cu->cuMemAlloc_v2(&result->pointer, bytes); r != CUDA_SUCCESS) {
      delete result;
      std::size_t free_bytes = 0, total_bytes = 0;
      device->cu->cuMemGetInfo_v2(&free_bytes, &total_bytes);
      return fail(error, r == CUDA_ERROR_OUT_OF_MEMORY ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                  "%s: allocating %llu bytes failed (%llu of %llu bytes free): %s", device->device_label.c_str(),
                  static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(free_bytes),
                  static_cast<unsigned long long>(total_bytes), device->cu->describe(r).c_str());
    }
  }
  *buffer = result;
  return UAL_STATUS_OK;
}

void buffer_free(ual_device* device, ual_buffer* buffer) {
  if (device == nullptr || buffer == nullptr) return;
  if (buffer->pointer != 0 && device->make_current(nullptr) == UAL_STATUS_OK) {
    // cuMemFree waits for work that uses the memory; the host frees only buffers it no longer queues work on.
    device->cu->cuMemFree_v2(buffer->pointer);
  }
  delete buffer;
}

ual_status copy_host_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                               const void* source, uint64_t bytes, ual_event** completion, ual_error* error) {
  if (completion != nullptr) *completion = nullptr;
  if (ual_status s = check_range(device, destination, destination_offset, bytes, "destination", error)) return s;
  if (bytes == 0) return UAL_STATUS_OK;
  if (source == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: copy source is NULL", device->device_label.c_str());
  }
  if (ual_status s = device->make_current(error)) return s;
  if (const CUresult r = device->cu->cuMemcpyHtoDAsync_v2(destination->pointer + destination_offset, source, bytes,
                                                          device->stream);
      r != CUDA_SUCCESS) {
    return device->driver_failure(error, r, "cuMemcpyHtoDAsync");
  }
  return finish_copy(device, completion, error);
}

ual_status copy_device_to_host(ual_device* device, void* destination, const ual_buffer* source, uint64_t source_offset,
                               uint64_t bytes, ual_event** completion, ual_error* error) {
  if (completion != nullptr) *completion = nullptr;
  if (ual_status s = check_range(device, source, source_offset, bytes, "source", error)) return s;
  if (bytes == 0) return UAL_STATUS_OK;
  if (destination == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: copy destination is NULL", device->device_label.c_str());
  }
  if (ual_status s = device->make_current(error)) return s;
  if (const CUresult r = device->cu->cuMemcpyDtoHAsync_v2(destination, source->pointer + source_offset, bytes,
                                                          device->stream);
      r != CUDA_SUCCESS) {
    return device->driver_failure(error, r, "cuMemcpyDtoHAsync");
  }
  return finish_copy(device, completion, error);
}

ual_status copy_device_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                 const ual_buffer* source, uint64_t source_offset, uint64_t bytes, ual_error* error) {
  if (ual_status s = check_range(device, destination, destination_offset, bytes, "destination", error)) return s;
  if (ual_status s = check_range(device, source, source_offset, bytes, "source", error)) return s;
  if (bytes == 0) return UAL_STATUS_OK;
  if (ual_status s = device->make_current(error)) return s;
  if (const CUresult r = device->cu->cuMemcpyDtoDAsync_v2(destination->pointer + destination_offset,
                                                          source->pointer + source_offset, bytes, device->stream);
      r != CUDA_SUCCESS) {
    return device->driver_failure(error, r, "cuMemcpyDtoDAsync");
  }
  return UAL_STATUS_OK;
}

ual_status event_wait(ual_device* device, ual_event* event, ual_error* error) {
  if (device == nullptr || event == nullptr) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda event_wait: device or event is NULL");
  }
  if (event->event == nullptr) return UAL_STATUS_OK;
  if (ual_status s = device->make_current(error)) return s;
  if (const CUresult r = device->cu->cuEventSynchronize(event->event); r != CUDA_SUCCESS) {
    return device->driver_failure(error, r, "cuEventSynchronize");
  }
  return UAL_STATUS_OK;
}

void event_free(ual_device* device, ual_event* event) {
  if (event == nullptr) return;
  if (device != nullptr && event->event != nullptr && device->make_current(nullptr) == UAL_STATUS_OK) {
    device->cu->cuEventDestroy_v2(event->event);
  }
  delete event;
}

ual_status synchronize(ual_device* device, ual_error* error) {
  if (device == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda synchronize: device is NULL");
  if (ual_status s = device->make_current(error)) return s;
  if (const CUresult r = device->cu->cuStreamSynchronize(device->stream); r != CUDA_SUCCESS) {
    // A kernel fault (illegal address, launch failure) surfaces here; CUDA makes the context unusable afterwards.
    return device->driver_failure(error, r, "cuStreamSynchronize");
  }
  return UAL_STATUS_OK;
}

}  // namespace ual::cuda
