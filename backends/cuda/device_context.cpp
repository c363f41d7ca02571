// ual_device's GpuDevice side: the context made current per call, kernel launches by name from the embedded module,
// scratch memory, and driver failures turned into ABI statuses that name the device.
#include <algorithm>

#include "../common/plugin_status.hpp"
#include "plugin_objects.hpp"

using ual::plugin::fail;

ual_status ual_device::make_current(ual_error* error) {
  if (const CUresult result = cu->cuCtxSetCurrent(context); result != CUDA_SUCCESS) {
    return driver_failure(error, result, "cuCtxSetCurrent");
  }
  return UAL_STATUS_OK;
}

ual_status ual_device::driver_failure(ual_error* error, CUresult result, const char* step) const {
  ual_status code = UAL_STATUS_DEVICE_ERROR;
  if (result == CUDA_ERROR_OUT_OF_MEMORY) code = UAL_STATUS_OUT_OF_MEMORY;
  if (result == CUDA_ERROR_INVALID_VALUE) code = UAL_STATUS_INVALID_ARGUMENT;
  return fail(error, code, "%s: %s failed: %s", device_label.c_str(), step, cu->describe(result).c_str());
}

std::uint64_t ual_device::address(const ual_buffer* buffer) const {
  return buffer != nullptr ? static_cast<std::uint64_t>(buffer->pointer) : 0;
}

std::uint64_t ual_device::size(const ual_buffer* buffer) const { return buffer != nullptr ? buffer->bytes : 0; }

ual_status ual_device::launch(const char* name, const void* params, std::size_t /*params_bytes*/,
                              const ual::gpu::LaunchShape& shape, ual_error* error) {
  auto found = functions.find(name);
  if (found == functions.end()) {
    CUfunction function = nullptr;
    if (const CUresult result = cu->cuModuleGetFunction(&function, module, name); result != CUDA_SUCCESS) {
      return fail(error, UAL_STATUS_INTERNAL, "%s: kernel %s is not in the plugin's module: %s", device_label.c_str(),
                  name, cu->describe(result).c_str());
    }
    found = functions.emplace(name, function).first;
  }
  // Every kernel takes one struct by value: kernelParams holds a pointer to it, and the driver copies it at launch.
  void* arguments[] = {const_cast<void*>(params)};
  const CUresult result = cu->cuLaunchKernel(found->second, shape.grid[0], shape.grid[1], shape.grid[2],
                                             shape.block[0], shape.block[1], shape.block[2], 0, stream, arguments,
                                             nullptr);
  if (result != CUDA_SUCCESS) {
    return fail(error, result == CUDA_ERROR_OUT_OF_MEMORY ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                "%s: launching kernel %s (grid %ux%ux%u, block %ux%ux%u) failed: %s", device_label.c_str(), name,
                shape.grid[0], shape.grid[1], shape.grid[2], shape.block[0], shape.block[1], shape.block[2],
                cu->describe(result).c_str());
  }
  return UAL_STATUS_OK;
}

ual_status ual_device::scratch(int slot, std::uint64_t bytes, std::uint64_t* result, ual_error* error) {
  if (slot < 0 || slot >= static_cast<int>(scratch_pointers.size())) {
    return fail(error, UAL_STATUS_INTERNAL, "%s: scratch slot %d does not exist", device_label.c_str(), slot);
  }
  const auto index = static_cast<std::size_t>(slot);
  if (bytes > scratch_bytes[index]) {
    // Earlier queued work may still read the old region: finish it before the memory goes back.
    if (scratch_pointers[index] != 0) {
      if (const CUresult r = cu->cuStreamSynchronize(stream); r != CUDA_SUCCESS) {
        return driver_failure(error, r, "cuStreamSynchronize");
      }
      cu->cuMemFree_v2(scratch_pointers[index]);
      scratch_pointers[index] = 0;
      scratch_bytes[index] = 0;
    }
    // Grow geometrically so that a sweep of growing shapes does not reallocate every time; 256-byte granules keep
    // every region aligned for cuBLASLt (16 bytes) and vector loads.
    const std::uint64_t granted = std::max<std::uint64_t>((bytes + 255) / 256 * 256, 1 << 20);
    CUdeviceptr pointer = 0;
    if (const CUresult r = cu->cuMemAlloc_v2(&pointer, granted); r != CUDA_SUCCESS) {
      return fail(error, r == CUDA_ERROR_OUT_OF_MEMORY ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                  "%s: allocating %llu bytes of scratch failed: %s", device_label.c_str(),
                  static_cast<unsigned long long>(granted), cu->describe(r).c_str());
    }
    scratch_pointers[index] = pointer;
    scratch_bytes[index] = granted;
  }
  *result = scratch_pointers[index];
  return UAL_STATUS_OK;
}
