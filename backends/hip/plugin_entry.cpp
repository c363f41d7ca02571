// The plugin's two exports and the ual_backend_api table. Every entry catches everything: no exception crosses the
// C ABI (a std::bad_alloc becomes UAL_STATUS_OUT_OF_MEMORY, anything else UAL_STATUS_INTERNAL).
#include <exception>
#include <new>

#include "device_enumeration.hpp"
#include "memory_ops.hpp"
#include "ops.hpp"
#include "plugin_error.hpp"
#include "plugin_objects.hpp"

namespace ual::hip {
namespace {

template <class Function>
ual_status guarded(ual_error* error, const char* entry, Function&& function) noexcept {
  try {
    return function();
  } catch (const std::bad_alloc&) {
    return fail(error, UAL_STATUS_OUT_OF_MEMORY, "hip %s: out of host memory", entry);
  } catch (const std::exception& exception) {
    return fail(error, UAL_STATUS_INTERNAL, "hip %s: %s", entry, exception.what());
  } catch (...) {
    return fail(error, UAL_STATUS_INTERNAL, "hip %s: unknown exception", entry);
  }
}

uint32_t device_count(void* backend) {
  return backend != nullptr ? static_cast<uint32_t>(static_cast<Backend*>(backend)->devices.size()) : 0;
}

ual_status device_info(void* opaque, uint32_t index, ual_device_info* info, ual_error* error) {
  return guarded(error, "device_info", [&]() -> ual_status {
    auto* backend = static_cast<Backend*>(opaque);
    if (backend == nullptr || info == nullptr) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip device_info: backend or info is NULL");
    }
    if (index >= backend->devices.size()) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip device_info: no device hip:%u (%zu devices)", index,
                  backend->devices.size());
    }
    describe_device(*backend, backend->devices[index], info);
    return UAL_STATUS_OK;
  });
}

void device_close(ual_device* device) {
  if (device == nullptr) return;
  try {
    const HipLibrary& hip = *device->hip;
    if (device->make_current(nullptr) == UAL_STATUS_OK) {
      if (device->stream != nullptr) hip.hipStreamSynchronize(device->stream);
      if (device->blas != nullptr) device->backend->rocblas.rocblas_destroy_handle(device->blas);
      for (const std::uint64_t pointer : device->scratch_pointers) {
        if (pointer != 0) hip.hipFree(reinterpret_cast<void*>(pointer));
      }
      if (device->module != nullptr) hip.hipModuleUnload(device->module);
      if (device->stream != nullptr) hip.hipStreamDestroy(device->stream);
    }
    delete device;
  } catch (...) {
    // Nothing sensible to report through a void entry; the runtime objects are released on a best-effort basis.
  }
}

ual_status device_open(void* opaque, uint32_t index, ual_device** result, ual_error* error) {
  return guarded(error, "device_open", [&]() -> ual_status {
    auto* backend = static_cast<Backend*>(opaque);
    if (backend == nullptr || result == nullptr) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip device_open: backend or device pointer is NULL");
    }
    *result = nullptr;
    if (index >= backend->devices.size()) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip device_open: no device hip:%u (%zu devices)", index,
                  backend->devices.size());
    }
    auto* device = new ual_device;
    device->backend = backend;
    device->hip = &backend->runtime;
    device->index = index;
    device->description = backend->devices[index];
    device->device_label = device_label(index, device->description);
    if (ual_status s = device->make_current(error)) {
      delete device;
      return s;
    }
    // Non-blocking: the stream does not serialise with the legacy null stream other libraries may use.
    if (const hipError_t r = backend->runtime.hipStreamCreateWithFlags(&device->stream, hipStreamNonBlocking);
        r != hipSuccess) {
      const ual_status code = device->runtime_failure(error, r, "hipStreamCreateWithFlags");
      delete device;
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
  close_rocblas_library(backend->rocblas);
  close_hip_library(backend->runtime);
  delete backend;
}

// Opens the runtime and lists the devices; UNAVAILABLE with the reason when there is nothing to run on. rocBLAS is
// optional here: without it every op but GEMM still runs, and GEMM says what is missing.
ual_status discover(Backend& backend, bool with_rocblas, ual_error* error) {
  if (ual_status s = open_hip_library(backend.runtime, error)) return s;
  if (ual_status s = enumerate_devices(backend.runtime, backend.devices, error)) return s;
  backend.runtime.hipDriverGetVersion(&backend.driver_version);
  if (with_rocblas && !open_rocblas_library(backend.rocblas, backend.rocblas_unavailable)) {
    backend.log(1, "GEMM unavailable: " + backend.rocblas_unavailable);
  }
  return UAL_STATUS_OK;
}

}  // namespace
}  // namespace ual::hip

extern "C" __attribute__((visibility("default"))) uint32_t ual_backend_score(const ual_host* /*host*/,
                                                                            ual_error* why) {
  using namespace ual::hip;
  clear_error(why);
  try {
    Backend probe;
    const ual_status status = discover(probe, false, why);
    close_hip_library(probe.runtime);
    // The native AMD plugin outranks OpenCL (100) on the same GPU.
    return status == UAL_STATUS_OK ? 200 : 0;
  } catch (...) {
    fail(why, UAL_STATUS_INTERNAL, "hip score: unexpected exception");
    return 0;
  }
}

extern "C" __attribute__((visibility("default"))) const ual_backend_api* ual_backend_init(const ual_host* host,
                                                                                         ual_error* error) {
  using namespace ual::hip;
  clear_error(error);
  Backend* backend = nullptr;
  try {
    if (host != nullptr && host->abi_version == 0) {
      fail(error, UAL_STATUS_INVALID_ARGUMENT, "hip init: host abi_version is 0");
      return nullptr;
    }
    backend = new Backend;
    if (host != nullptr) backend->host_log = host->log;
    if (discover(*backend, true, error) != UAL_STATUS_OK) {
      shutdown(backend);
      return nullptr;
    }
    ual_backend_api& api = backend->api;
    api.abi_version = UAL_BACKEND_ABI_VERSION;
    api.name = "hip";
    api.backend = backend;
    api.device_count = device_count;
    api.device_info = device_info;
    api.device_open = device_open;
    api.device_close = device_close;
    api.buffer_allocate = buffer_allocate_entry;
    api.buffer_free = buffer_free_entry;
    api.buffer_host_pointer = nullptr;  // hipMalloc memory is device memory: the host copies
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
    fail(error, UAL_STATUS_OUT_OF_MEMORY, "hip init: out of host memory");
  } catch (...) {
    fail(error, UAL_STATUS_INTERNAL, "hip init: unexpected exception");
  }
  if (backend != nullptr) shutdown(backend);
  return nullptr;
}
