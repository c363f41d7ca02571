// The CPU entry: vendor, model, microarchitecture, topology, caches, memory and kernel-relevant ISA features.
#pragma once

#include "discovery/context.hpp"
#include "discovery/device_tables.hpp"

namespace ual::discovery {

HardwareDevice discover_cpu(DiscoveryContext& context, const DeviceTables& tables);

}  // namespace ual::discovery
