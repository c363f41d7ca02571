#include "device_program.hpp"

#include <chrono>
#include <string>
#include <vector>

#include "kernel_source.hpp"
#include "plugin_error.hpp"
#include "program_cache.hpp"

namespace ual::opencl {
namespace {

constexpr std::size_t kBuildLogLimit = 700;  // leaves room in the 1024-byte ABI message for the context

std::string build_log(const ual_device* device, cl_program program) {
  std::size_t size = 0;
  if (device->cl->clGetProgramBuildInfo(program, device->id, CL_PROGRAM_BUILD_LOG, 0, nullptr, &size) !=
          CL_SUCCESS ||
      size == 0) {
    return "(no build log)";
  }
  std::string log(size, '\0');
  device->cl->clGetProgramBuildInfo(program, device->id, CL_PROGRAM_BUILD_LOG, size, log.data(), nullptr);
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  if (log.size() > kBuildLogLimit) log = log.substr(0, kBuildLogLimit) + " [...]";
  return log;
}

// The device's binary for a built program (a program built for one device has one binary).
std::vector<unsigned char> program_binary(const ual_device* device, cl_program program) {
  std::size_t size = 0;
  if (device->cl->clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, sizeof size, &size, nullptr) != CL_SUCCESS ||
      size == 0) {
    return {};
  }
  std::vector<unsigned char> binary(size);
  unsigned char* pointer = binary.data();
  if (device->cl->clGetProgramInfo(program, CL_PROGRAM_BINARIES, sizeof pointer, &pointer, nullptr) != CL_SUCCESS) {
    return {};
  }
  return binary;
}

cl_program program_from_binary(const ual_device* device, const std::vector<unsigned char>& binary,
                               const std::string& options) {
  const std::size_t size = binary.size();
  const unsigned char* data = binary.data();
  cl_int binary_status = CL_SUCCESS;
  cl_int status = CL_SUCCESS;
  cl_program program = device->cl->clCreateProgramWithBinary(device->context, 1, &device->id, &size, &data,
                                                             &binary_status, &status);
  if (status != CL_SUCCESS || binary_status != CL_SUCCESS || program == nullptr) {
    if (program != nullptr) device->cl->clReleaseProgram(program);
    return nullptr;
  }
  if (device->cl->clBuildProgram(program, 1, &device->id, options.c_str(), nullptr, nullptr) != CL_SUCCESS) {
    device->cl->clReleaseProgram(program);
    return nullptr;
  }
  return program;
}

ual_status create_kernel(ual_device* device, const char* name, std::size_t work_group_size, cl_kernel& kernel,
                         ual_error* error) {
  cl_int status = CL_SUCCESS;
  kernel = device->cl->clCreateKernel(device->program, name, &status);
  if (status != CL_SUCCESS) {
    return fail(error, UAL_STATUS_DEVICE_ERROR, "OpenCL device %s: clCreateKernel(%s) failed: %s",
                device->name.c_str(), name, cl_error_text(status).c_str());
  }
  std::size_t limit = 0;
  if (device->cl->clGetKernelWorkGroupInfo(kernel, device->id, CL_KERNEL_WORK_GROUP_SIZE, sizeof limit, &limit,
                                           nullptr) == CL_SUCCESS &&
      limit < work_group_size) {
    return fail(error, UAL_STATUS_UNSUPPORTED,
                "OpenCL device %s: kernel %s needs work-groups of %zu work-items, the device allows %zu",
                device->name.c_str(), name, work_group_size, limit);
  }
  return UAL_STATUS_OK;
}

}  // namespace

std::string build_options(const LaunchShape& launch) {
  // No -cl-fast-relaxed-math / -cl-mad-enable: QUANTIZE must round exactly as ual::fp8 does.
  return "-cl-std=CL1.2 -DWG=" + std::to_string(launch.gemm_side) + " -DROW_WG=" + std::to_string(launch.row_group) +
         " -DPOINT_WG=" + std::to_string(launch.point_group);
}

ual_status ensure_program(ual_device* device, ual_error* error) {
  std::lock_guard lock(device->program_mutex);
  if (device->gemm_kernel != nullptr) return UAL_STATUS_OK;
  const OpenClLibrary& cl = *device->cl;
  const Backend& backend = *device->backend;
  const std::string options = build_options(device->launch);
  const std::string source = kKernelSource;

  std::string cache_path;
  uint64_t key = 0;
  if (backend.has_cache_directory) {
    key = program_cache_key(device->name, device_string(cl, device->id, CL_DRIVER_VERSION),
                            platform_string(cl, device->platform, CL_PLATFORM_VERSION), source, options);
    cache_path = program_cache_path(backend.cache_directory, key);
    std::string why;
    const std::vector<unsigned char> cached = read_program_cache(cache_path, key, why);
    if (!cached.empty()) {
      device->program = program_from_binary(device, cached, options);
      if (device->program != nullptr) {
        backend.log(1, "program for " + device->name + " loaded from cache " + cache_path);
      } else {
        backend.log(2, "cached program " + cache_path + " was refused by the driver; rebuilding");
      }
    } else if (!why.empty()) {
      backend.log(2, "ignoring cached program " + cache_path + " (" + why + "); rebuilding");
    }
  }

  if (device->program == nullptr) {
    const auto start = std::chrono::steady_clock::now();
    const char* text = source.c_str();
    const std::size_t length = source.size();
    cl_int status = CL_SUCCESS;
    device->program = cl.clCreateProgramWithSource(device->context, 1, &text, &length, &status);
    if (status != CL_SUCCESS) {
      return fail(error, UAL_STATUS_DEVICE_ERROR, "OpenCL device %s: clCreateProgramWithSource failed: %s",
                  device->name.c_str(), cl_error_text(status).c_str());
    }
    status = cl.clBuildProgram(device->program, 1, &device->id, options.c_str(), nullptr, nullptr);
    if (status != CL_SUCCESS) {
      const std::string log = build_log(device, device->program);
      cl.clReleaseProgram(device->program);
      device->program = nullptr;
      return fail(error, UAL_STATUS_DEVICE_ERROR, "OpenCL device %s: building the kernels failed (%s): %s",
                  device->name.c_str(), cl_error_text(status).c_str(), log.c_str());
    }
    const double milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    backend.log(1, "program for " + device->name + " built from source in " + std::to_string(milliseconds) + " ms");
    if (!cache_path.empty()) {
      std::string why;
      const std::vector<unsigned char> binary = program_binary(device, device->program);
      if (binary.empty()) {
        backend.log(2, "driver returned no program binary; nothing cached");
      } else if (!write_program_cache(cache_path, key, binary, why)) {
        backend.log(2, "program cache not written: " + why);
      } else {
        backend.log(0, "program cached at " + cache_path);
      }
    }
  }

  const std::size_t gemm_items = static_cast<std::size_t>(device->launch.gemm_side * device->launch.gemm_side);
  ual_status status = create_kernel(device, "gemm", gemm_items, device->gemm_kernel, error);
  if (status == UAL_STATUS_OK) {
    status = create_kernel(device, "pointwise", device->launch.point_group, device->pointwise_kernel, error);
  }
  if (status == UAL_STATUS_OK) {
    status = create_kernel(device, "rowwise", device->launch.row_group, device->rowwise_kernel, error);
  }
  if (status != UAL_STATUS_OK) {
    release_program(device);
    return status;
  }
  return UAL_STATUS_OK;
}

void release_program(ual_device* device) {
  for (cl_kernel* kernel : {&device->gemm_kernel, &device->pointwise_kernel, &device->rowwise_kernel}) {
    if (*kernel != nullptr) device->cl->clReleaseKernel(*kernel);
    *kernel = nullptr;
  }
  if (device->program != nullptr) device->cl->clReleaseProgram(device->program);
  device->program = nullptr;
}

}  // namespace ual::opencl
