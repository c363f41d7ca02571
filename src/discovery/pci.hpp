// PCI functions that are accelerators: display (class 0x03), processing accelerators (0x12) and signal-processing
// controllers (0x1180), named from ual's tables first and then the sysroot's pci.ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/context.hpp"
#include "discovery/device_tables.hpp"

namespace ual::discovery {

// "0000:c6:00.1" and nothing else: names read from a directory are checked before they are used in paths.
bool is_pci_address(std::string_view text);

// True for the class codes that can hold an accelerator.
bool is_accelerator_class(std::uint32_t class_code);

// Every accelerator function under /sys/bus/pci/devices, in address order, with ids, driver, NUMA node and a
// name; kind and arch come from the tables when the id is known.
std::vector<HardwareDevice> discover_pci_accelerators(DiscoveryContext& context, const DeviceTables& tables);

// "Vendor Device" from pci.ids text, or nullopt when either id is not listed.
std::optional<std::string> lookup_pci_ids_name(std::string_view pci_ids, std::uint32_t vendor_id,
                                               std::uint32_t device_id);

// The PCI address a sysfs symlink points at ("../../../0000:c6:00.1" -> "0000:c6:00.1"), or empty.
std::string pci_address_of_link(std::string_view link_target);

}  // namespace ual::discovery
