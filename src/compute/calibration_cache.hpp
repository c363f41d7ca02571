// The selector's per-device cost constants: the seeded figures (device_cost_seed.hpp) with the measured ones on top,
// loaded from $cache/compute-calibration-v2.json when an entry for the same device (backend, name, driver, ual
// version) holds sane numbers, measured and stored otherwise. The file holds measured figures only; v2 added the
// per-dtype GEMM rates (a v1 file is ignored and measured again).
#pragma once

#include <string>
#include <vector>

#include "ual/selector.hpp"

namespace ual::detail {

inline constexpr const char* calibration_file_name = "compute-calibration-v2.json";

// One cost per device, in the same order. calibrate = false: no measurement and no cache writes; costs are the seeded
// figures (catalog, backend-reported, defaults; measured = false).
Result<std::vector<DeviceCost>> device_costs(const std::vector<ComputeDevice>& devices, const std::string& directory,
                                             bool calibrate,
                                             const std::function<void(const ComputeDevice&)>& on_calibration = {});

// The cache key of a device: what must match for a stored measurement to be reused.
std::string calibration_key(const ComputeDevice& device);

// True when every constant is finite and in a physically possible range (0 allowed where it means "not known").
bool plausible(const DeviceCost& cost);

}  // namespace ual::detail
