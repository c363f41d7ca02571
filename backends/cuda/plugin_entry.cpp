// The CUDA plugin's two exports and its ual_backend_api table. Every entry is guarded: no exception crosses the ABI.
// Device state lives in the device's primary context (the one the CUDA runtime and other libraries in the process
// share), made current at each entry because the host may call from any thread.
#include <cstdlib>
#include <cstring>

#include "../common/plugin_status.hpp"
#include "device_enumeration.hpp"
#include "kernel_image.hpp"
#include "memory_ops.hpp"
#include "ops.hpp"
#include "plugin_objects.hpp"

namespace ual::cuda {
namespace {

using ual::plugin::clear_error;
using ual::plugin::fail;

template <class Function>
ual_status guarded(ual_error* error, const char* entry, Function&& function) noexcept {
  return ual::plugin::guarded(error, "cuda", entry, function);
}

uint32_t device_count(void* backend) {
  return backend != nullptr ? static_cast<uint32_t>(static_cast<Backend*>(backend)->devices.size()) : 0;
}

ual_status device_info(void* opaque, uint32_t index, ual_device_info* info, ual_error* error) {
  return guarded(error, "device_info", [&]() -> ual_status {
    auto* backend = static_cast<Backend*>(opaque);
    if (backend == nullptr || info == nullptr) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda device_info: backend or info is NULL");
    }
    if (index >= backend->devices.size()) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda device_info: no device cuda:%u (%zu devices)", index,
                  backend->devices.size());
    }
    describe_device(*backend, backend->devices[index], info);
    return UAL_STATUS_OK;
  });
}

void release_device(ual_device* device) {
  const CudaDriver& cu = *device->cu;
  if (device->context != nullptr && cu.cuCtxSetCurrent(device->context) == CUDA_SUCCESS) {
    if (device->stream != nullptr) cu.cuStreamSynchronize(device->stream);
    if (device->lt != nullptr) device->backend->cublaslt.cublasLtDestroy(device->lt);
    if (device->workspace != 0) cu.cuMemFree_v2(device->workspace);
    for (CUdeviceptr pointer : device->scratch_pointers) {
      if (pointer != 0) cu.cuMemFree_v2(pointer);
    }
    if (device->module != nullptr) cu.cuModuleUnload(device->module);
    if (device->stream != nullptr) cu.cuStreamDestroy_v2(device->stream);
    cu.cuDevicePrimaryCtxRelease_v2(device->description.device);
  }
  delete device;
}

void device_close(ual_device* device) {
  if (device == nullptr) return;
  try {
    release_device(device);
  } catch (...) {
    // A void entry cannot report; the driver objects are released on a best-effort basis.
  }
}

ual_status device_open(void* opaque, uint32_t index, ual_device** result, ual_error* error) {
  return guarded(error, "device_open", [&]() -> ual_status {
    auto* backend = static_cast<Backend*>(opaque);
    if (backend == nullptr || result == nullptr) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda device_open: backend or device pointer is NULL");
    }
    *result = nullptr;
    if (index >= backend->devices.size()) {
      return fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda device_open: no device cuda:%u (%zu devices)", index,
                  backend->devices.size());
    }
    auto* device = new ual_device;
    device->backend = backend;
    device->cu = &backend->driver;
    device->index = index;
    device->description = backend->devices[index];
    device->device_label = "cuda:" + std::to_string(index) + " (" + device->description.name + ")";
    const CudaDriver& cu = backend->driver;
    CUresult r = cu.cuDevicePrimaryCtxRetain(&device->context, device->description.device);
    const char* step = "cuDevicePrimaryCtxRetain";
    if (r == CUDA_SUCCESS) {
      step = "cuCtxSetCurrent";
      r = cu.cuCtxSetCurrent(device->context);
    }
    if (r == CUDA_SUCCESS) {
      step = "cuStreamCreate";
      r = cu.cuStreamCreate(&device->stream, CU_STREAM_NON_BLOCKING);
    }
    if (r == CUDA_SUCCESS) {
      step = "cuModuleLoadData (the plugin's kernels)";
      r = cu.cuModuleLoadData(&device->module, ual_cuda_kernel_image);
    }
    if (r != CUDA_SUCCESS) {
      const ual_status code = device->driver_failure(error, r, step);
      if (device->context == nullptr) {
        delete device;
      } else {
        release_device(device);
      }
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
  close_cublaslt(backend->cublaslt);
  close_cuda_driver(backend->driver);
  delete backend;
}

// Driver, devices, then cuBLASLt (optional: without it every op but GEMM still runs, and GEMM says why not).
ual_status discover(Backend& backend, ual_error* error) {
  if (ual_status s = open_cuda_driver(backend.driver, error)) return s;
  backend.driver.cuDriverGetVersion(&backend.driver_version);
  if (ual_status s = enumerate_devices(backend.driver, backend.devices, error)) return s;
  ual_error lt_error{};
  if (open_cublaslt(backend.cublaslt, &lt_error) != UAL_STATUS_OK) backend.cublaslt_unavailable = lt_error.message;
  return UAL_STATUS_OK;
}

}  // namespace
}  // namespace ual::cuda

extern "C" __attribute__((visibility("default"))) uint32_t ual_backend_score(const ual_host* /*host*/,
                                                                            ual_error* why) {
  using namespace ual::cuda;
  clear_error(why);
  try {
    Backend probe;
    const ual_status status = open_cuda_driver(probe.driver, why) == UAL_STATUS_OK
                                  ? enumerate_devices(probe.driver, probe.devices, why)
                                  : UAL_STATUS_UNAVAILABLE;
    close_cuda_driver(probe.driver);
    // The vendor's native plugin outranks OpenCL (100) on the same GPU.
    return status == UAL_STATUS_OK ? 200 : 0;
  } catch (...) {
    fail(why, UAL_STATUS_INTERNAL, "cuda score: unexpected exception");
    return 0;
  }
}

extern "C" __attribute__((visibility("default"))) const ual_backend_api* ual_backend_init(const ual_host* host,
                                                                                         ual_error* error) {
  using namespace ual::cuda;
  clear_error(error);
  Backend* backend = nullptr;
  try {
    if (host != nullptr && host->abi_version == 0) {
      fail(error, UAL_STATUS_INVALID_ARGUMENT, "cuda init: host abi_version is 0");
      return nullptr;
    }
    backend = new Backend;
    if (host != nullptr) backend->host_log = host->log;
    if (discover(*backend, error) != UAL_STATUS_OK) {
      shutdown(backend);
      return nullptr;
    }
    if (!backend->cublaslt_unavailable.empty()) {
      backend->log(2, "GEMM is unavailable: " + backend->cublaslt_unavailable);
    } else {
      backend->log(0, "cuBLASLt " + std::to_string(backend->cublaslt.version) + " from " + backend->cublaslt.path);
    }
    ual_backend_api& api = backend->api;
    api.abi_version = UAL_BACKEND_ABI_VERSION;
    api.name = "cuda";
    api.backend = backend;
    api.device_count = device_count;
    api.device_info = device_info;
    api.device_open = device_open;
    api.device_close = device_close;
    api.buffer_allocate = buffer_allocate_entry;
    api.buffer_free = buffer_free_entry;
    api.buffer_host_pointer = nullptr;  // device memory: the host copies
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
    fail(error, UAL_STATUS_OUT_OF_MEMORY, "cuda init: out of host memory");
  } catch (...) {
    fail(error, UAL_STATUS_INTERNAL, "cuda init: unexpected exception");
  }
  if (backend != nullptr) shutdown(backend);
  return nullptr;
}
