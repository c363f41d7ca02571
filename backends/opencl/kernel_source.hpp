// The OpenCL C source of every kernel (backends/opencl/kernels/*.cl, concatenated at build time).
#pragma once

namespace ual::opencl {
extern const char* const kKernelSource;
}  // namespace ual::opencl
