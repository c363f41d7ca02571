// Small text helpers for the kernel's attribute formats (hex ids, "key value" lines, cpu lists, "48K" sizes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ual::text {

std::string_view trim(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);
std::vector<std::string_view> split_whitespace(std::string_view text);
std::string to_lower(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);

// True when the text is printable ASCII/UTF-8 plus whitespace (no NUL or control bytes): attributes that are not
// are corrupt and must not be parsed as numbers or shown to a user.
bool is_printable(std::string_view text);

// Strict parsers: the whole (trimmed) text must be the number.
std::optional<std::uint64_t> parse_unsigned(std::string_view text, int base = 10);
std::optional<std::int64_t> parse_signed(std::string_view text);
std::optional<std::uint32_t> parse_hex_id(std::string_view text);  // "0x10de" (sysfs ids); "0x" prefix optional

// "48K", "1024K", "32768K", "2M" (sysfs cache sizes) to bytes.
std::optional<std::uint64_t> parse_size_with_suffix(std::string_view text);

// "0-3,8,10-11" to the listed numbers; nullopt on malformed input or more than max_count entries.
std::optional<std::vector<std::uint32_t>> parse_cpu_list(std::string_view text, std::size_t max_count = 1u << 16);

// Lines of "key value" (KFD properties) or "key: value" (/proc/meminfo, NVIDIA information) into pairs.
std::vector<std::pair<std::string_view, std::string_view>> parse_key_value_lines(std::string_view text,
                                                                                 char separator);

}  // namespace ual::text
