// Umbrella header: everything public in ual's C++ API.
#pragma once

#include "ual/fp8.hpp"
#include "ual/inventory.hpp"
#include "ual/result.hpp"
#include "ual/version.hpp"
