// Embeds the fatbin nvcc built (UAL_CUDA_FATBIN_PATH, set by CMakeLists.txt, which also makes this file depend on
// it). 16-byte alignment: cuModuleLoadData reads the image in place.
#include "kernel_image.hpp"

__asm__(".section .rodata\n"
        ".balign 16\n"
        ".globl ual_cuda_kernel_image\n"
        ".hidden ual_cuda_kernel_image\n"
        "ual_cuda_kernel_image:\n"
        ".incbin \"" UAL_CUDA_FATBIN_PATH "\"\n"
        ".globl ual_cuda_kernel_image_end\n"
        ".hidden ual_cuda_kernel_image_end\n"
        "ual_cuda_kernel_image_end:\n"
        ".byte 0\n"
        ".previous\n");
