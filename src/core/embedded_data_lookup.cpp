#include "core/embedded_data.hpp"

namespace ual::data {

std::optional<std::string_view> find_embedded_file(std::string_view path) noexcept {
  for (const EmbeddedFile& file : embedded_files())
    if (file.path == path) return file.content;
  return std::nullopt;
}

}  // namespace ual::data
