// Umbrella header: everything public in ual's C++ API.
#pragma once

#include "ual/backends.hpp"
#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"
#include "ual/fp8_scaling.hpp"
#include "ual/inventory.hpp"
#include "ual/ops.hpp"
#include "ual/result.hpp"
#include "ual/selector.hpp"
#include "ual/tensor.hpp"
#include "ual/version.hpp"
