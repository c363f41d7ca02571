#include "memory_ops.hpp"

#include <new>

#include "plugin_error.hpp"

namespace ual::opencl {
namespace {

ual_status check_device(const ual_device* device, ual_error* error) {
  if (device == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device is NULL");
  return UAL_STATUS_OK;
}

// [offset, offset + bytes) inside the buffer, without overflow.
ual_status check_range(const ual_device* device, const ual_buffer* buffer, uint64_t offset, uint64_t bytes,
                       const char* role, ual_error* error) {
  if (buffer == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "copy: %s buffer is NULL", role);
  if (buffer->device != device) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "copy: %s buffer belongs to another device", role);
  }
  if (offset > buffer->bytes || bytes > buffer->bytes - offset) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT,
                "copy: %s range [%llu, +%llu) lies outside its %llu-byte buffer", role,
                static_cast<unsigned long long>(offset), static_cast<unsigned long long>(bytes),
                static_cast<unsigned long long>(buffer->bytes));
  }
  return UAL_STATUS_OK;
}

// Hands the caller an event for an enqueued copy (or an already-complete one for an empty copy).
ual_status wrap_event(cl_event event, ual_event** completion, const ual_device* device, ual_error* error) {
  auto* wrapped = new (std::nothrow) ual_event{event};
  if (wrapped == nullptr) {
    if (event != nullptr) {
      device->cl->clWaitForEvents(1, &event);
      device->cl->clReleaseEvent(event);
    }
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "copy: out of host memory for an event");
  }
  *completion = wrapped;
  // Non-blocking enqueues may sit in the queue until a flush; the host waits on the event, so submit now.
  if (event != nullptr) device->cl->clFlush(device->queue);
  return UAL_STATUS_OK;
}

}  // namespace

ual_status cl_failure(ual_error* error, cl_int status, const char* what, const ual_device* device) {
  const ual_status code = (status == CL_MEM_OBJECT_ALLOCATION_FAILURE || status == CL_OUT_OF_HOST_MEMORY ||
                           status == CL_INVALID_BUFFER_SIZE)
                              ? UAL_STATUS_OUT_OF_MEMORY
                              : UAL_STATUS_DEVICE_ERROR;
  return fail(error, code, "OpenCL device %s: %s failed: %s", device->name.c_str(), what,
              cl_error_text(status).c_str());
}

ual_status buffer_allocate(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error) {
  if (ual_status s = check_device(device, error); s != UAL_STATUS_OK) return s;
  if (buffer == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "buffer_allocate: buffer is NULL");
  *buffer = nullptr;
  cl_mem memory = nullptr;
  if (bytes > 0) {
    cl_int status = CL_SUCCESS;
    memory = device->cl->clCreateBuffer(device->context, CL_MEM_READ_WRITE, bytes, nullptr, &status);
    if (status != CL_SUCCESS) return cl_failure(error, status, "clCreateBuffer", device);
  }
  *buffer = new (std::nothrow) ual_buffer{device, memory, bytes};
  if (*buffer == nullptr) {
    if (memory != nullptr) device->cl->clReleaseMemObject(memory);
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "buffer_allocate: out of host memory");
  }
  return UAL_STATUS_OK;
}

void buffer_free(ual_device* device, ual_buffer* buffer) {
  if (device == nullptr || buffer == nullptr) return;
  // OpenCL defers the release of a cl_mem until queued commands using it are done.
  if (buffer->memory != nullptr) device->cl->clReleaseMemObject(buffer->memory);
  delete buffer;
}

ual_status copy_host_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                               const void* source, uint64_t bytes, ual_event** completion, ual_error* error) {
  if (ual_status s = check_device(device, error); s != UAL_STATUS_OK) return s;
  if (ual_status s = check_range(device, destination, destination_offset, bytes, "destination", error)) return s;
  if (source == nullptr && bytes > 0) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "copy: source is NULL");
  if (completion != nullptr) *completion = nullptr;
  cl_event event = nullptr;
  if (bytes > 0) {
    const cl_bool blocking = completion == nullptr ? CL_TRUE : CL_FALSE;
    const cl_int status =
        device->cl->clEnqueueWriteBuffer(device->queue, destination->memory, blocking, destination_offset, bytes,
                                         source, 0, nullptr, completion != nullptr ? &event : nullptr);
    if (status != CL_SUCCESS) return cl_failure(error, status, "clEnqueueWriteBuffer", device);
  }
  return completion != nullptr ? wrap_event(event, completion, device, error) : UAL_STATUS_OK;
}

ual_status copy_device_to_host(ual_device* device, void* destination, const ual_buffer* source,
                               uint64_t source_offset, uint64_t bytes, ual_event** completion, ual_error* error) {
  if (ual_status s = check_device(device, error); s != UAL_STATUS_OK) return s;
  if (ual_status s = check_range(device, source, source_offset, bytes, "source", error)) return s;
  if (destination == nullptr && bytes > 0) {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "copy: destination is NULL");
  }
  if (completion != nullptr) *completion = nullptr;
  cl_event event = nullptr;
  if (bytes > 0) {
    const cl_bool blocking = completion == nullptr ? CL_TRUE : CL_FALSE;
    const cl_int status =
        device->cl->clEnqueueReadBuffer(device->queue, source->memory, blocking, source_offset, bytes, destination,
                                        0, nullptr, completion != nullptr ? &event : nullptr);
    if (status != CL_SUCCESS) return cl_failure(error, status, "clEnqueueReadBuffer", device);
  }
  return completion != nullptr ? wrap_event(event, completion, device, error) : UAL_STATUS_OK;
}

ual_status copy_device_to_device(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                 const ual_buffer* source, uint64_t source_offset, uint64_t bytes, ual_error* error) {
  if (ual_status s = check_device(device, error); s != UAL_STATUS_OK) return s;
  if (ual_status s = check_range(device, destination, destination_offset, bytes, "destination", error)) return s;
  if (ual_status s = check_range(device, source, source_offset, bytes, "source", error)) return s;
  if (bytes == 0) return UAL_STATUS_OK;
  if (source->memory == destination->memory) {
    const bool overlap = source_offset < destination_offset + bytes && destination_offset < source_offset + bytes;
    // clEnqueueCopyBuffer rejects overlapping regions of one buffer (CL_MEM_COPY_OVERLAP).
    if (overlap) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "copy: source and destination ranges overlap");
  }
  const cl_int status = device->cl->clEnqueueCopyBuffer(device->queue, source->memory, destination->memory,
                                                        source_offset, destination_offset, bytes, 0, nullptr, nullptr);
  if (status != CL_SUCCESS) return cl_failure(error, status, "clEnqueueCopyBuffer", device);
  return UAL_STATUS_OK;
}

ual_status event_wait(ual_device* device, ual_event* event, ual_error* error) {
  if (ual_status s = check_device(device, error); s != UAL_STATUS_OK) return s;
  if (event == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "event_wait: event is NULL");
  if (event->event == nullptr) return UAL_STATUS_OK;
  const cl_int status = device->cl->clWaitForEvents(1, &event->event);
  if (status != CL_SUCCESS) return cl_failure(error, status, "clWaitForEvents", device);
  return UAL_STATUS_OK;
}

void event_free(ual_device* device, ual_event* event) {
  if (device == nullptr || event == nullptr) return;
  if (event->event != nullptr) device->cl->clReleaseEvent(event->event);
  delete event;
}

ual_status synchronize(ual_device* device, ual_error* error) {
  if (ual_status s = check_device(device, error); s != UAL_STATUS_OK) return s;
  const cl_int status = device->cl->clFinish(device->queue);
  if (status != CL_SUCCESS) return cl_failure(error, status, "clFinish", device);
  return UAL_STATUS_OK;
}

}  // namespace ual::opencl
