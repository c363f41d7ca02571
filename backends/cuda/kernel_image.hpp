// The shared GPU kernels (backends/gpu_kernels/kernels.cu) as a fatbin for sm_80, sm_89, sm_90a plus compute_90 PTX,
// embedded in the plugin at build time (kernel_image.cpp, .incbin) and loaded with cuModuleLoadData.
#pragma once

extern "C" const unsigned char ual_cuda_kernel_image[];
extern "C" const unsigned char ual_cuda_kernel_image_end[];
