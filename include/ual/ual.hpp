// Umbrella header: everything public in ual's C++ API.
#pragma once

#include "ual/inventory.hpp"
#include "ual/result.hpp"
#include "ual/version.hpp"
