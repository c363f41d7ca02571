#include "discovery/context.hpp"

#include <algorithm>

namespace ual::discovery {

void DiscoveryContext::add_problem(std::string problem) {
  if (std::find(problems_.begin(), problems_.end(), problem) == problems_.end()) problems_.push_back(std::move(problem));
}

std::optional<std::string> DiscoveryContext::optional_attribute(std::string_view path) {
  auto value = sysroot_.read_attribute(path);
  if (value) return std::move(value).value();
  if (value.error().code != ErrorCode::not_found) add_problem(value.error().message);
  return std::nullopt;
}

std::optional<std::string> DiscoveryContext::optional_file(std::string_view path, std::size_t limit) {
  auto content = sysroot_.read_file(path, limit);
  if (content) return std::move(content).value();
  if (content.error().code != ErrorCode::not_found) add_problem(content.error().message);
  return std::nullopt;
}

std::optional<std::string> DiscoveryContext::required_file(std::string_view path, std::size_t limit) {
  auto content = sysroot_.read_file(path, limit);
  if (content) return std::move(content).value();
  add_problem(content.error().message);
  return std::nullopt;
}

std::vector<std::string> DiscoveryContext::list_directory(std::string_view path) {
  auto names = sysroot_.list_directory(path);
  if (names) return std::move(names).value();
  if (names.error().code != ErrorCode::not_found) add_problem(names.error().message);
  return {};
}

}  // namespace ual::discovery
