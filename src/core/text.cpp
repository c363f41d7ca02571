#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace ual::text {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string_view> split_whitespace(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) parts.push_back(text.substr(start, i - start));
  }
  return parts;
}

std::string to_lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool is_printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 || c == '\n' || c == '\t' || c == '\r';
  });
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text, int base) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::int64_t> parse_signed(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint32_t> parse_hex_id(std::string_view text) {
  text = trim(text);
  if (starts_with(text, "0x") || starts_with(text, "0X")) text.remove_prefix(2);
  const auto value = parse_unsigned(text, 16);
  if (!value || *value > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return static_cast<std::uint32_t>(*value);
}

std::optional<std::uint64_t> parse_size_with_suffix(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  std::uint64_t multiplier = 1;
  switch (text.back()) {
    case 'K': case 'k': multiplier = 1ull << 10; break;
    case 'M': case 'm': multiplier = 1ull << 20; break;
    case 'G': case 'g': multiplier = 1ull << 30; break;
    default: break;
  }
  if (multiplier != 1) text.remove_suffix(1);
  const auto value = parse_unsigned(text);
  if (!value || *value > std::numeric_limits<std::uint64_t>::max() / multiplier) return std::nullopt;
  return *value * multiplier;
}

std::optional<std::vector<std::uint32_t>> parse_cpu_list(std::string_view text, std::size_t max_count) {
  std::vector<std::uint32_t> cpus;
  text = trim(text);
  if (text.empty()) return cpus;
  for (const std::string_view part : split(text, ',')) {
    const auto range = split(part, '-');
    if (range.size() > 2) return std::nullopt;
    const auto first = parse_unsigned(range[0]);
    const auto last = range.size() == 2 ? parse_unsigned(range[1]) : first;
    // CPU numbers are 32-bit in the kernel; the count is capped before anything is allocated.
    constexpr std::uint64_t largest_cpu = std::numeric_limits<std::uint32_t>::max();
    if (!first || !last || *last < *first || *last > largest_cpu || *last - *first >= max_count ||
        cpus.size() + (*last - *first) >= max_count)
      return std::nullopt;
    const std::uint64_t count = *last - *first + 1;
    for (std::uint64_t offset = 0; offset < count; ++offset) cpus.push_back(static_cast<std::uint32_t>(*first + offset));
  }
  return cpus;
}

std::vector<std::pair<std::string_view, std::string_view>> parse_key_value_lines(std::string_view text,
                                                                                 char separator) {
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (const std::string_view line : split(text, '\n')) {
    if (trim(line).empty()) continue;
    std::size_t cut = std::string_view::npos;
    if (separator == ' ') {
      const std::string_view stripped = trim(line);
      cut = stripped.find_first_of(" \t");
      if (cut == std::string_view::npos) continue;
      pairs.emplace_back(stripped.substr(0, cut), trim(stripped.substr(cut)));
      continue;
    }
    cut = line.find(separator);
    if (cut == std::string_view::npos) continue;
    pairs.emplace_back(trim(line.substr(0, cut)), trim(line.substr(cut + 1)));
  }
  return pairs;
}

}  // namespace ual::text
