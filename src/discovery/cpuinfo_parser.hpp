// Pure parsers for the CPU's text files (/proc/cpuinfo, /proc/meminfo), separate from I/O so that unit tests and
// the fuzzer drive them directly.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace ual::discovery {

struct CpuinfoSummary {
  std::size_t processors = 0;      // "processor" entries
  std::string vendor_id;           // x86 "vendor_id"
  std::string model_name;          // x86 "model name" (arm64 kernels print none)
  int family = -1, model = -1, stepping = -1;
  std::set<std::string> flags;     // x86 "flags" or arm64 "Features"
  std::optional<std::uint32_t> arm_implementer, arm_part, arm_variant, arm_revision;
  std::set<std::uint32_t> physical_ids;  // x86 "physical id"
  std::set<std::pair<std::uint32_t, std::uint32_t>> physical_cores;  // (physical id, core id)
  bool is_arm() const { return arm_implementer.has_value(); }
};

// Unknown keys and malformed values are skipped; a summary with processors == 0 means "not a cpuinfo file".
CpuinfoSummary parse_cpuinfo(std::string_view text);

// MemTotal in bytes, or nullopt.
std::optional<std::uint64_t> parse_meminfo_total(std::string_view text);

}  // namespace ual::discovery
