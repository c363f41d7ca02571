// ual's version, for `ual --version` and consumers that check what they linked against.
#pragma once

#include "ual/export.hpp"

namespace ual {
UAL_API const char* version() noexcept;  // "MAJOR.MINOR.PATCH"
}
