// How the plugin reports failure across the ABI: the shared helpers of backends/common/plugin_status.hpp.
#pragma once

#include "../common/plugin_status.hpp"

namespace ual::opencl {

using ual::plugin::clear_error;
using ual::plugin::fail;
using ual::plugin::raw_enum;

}  // namespace ual::opencl
