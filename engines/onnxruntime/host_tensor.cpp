#include "engines/onnxruntime/host_tensor.hpp"

#include <array>
#include <limits>

#include <fmt/format.h>

namespace ual::onnxruntime {
namespace {

struct ElementTypeInfo {
  ElementType type;
  const char* name;
  std::size_t size;
};

constexpr std::array<ElementTypeInfo, 12> element_types{{
    {ElementType::f32, "float32", 4},
    {ElementType::f64, "float64", 8},
    {ElementType::f16, "float16", 2},
    {ElementType::i8, "int8", 1},
    {ElementType::u8, "uint8", 1},
    {ElementType::i16, "int16", 2},
    {ElementType::u16, "uint16", 2},
    {ElementType::i32, "int32", 4},
    {ElementType::i64, "int64", 8},
    {ElementType::u32, "uint32", 4},
    {ElementType::u64, "uint64", 8},
    {ElementType::boolean, "bool", 1},
}};

const ElementTypeInfo& info(ElementType type) noexcept {
  for (const ElementTypeInfo& entry : element_types)
    if (entry.type == type) return entry;
  return element_types.front();  // unreachable: every enumerator has an entry
}

}  // namespace

const char* to_string(ElementType type) noexcept { return info(type).name; }

std::optional<ElementType> parse_element_type(std::string_view name) {
  for (const ElementTypeInfo& entry : element_types)
    if (name == entry.name) return entry.type;
  return std::nullopt;
}

std::size_t element_size(ElementType type) noexcept { return info(type).size; }

Result<std::uint64_t> HostTensor::element_count() const {
  std::uint64_t count = 1;
  for (const std::int64_t dimension : shape) {
    if (dimension < 0)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("tensor '{}': shape {} has a negative dimension", name, format_shape(shape)));
    const auto extent = static_cast<std::uint64_t>(dimension);
    if (extent != 0 && count > std::numeric_limits<std::uint64_t>::max() / extent)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("tensor '{}': shape {} has too many elements", name, format_shape(shape)));
    count *= extent;
  }
  return count;
}

std::string format_shape(const std::vector<std::int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape.front());
  return fmt::format("({})", fmt::join(shape, ", "));
}

}  // namespace ual::onnxruntime
