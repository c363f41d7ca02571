#include "discovery/device_node.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/embedded_data.hpp"
#include "core/text.hpp"
#include "discovery/pci.hpp"

namespace ual::discovery {
namespace {

// The group's name from the sysroot's /etc/group ("render:x:992:"), or its number.
std::string group_name(DiscoveryContext& context, std::uint32_t gid) {
  if (context.sysroot().is_live()) {
    // getgrgid_r also sees groups from LDAP/sssd, which /etc/group lacks.
    group entry{};
    group* found = nullptr;
    char buffer[16384];
    if (::getgrgid_r(gid, &entry, buffer, sizeof buffer, &found) == 0 && found) return found->gr_name;
  }
  if (const auto groups = context.sysroot().read_file("/etc/group", 4u << 20)) {
    for (const std::string_view line : text::split(*groups, '\n')) {
      const auto fields = text::split(line, ':');
      if (fields.size() >= 3 && text::parse_unsigned(fields[2]) == gid && !fields[0].empty()) return std::string(fields[0]);
    }
  }
  return fmt::format("gid {}", gid);
}

std::optional<std::pair<int, int>> parse_version_pair(std::string_view text) {
  const auto parts = text::split(text, '.');
  if (parts.size() < 2) return std::nullopt;
  std::string_view minor = parts[1];
  std::size_t digits = 0;
  while (digits < minor.size() && minor[digits] >= '0' && minor[digits] <= '9') ++digits;
  const auto major_number = text::parse_unsigned(parts[0]);
  const auto minor_number = text::parse_unsigned(minor.substr(0, digits));
  if (!major_number || !minor_number || *major_number > 1000 || *minor_number > 1000) return std::nullopt;
  return std::pair<int, int>(static_cast<int>(*major_number), static_cast<int>(*minor_number));
}

}  // namespace

std::string find_accel_node(DiscoveryContext& context, std::string_view pci_address) {
  for (const std::string& name : context.list_directory("/sys/class/accel")) {
    if (!text::starts_with(name, "accel")) continue;
    const auto link = context.sysroot().read_link("/sys/class/accel/" + name + "/device");
    if (link && pci_address_of_link(*link) == pci_address) return "/dev/accel/" + name;
  }
  return {};
}

std::optional<std::string> check_device_node_access(DiscoveryContext& context, std::string_view node) {
  const FileStatus status = context.sysroot().status(node);
  if (!status.exists) return fmt::format("{} is missing", node);
  const auto& identity = context.identity();
  if (!identity) {
    // The live machine asks the kernel, so ACLs (logind grants the seat user its render nodes) count too.
    if (!context.sysroot().is_live()) return std::nullopt;
    if (::faccessat(AT_FDCWD, std::string(node).c_str(), R_OK | W_OK, AT_EACCESS) == 0) return std::nullopt;
  } else {
    if (identity->uid == 0) return std::nullopt;
    mode_t needed = 0;
    if (status.owner == identity->uid) needed = S_IRUSR | S_IWUSR;
    else if (std::find(identity->groups.begin(), identity->groups.end(), status.group) != identity->groups.end())
      needed = S_IRGRP | S_IWGRP;
    else
      needed = S_IROTH | S_IWOTH;
    if ((status.mode & needed) == needed) return std::nullopt;
  }
  const std::string group = group_name(context, status.group);
  if ((status.mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP) && status.group != 0)
    return fmt::format("no read/write permission on {}: add the user to group {} (sudo usermod -aG {} $USER, then "
                       "log in again)", node, group, group);
  return fmt::format("no read/write permission on {} (mode {:04o}, group {}): ask an administrator for access", node,
                     status.mode & 07777, group);
}

std::optional<std::pair<int, int>> kernel_release(DiscoveryContext& context) {
  const auto release = context.optional_attribute("/proc/sys/kernel/osrelease");
  return release ? parse_version_pair(*release) : std::nullopt;
}

std::string missing_driver_problem(DiscoveryContext& context, std::string_view driver, std::string_view bound) {
  std::string minimum = "0";
  std::string fix;
  static const nlohmann::json table = [] {  // compiled-in data: parsed once
    const auto content = data::find_embedded_file("drivers.json");
    return content ? nlohmann::json::parse(*content, nullptr, false) : nlohmann::json();
  }();
  {
    if (!table.is_discarded() && table.contains("drivers") && table["drivers"].contains(std::string(driver))) {
      const auto& entry = table["drivers"][std::string(driver)];
      minimum = entry.value("min_kernel", "0");
      fix = entry.value("fix", "");
    }
  }
  const std::string release = context.optional_attribute("/proc/sys/kernel/osrelease").value_or("unknown");
  const auto have = kernel_release(context);
  const auto need = parse_version_pair(minimum + ".0");
  if (!bound.empty())
    return fmt::format("bound to driver {}, not {}: {}", bound, driver, fix);
  if (have && need && *have < *need)
    return fmt::format("no driver bound: kernel {} is too old for {} (needs Linux {}+): {}", release, driver, minimum,
                       fix);
  return fmt::format("no driver bound: load {} (sudo modprobe {}); {}", driver, driver, fix);
}

}  // namespace ual::discovery
