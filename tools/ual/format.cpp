#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "commands.hpp"

namespace ual::cli {

std::string format_bytes(std::uint64_t bytes) {
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 5) {
    value /= 1024.0;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} B", bytes);
  return value >= 100 || value == static_cast<double>(static_cast<std::uint64_t>(value)) ? fmt::format("{:.0f} {}", value, units[unit])
                                                                                         : fmt::format("{:.1f} {}", value, units[unit]);
}

CommandRegistration::CommandRegistration(const char* /*name*/, int order, AddCommand add) {
  registered_commands().emplace_back(order, add);
}

std::vector<std::pair<int, AddCommand>>& registered_commands() {
  static std::vector<std::pair<int, AddCommand>> commands;  // filled during static initialization
  return commands;
}

}  // namespace ual::cli
