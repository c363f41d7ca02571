// ual_device's GpuDevice side: the device made current per call, kernel launches by name from the module loaded from
// the embedded code object, scratch memory, and runtime failures turned into ABI statuses that name the device.
#include <algorithm>

#include "kernel_image.hpp"
#include "plugin_error.hpp"
#include "plugin_objects.hpp"

using ual::hip::fail;
using ual::hip::hipError_t;
using ual::hip::hipSuccess;

ual_status ual_device::make_current(ual_error* error) {
  if (const hipError_t result = hip->hipSetDevice(description.ordinal); result != hipSuccess) {
    return runtime_failure(error, result, "hipSetDevice");
  }
  return UAL_STATUS_OK;
}

ual_status ual_device::runtime_failure(ual_error* error, hipError_t result, const char* step) const {
  const ual_status code = result == ual::hip::hipErrorOutOfMemory ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR;
  if (last_op != nullptr && code == UAL_STATUS_DEVICE_ERROR) {
    return fail(error, code, "%s: %s failed: %s (the last op queued was %s)", device_label.c_str(), step,
                hip->describe(result).c_str(), last_op);
  }
  return fail(error, code, "%s: %s failed: %s", device_label.c_str(), step, hip->describe(result).c_str());
}

ual_status ual_device::ensure_module(ual_error* error) {
  std::lock_guard<std::mutex> lock(module_mutex);
  if (module != nullptr) return UAL_STATUS_OK;
  // A known target without code: hipModuleLoadData would fail with hipErrorNoBinaryForGpu, so say which targets
  // exist and how to get more. An unknown target (no KFD topology, e.g. a container without /sys/class/kfd) is tried.
  if (!description.gfx_target.empty() && !ual::hip::code_object_covers(description.gfx_target)) {
    return fail(error, UAL_STATUS_UNSUPPORTED,
                "%s: the plugin's kernels were built for %s, not %s (configure with UAL_HIP_ARCHITECTURES including "
                "it, or -DUAL_HIP_FULL_ROCM_ARCHITECTURES=ON with a full ROCm for gfx942/gfx950/gfx1100/gfx1151)",
                device_label.c_str(), ual::hip::built_architectures(), description.gfx_target.c_str());
  }
  if (const hipError_t result = hip->hipModuleLoadData(&module, ual_hip_kernel_image); result != hipSuccess) {
    module = nullptr;
    if (result == ual::hip::hipErrorNoBinaryForGpu || result == ual::hip::hipErrorInvalidImage) {
      return fail(error, UAL_STATUS_UNSUPPORTED, "%s: the plugin's kernels (built for %s) have no code for this GPU: %s",
                  device_label.c_str(), ual::hip::built_architectures(), hip->describe(result).c_str());
    }
    return runtime_failure(error, result, "hipModuleLoadData (the plugin's kernels)");
  }
  return UAL_STATUS_OK;
}

std::uint64_t ual_device::address(const ual_buffer* buffer) const {
  return buffer != nullptr ? reinterpret_cast<std::uint64_t>(buffer->pointer) : 0;
}

std::uint64_t ual_device::size(const ual_buffer* buffer) const { return buffer != nullptr ? buffer->bytes : 0; }

ual_status ual_device::launch(const char* name, const void* params, std::size_t /*params_bytes*/,
                              const ual::gpu::LaunchShape& shape, ual_error* error) {
  if (ual_status s = ensure_module(error)) return s;
  auto found = functions.find(name);
  if (found == functions.end()) {
    ual::hip::hipFunction_t function = nullptr;
    if (const hipError_t result = hip->hipModuleGetFunction(&function, module, name); result != hipSuccess) {
      return fail(error, UAL_STATUS_INTERNAL, "%s: kernel %s is not in the plugin's code object: %s",
                  device_label.c_str(), name, hip->describe(result).c_str());
    }
    found = functions.emplace(name, function).first;
  }
  // Every kernel takes one struct by value: kernelParams holds a pointer to it, and the runtime copies it at launch.
  void* arguments[] = {const_cast<void*>(params)};
  const hipError_t result =
      hip->hipModuleLaunchKernel(found->second, shape.grid[0], shape.grid[1], shape.grid[2], shape.block[0],
                                 shape.block[1], shape.block[2], 0, stream, arguments, nullptr);
  if (result != hipSuccess) {
    return fail(error, result == ual::hip::hipErrorOutOfMemory ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                "%s: launching kernel %s (grid %ux%ux%u, block %ux%ux%u) failed: %s", device_label.c_str(), name,
                shape.grid[0], shape.grid[1], shape.grid[2], shape.block[0], shape.block[1], shape.block[2],
                hip->describe(result).c_str());
  }
  return UAL_STATUS_OK;
}

ual_status ual_device::scratch(int slot, std::uint64_t bytes, std::uint64_t* result, ual_error* error) {
  if (slot < 0 || slot >= static_cast<int>(scratch_pointers.size())) {
    return fail(error, UAL_STATUS_INTERNAL, "%s: scratch slot %d does not exist", device_label.c_str(), slot);
  }
  const auto which = static_cast<std::size_t>(slot);
  if (bytes > scratch_bytes[which]) {
    // Earlier queued work may still read the old region: finish it before the memory goes back.
    if (scratch_pointers[which] != 0) {
      if (const hipError_t r = hip->hipStreamSynchronize(stream); r != hipSuccess) {
        return runtime_failure(error, r, "hipStreamSynchronize");
      }
      hip->hipFree(reinterpret_cast<void*>(scratch_pointers[which]));
      scratch_pointers[which] = 0;
      scratch_bytes[which] = 0;
    }
    // At least 1 MiB, so that small ops never reallocate; 256-byte granules keep regions aligned for rocBLAS.
    const std::uint64_t granted = std::max<std::uint64_t>((bytes + 255) / 256 * 256, 1 << 20);
    void* pointer = nullptr;
    if (const hipError_t r = hip->hipMalloc(&pointer, granted); r != hipSuccess) {
      return fail(error, r == ual::hip::hipErrorOutOfMemory ? UAL_STATUS_OUT_OF_MEMORY : UAL_STATUS_DEVICE_ERROR,
                  "%s: allocating %llu bytes of scratch failed: %s", device_label.c_str(),
                  static_cast<unsigned long long>(granted), hip->describe(r).c_str());
    }
    scratch_pointers[which] = reinterpret_cast<std::uint64_t>(pointer);
    scratch_bytes[which] = granted;
  }
  *result = scratch_pointers[which];
  return UAL_STATUS_OK;
}
