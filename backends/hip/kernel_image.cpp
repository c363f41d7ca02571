// Embeds the code object bundle hipcc built (UAL_HIP_CODE_OBJECT_PATH, set by CMakeLists.txt, which also makes this
// file depend on it). 4096-byte alignment, as clang gives the .hip_fatbin section it embeds for hipcc's own programs:
// the bundler aligns each code object inside the bundle relative to the bundle's start.
#include "kernel_image.hpp"

__asm__(".section .rodata\n"
        ".balign 4096\n"
        ".globl ual_hip_kernel_image\n"
        ".hidden ual_hip_kernel_image\n"
        "ual_hip_kernel_image:\n"
        ".incbin \"" UAL_HIP_CODE_OBJECT_PATH "\"\n"
        ".globl ual_hip_kernel_image_end\n"
        ".hidden ual_hip_kernel_image_end\n"
        "ual_hip_kernel_image_end:\n"
        ".byte 0\n"
        ".previous\n");
