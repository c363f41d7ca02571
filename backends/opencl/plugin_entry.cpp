// The plugin's two exports and the ual_backend_api table. Every entry catches everything: no exception crosses the
// C ABI (a std::bad_alloc becomes UAL_STATUS_OUT_OF_MEMORY, anything else UAL_STATUS_INTERNAL).
#include <algorithm>
#include <exception>
#include <new>

#include "device_enumeration.hpp"
#include "device_program.hpp"
#include "memory_ops.hpp"
#include "ops.hpp"
#include "plugin_error.hpp"
#include "plugin_objects.hpp"

namespace ual::opencl {
namespace {

template <class Function>
ual_status guarded(ual_error* error, const char* entry, Function&& function) noexcept {
  try {
    return function();
  } catch (const std::bad_alloc&) {
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "opencl %s: out of host memory", entry);
  } catch (const std::exception& exception) {
    return fail(error, UAL_STATUS_INTERNAL, "opencl %s: %s", entry, exception.what());
  } catch (...) {
    return fail(error, UAL_STATUS_INTERNAL, "opencl %s: unknown exception", entry);
  }
}

int largest_power_of_two_at_most(std::size_t limit, int cap) {
  int size = 1;
  while (size * 2 <= cap && static_cast<std::size_t>(size * 2) <= limit) size *= 2;
  return size;
}

LaunchShape launch_shape(const OpenClLibrary& cl, cl_device_id device) {
  std::size_t max_group = 0;
  std::size_t max_items[3] = {0, 0, 0};
  cl.clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_group, &max_group, nullptr);
  cl.clGetDeviceInfo(device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof max_items, max_items, nullptr);
  LaunchShape shape;
  shape.gemm_side = 16;
  while (shape.gemm_side > 1 &&
         (static_cast<std::size_t>(shape.gemm_side * shape.gemm_side) > max_group ||
          static_cast<std::size_t>(shape.gemm_side) > std::min(max_items[0], max_items[1]))) {
    shape.gemm_side /= 2;
  }
  shape.row_group = largest_power_of_two_at_most(std::min(max_group, max_items[0]), 256);
  shape.point_group = shape.row_group;
  return shape;
}

uint32_t device_count(void* backend) {
  return backend != nullptr ? static_cast<uint32_t>(static_cast<Backend*>(backend)->devices.size()) : 0;
}

ual_status device_info(void* opaque, uint32_t index, ual_device_info* info, ual_error* error) {
  return guarded(error, "device_info", [&]() -> ual_status {
    auto* backend = static_cast<Backend*>(opaque);
    if (backend == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device_info: backend is NULL");
    if (index >= backend->devices.size()) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device_info: no device opencl:%u (%zu devices)", index,
                  backend->devices.size());
    }
    return describe_device(backend->cl, backend->devices[index], info, error);
  });
}

void device_close(ual_device* device) {
  if (device == nullptr) return;
  try {
    const OpenClLibrary& cl = *device->cl;
    if (device->queue != nullptr) cl.clFinish(device->queue);
    release_program(device);
    if (device->queue != nullptr) cl.clReleaseCommandQueue(device->queue);
    if (device->context != nullptr) cl.clReleaseContext(device->context);
    delete device;
  } catch (...) {
    // Nothing sensible to report through a void entry; the OpenCL objects are released on a best-effort basis.
  }
}

ual_status device_open(void* opaque, uint32_t index, ual_device** result, ual_error* error) {
  return guarded(error, "device_open", [&]() -> ual_status {
    auto* backend = static_cast<Backend*>(opaque);
    if (backend == nullptr || result == nullptr) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device_open: backend or device pointer is NULL");
    }
    *result = nullptr;
    if (index >= backend->devices.size()) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "device_open: no device opencl:%u (%zu devices)", index,
                  backend->devices.size());
    }
    const OpenClLibrary& cl = backend->cl;
    auto* device = new ual_device;
    device->backend = backend;
    device->cl = &backend->cl;
    device->index = index;
    device->platform = backend->devices[index].platform;
    device->id = backend->devices[index].device;
    device->name = device_string(cl, device->id, CL_DEVICE_NAME);
    device->launch = launch_shape(cl, device->id);
    cl_int status = CL_SUCCESS;
    const cl_context_properties properties[] = {CL_CONTEXT_PLATFORM,
                                                reinterpret_cast<cl_context_properties>(device->platform), 0};
    device->context = cl.clCreateContext(properties, 1, &device->id, nullptr, nullptr, &status);
    if (status == CL_SUCCESS) device->queue = cl.clCreateCommandQueue(device->context, device->id, 0, &status);
    if (status != CL_SUCCESS) {
      const ual_status code = cl_failure(error, status, device->context == nullptr ? "clCreateContext"
                                                                                    : "clCreateCommandQueue",
                                         device);
      device_close(device);
      return code;
    }
    *result = device;
    return UAL_STATUS_OK;
  });
}

ual_status buffer_allocate_entry(ual_device* device, uint64_t bytes, ual_buffer** buffer, ual_error* error) {
  return guarded(error, "buffer_allocate", [&] { return buffer_allocate(device, bytes, buffer, error); });
}

void buffer_free_entry(ual_device* device, ual_buffer* buffer) {
  try {
    buffer_free(device, buffer);
  } catch (...) {
  }
}

ual_status copy_host_to_device_entry(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                     const void* source, uint64_t bytes, ual_event** completion, ual_error* error) {
  return guarded(error, "copy_host_to_device", [&] {
    return copy_host_to_device(device, destination, destination_offset, source, bytes, completion, error);
  });
}

ual_status copy_device_to_host_entry(ual_device* device, void* destination, const ual_buffer* source,
                                     uint64_t source_offset, uint64_t bytes, ual_event** completion,
                                     ual_error* error) {
  return guarded(error, "copy_device_to_host", [&] {
    return copy_device_to_host(device, destination, source, source_offset, bytes, completion, error);
  });
}

ual_status copy_device_to_device_entry(ual_device* device, ual_buffer* destination, uint64_t destination_offset,
                                       const ual_buffer* source, uint64_t source_offset, uint64_t bytes,
                                       ual_error* error) {
  return guarded(error, "copy_device_to_device", [&] {
    return copy_device_to_device(device, destination, destination_offset, source, source_offset, bytes, error);
  });
}

ual_status event_wait_entry(ual_device* device, ual_event* event, ual_error* error) {
  return guarded(error, "event_wait", [&] { return event_wait(device, event, error); });
}

void event_free_entry(ual_device* device, ual_event* event) {
  try {
    event_free(device, event);
  } catch (...) {
  }
}

ual_status synchronize_entry(ual_device* device, ual_error* error) {
  return guarded(error, "synchronize", [&] { return synchronize(device, error); });
}

int32_t supports_entry(ual_device* device, const ual_op* op, ual_error* why) {
  return guarded(why, "supports", [&] { return run_op(device, op, true, why); }) == UAL_STATUS_OK ? 1 : 0;
}

ual_status run_entry(ual_device* device, const ual_op* op, ual_error* error) {
  return guarded(error, "run", [&] { return run_op(device, op, false, error); });
}

void shutdown(void* opaque) {
  auto* backend = static_cast<Backend*>(opaque);
  if (backend == nullptr) return;
  close_opencl_library(backend->cl);
  delete backend;
}

// Opens the library and lists the devices; UNAVAILABLE with the reason when there is nothing to run on.
ual_status discover(Backend& backend, ual_error* error) {
  if (ual_status s = open_opencl_library(backend.cl, error)) return s;
  if (ual_status s = enumerate_devices(backend.cl, backend.devices, error)) return s;
  if (backend.devices.empty()) {
    return fail(error, UAL_STATUS_UNAVAILABLE, "unavailable: %s loaded but offers no OpenCL 1.2+ device",
                backend.cl.name.c_str());
  }
  return UAL_STATUS_OK;
}

}  // namespace
}  // namespace ual::opencl

extern "C" __attribute__((visibility("default"))) uint32_t ual_backend_score(const ual_host* /*host*/,
                                                                            ual_error* why) {
  using namespace ual::opencl;
  clear_error(why);
  try {
    Backend probe;
    const ual_status status = discover(probe, why);
    close_opencl_library(probe.cl);
    // Any OpenCL device is a fallback next to a vendor's native plugin (CUDA, HIP score higher).
    return status == UAL_STATUS_OK ? 100 : 0;
  } catch (...) {
    fail(why, UAL_STATUS_INTERNAL, "opencl score: unexpected exception");
    return 0;
  }
}

extern "C" __attribute__((visibility("default"))) const ual_backend_api* ual_backend_init(const ual_host* host,
                                                                                         ual_error* error) {
  using namespace ual::opencl;
  clear_error(error);
  Backend* backend = nullptr;
  try {
    if (host != nullptr && host->abi_version == 0) {
      fail(error, UAL_STATUS_INVALID_ARGUMENT, "opencl init: host abi_version is 0");
      return nullptr;
    }
    backend = new Backend;
    if (host != nullptr) {
      backend->host_log = host->log;
      if (host->cache_directory != nullptr && host->cache_directory[0] != '\0') {
        backend->has_cache_directory = true;
        backend->cache_directory = host->cache_directory;
      }
    }
    if (discover(*backend, error) != UAL_STATUS_OK) {
      shutdown(backend);
      return nullptr;
    }
    ual_backend_api& api = backend->api;
    api.abi_version = UAL_BACKEND_ABI_VERSION;
    api.name = "opencl";
    api.backend = backend;
    api.device_count = device_count;
    api.device_info = device_info;
    api.device_open = device_open;
    api.device_close = device_close;
    api.buffer_allocate = buffer_allocate_entry;
    api.buffer_free = buffer_free_entry;
    api.buffer_host_pointer = nullptr;  // cl_mem is never host memory: the host copies
    api.copy_host_to_device = copy_host_to_device_entry;
    api.copy_device_to_host = copy_device_to_host_entry;
    api.copy_device_to_device = copy_device_to_device_entry;
    api.event_wait = event_wait_entry;
    api.event_free = event_free_entry;
    api.synchronize = synchronize_entry;
    api.supports = supports_entry;
    api.run = run_entry;
    api.shutdown = shutdown;
    return &api;
  } catch (const std::bad_alloc&) {
    fail(error, UAL_STATUS_OUT_OF_MEMORY, "opencl init: out of host memory");
  } catch (...) {
    fail(error, UAL_STATUS_INTERNAL, "opencl init: unexpected exception");
  }
  if (backend != nullptr) shutdown(backend);
  return nullptr;
}
