// The selector's figures for a device before (or without) a measurement: the HopperSim catalog entry matched to the
// device, else the backend's reported peaks, else modest defaults (data/compute/selector-costs.json); and the merge
// that lets measured figures replace seeded ones.
#pragma once

#include <optional>
#include <string>

#include "ual/selector.hpp"

namespace ual::detail {

// The catalog id (data/hardware/) of a compute device, by the planner's rules (data/planner/device-matches.json).
// With PCI ids, the vendor, arch and generation come from ual's PCI tables (data/pci/) and every field of a rule is
// compared, as the planner does for discovered devices; the backend's name is tried first, then the PCI table's.
// Without PCI ids those fields are unknown and not compared, so a rule must then match on name_contains ("H100",
// "EPYC 9654") to apply.
std::optional<std::string> catalog_id_for(const ComputeDeviceInfo& info);

// Every figure of the cost model, each with its source.
DeviceCost seeded_cost(const ComputeDeviceInfo& info);

// `measured` holds the figures a calibration run measured (those whose source is "measured"); they replace the seed's.
DeviceCost with_measurements(DeviceCost seed, const DeviceCost& measured);

}  // namespace ual::detail
