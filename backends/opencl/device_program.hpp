// The per-device program holding every kernel: built on first use, from the on-disk binary cache when a valid entry
// exists, from source otherwise (then cached).
#pragma once

#include "plugin_objects.hpp"

namespace ual::opencl {

// Builds (once) and returns OK, or the build failure with the (truncated) build log.
ual_status ensure_program(ual_device* device, ual_error* error);

// The -D options the kernels are compiled with for this device (part of the cache key).
std::string build_options(const LaunchShape& launch);

// Releases the kernels and the program (device_close).
void release_program(ual_device* device);

}  // namespace ual::opencl
