#include "discovery/cpuinfo_parser.hpp"

#include <limits>

#include "core/text.hpp"

namespace ual::discovery {
namespace {

std::optional<int> small_int(std::string_view value, int base = 10) {
  if (base == 16 && (text::starts_with(value, "0x") || text::starts_with(value, "0X"))) value.remove_prefix(2);
  const auto number = text::parse_unsigned(value, base);
  if (!number || *number > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
  return static_cast<int>(*number);
}

std::optional<std::uint32_t> small_unsigned(std::string_view value, int base = 10) {
  const auto number = small_int(value, base);
  if (!number) return std::nullopt;
  return static_cast<std::uint32_t>(*number);
}

}  // namespace

CpuinfoSummary parse_cpuinfo(std::string_view text) {
  CpuinfoSummary summary;
  std::optional<std::uint32_t> physical_id, core_id;
  const auto finish_block = [&] {
    if (physical_id) {
      summary.physical_ids.insert(*physical_id);
      if (core_id) summary.physical_cores.emplace(*physical_id, *core_id);
    }
    physical_id.reset();
    core_id.reset();
  };
  for (const std::string_view raw_line : text::split(text, '\n')) {
    const std::size_t colon = raw_line.find(':');
    if (colon == std::string_view::npos) {
      if (text::trim(raw_line).empty()) finish_block();
      continue;
    }
    const std::string_view key = text::trim(raw_line.substr(0, colon));
    const std::string_view value = text::trim(raw_line.substr(colon + 1));
    if (key == "processor") {
      finish_block();
      if (text::parse_unsigned(value)) ++summary.processors;
    } else if (key == "vendor_id" && summary.vendor_id.empty()) {
      summary.vendor_id = std::string(value);
    } else if (key == "model name" && summary.model_name.empty()) {
      summary.model_name = std::string(value);
    } else if (key == "cpu family" && summary.family < 0) {
      summary.family = small_int(value).value_or(-1);
    } else if (key == "model" && summary.model < 0) {
      summary.model = small_int(value).value_or(-1);
    } else if (key == "stepping" && summary.stepping < 0) {
      summary.stepping = small_int(value).value_or(-1);
    } else if ((key == "flags" || key == "Features") && summary.flags.empty()) {
      for (const std::string_view flag : text::split_whitespace(value))
        if (text::is_printable(flag)) summary.flags.emplace(flag);
    } else if (key == "CPU implementer" && !summary.arm_implementer) {
      summary.arm_implementer = small_unsigned(value, 16);
    } else if (key == "CPU part" && !summary.arm_part) {
      summary.arm_part = small_unsigned(value, 16);
    } else if (key == "CPU variant" && !summary.arm_variant) {
      summary.arm_variant = small_unsigned(value, 16);
    } else if (key == "CPU revision" && !summary.arm_revision) {
      summary.arm_revision = small_unsigned(value);
    } else if (key == "physical id") {
      physical_id = small_unsigned(value);
    } else if (key == "core id") {
      core_id = small_unsigned(value);
    }
  }
  finish_block();
  if (!text::is_printable(summary.model_name)) summary.model_name.clear();
  if (!text::is_printable(summary.vendor_id)) summary.vendor_id.clear();
  return summary;
}

std::optional<std::uint64_t> parse_meminfo_total(std::string_view text) {
  for (const auto& [key, value] : text::parse_key_value_lines(text, ':')) {
    if (key != "MemTotal") continue;
    const auto parts = text::split_whitespace(value);
    if (parts.size() != 2 || parts[1] != "kB") return std::nullopt;
    const auto kilobytes = text::parse_unsigned(parts[0]);
    if (!kilobytes || *kilobytes > std::numeric_limits<std::uint64_t>::max() / 1024) return std::nullopt;
    return *kilobytes * 1024;
  }
  return std::nullopt;
}

}  // namespace ual::discovery
