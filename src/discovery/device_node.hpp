// Device nodes (/dev/accel/accelN, /dev/kfd, /dev/dri/renderDN): which node belongs to a PCI function, and whether
// this user may open it, with the group to join when not.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "discovery/context.hpp"

namespace ual::discovery {

// The /dev/accel/accelN node whose sysfs class entry points at this PCI address, or empty.
std::string find_accel_node(DiscoveryContext& context, std::string_view pci_address);

// A problem sentence when the node is missing or not read/writable by the identity; nullopt when usable.
std::optional<std::string> check_device_node_access(DiscoveryContext& context, std::string_view node);

// Kernel release (major, minor) from /proc/sys/kernel/osrelease.
std::optional<std::pair<int, int>> kernel_release(DiscoveryContext& context);

// The problem to report for an accelerator whose expected driver is not bound (data/drivers.json).
std::string missing_driver_problem(DiscoveryContext& context, std::string_view driver, std::string_view bound);

}  // namespace ual::discovery
