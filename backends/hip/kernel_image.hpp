// The shared GPU kernels (backends/gpu_kernels/kernels.cu) as one HIP code object bundle for UAL_HIP_ARCHITECTURES
// (hipcc --genco), embedded in the plugin at build time (kernel_image.cpp, .incbin) and loaded with
// hipModuleLoadData, which picks the device's ISA from the bundle.
#pragma once

#include <cstddef>

extern "C" const unsigned char ual_hip_kernel_image[];
extern "C" const unsigned char ual_hip_kernel_image_end[];

namespace ual::hip {

inline std::size_t kernel_image_size() {
  return static_cast<std::size_t>(ual_hip_kernel_image_end - ual_hip_kernel_image);
}

}  // namespace ual::hip
