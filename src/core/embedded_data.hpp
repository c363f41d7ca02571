// The JSON tables of data/ (device ids, microarchitectures, runtime sonames), compiled into the library.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ual::data {

struct EmbeddedFile {
  std::string_view path;     // relative to data/, e.g. "pci/nvidia.json"
  std::string_view content;
};

std::span<const EmbeddedFile> embedded_files() noexcept;
std::optional<std::string_view> find_embedded_file(std::string_view path) noexcept;

}  // namespace ual::data
