// State shared by the discovery passes of one discover() call: the sysroot, the options, and the problem log.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/sysroot.hpp"
#include "ual/inventory.hpp"

namespace ual::discovery {

class DiscoveryContext {
 public:
  DiscoveryContext(const Sysroot& sysroot, const DiscoveryOptions& options)
      : sysroot_(sysroot), options_(options) {}

  const Sysroot& sysroot() const noexcept { return sysroot_; }
  const DiscoveryOptions& options() const noexcept { return options_; }
  const std::optional<UserIdentity>& identity() const noexcept { return options_.identity; }

  // An attribute that may legitimately be absent: a missing file is silent, anything else (unreadable, binary,
  // too large) is recorded as a problem naming the file.
  std::optional<std::string> optional_attribute(std::string_view path);
  // A file discovery expects on any Linux machine: missing is a problem too.
  std::optional<std::string> required_file(std::string_view path, std::size_t limit);
  std::optional<std::string> optional_file(std::string_view path, std::size_t limit);
  std::vector<std::string> list_directory(std::string_view path);  // missing: empty and silent

  void add_problem(std::string problem);
  std::vector<std::string> take_problems() { return std::move(problems_); }

 private:
  const Sysroot& sysroot_;
  const DiscoveryOptions& options_;
  std::vector<std::string> problems_;
};

}  // namespace ual::discovery
