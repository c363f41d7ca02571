// Where ual looks for ONNX Runtime's library, shared by the engine and `ual devices` so both find the same one:
// UAL_ONNXRUNTIME_LIBRARY (a file path), then the loader's own search by soname, then the copy scripts/setup fetched.
#pragma once

#include <string>
#include <vector>

#include "core/dynamic_library.hpp"
#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::onnxruntime {

inline constexpr const char* library_environment_variable = "UAL_ONNXRUNTIME_LIBRARY";

// The names to dlopen, in order. When UAL_ONNXRUNTIME_LIBRARY is set it is the only candidate: a user who names a
// file wants that file or an error, not a silent fallback to another build.
UAL_API std::vector<std::string> onnxruntime_library_candidates();

// Opens the first candidate that loads (kept mapped: ORT's static destructors must not run before ours). The error
// is "libonnxruntime.so.1 not found (tried ...)" with each candidate and why it failed.
Result<DynamicLibrary> open_onnxruntime_library();

}  // namespace ual::onnxruntime
