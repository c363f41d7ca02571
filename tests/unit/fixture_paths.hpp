// Where the recorded machine trees and their goldens live (the source tree, set by CMake).
#pragma once

#include <string>

namespace ual::testing {

inline std::string source_path(const std::string& relative) { return std::string(UAL_SOURCE_DIR) + "/" + relative; }
inline std::string machine_path(const std::string& name) { return source_path("tests/fixtures/machines/" + name); }

}  // namespace ual::testing
