// Umbrella header: everything public in ual's C++ API.
#pragma once

#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"
#include "ual/fp8_scaling.hpp"
#include "ual/inventory.hpp"
#include "ual/result.hpp"
#include "ual/version.hpp"
