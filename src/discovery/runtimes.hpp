// Which vendor runtimes are usable here (data/runtimes.json): on the live machine by dlopen and each library's
// own version call (never initialising a device), in a recorded tree by file presence, marked as not loaded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic_library.hpp"
#include "discovery/context.hpp"

namespace ual::discovery {

// Probes every runtime, then marks those whose hardware is absent (data/runtimes.json requires_device) unusable.
std::vector<Runtime> discover_runtimes(DiscoveryContext& context, const std::vector<HardwareDevice>& devices);
// The probes alone: what loads or is present, whatever hardware there is.
std::vector<Runtime> probe_runtimes(DiscoveryContext& context);

// Per-runtime probes of a loaded library (runtime_probes.cpp): fill version, providers or platforms; may mark
// the runtime unusable with a reason (an OpenCL loader with no platform, say).
void probe_loaded_runtime(Runtime& runtime, const DynamicLibrary& library);
// FastFlowLM: runs `flm version --json` (then `flm version` for releases without --json) with a timeout.
void probe_fastflowlm(Runtime& runtime, const std::string& program, std::chrono::milliseconds timeout);

// "libcuda.so.550.54.15" with soname "libcuda.so.1" -> "550.54.15"; empty when the name carries no more than the
// soname does.
std::string version_from_file_name(std::string_view soname, std::string_view file_name);
// Parses `flm version --json` ({"version":"0.9.21"}) or `flm version` ("FLM v0.9.21") output; empty if neither.
std::string parse_fastflowlm_version(std::string_view output);

}  // namespace ual::discovery
