// What the CPU backend reports about its device: the processor's name, host memory, oneDNN's version.
#pragma once

#include <cstdint>
#include <string>

namespace ual::cpu {

std::string cpu_model_name();          // /proc/cpuinfo "model name" (or "CPU")
std::uint64_t cpu_memory_bytes();      // physical memory
std::string gemm_library_version();    // "oneDNN 2.6.3"

}  // namespace ual::cpu
