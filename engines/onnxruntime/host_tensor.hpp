// Tensors in host memory as ual exchanges them with ONNX Runtime and .npy files: an element type, a C-order shape and
// the raw little-endian bytes. Kept free of ONNX Runtime's headers so the CLI, the C ABI and tests can use it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::onnxruntime {

// The numeric element types both ONNX (TensorProto.DataType) and numpy have; bool is one byte in both.
enum class ElementType { f32, f64, f16, i8, u8, i16, u16, i32, i64, u32, u64, boolean };

UAL_API const char* to_string(ElementType type) noexcept;  // numpy's names: "float32", "int64", "bool", ...
UAL_API std::optional<ElementType> parse_element_type(std::string_view name);  // the inverse of to_string
UAL_API std::size_t element_size(ElementType type) noexcept;

struct HostTensor {
  std::string name;
  ElementType type = ElementType::f32;
  std::vector<std::int64_t> shape;  // C order; {} is a scalar
  std::vector<std::byte> data;      // element_count() * element_size(type) bytes

  // Elements the shape describes; an error when a dimension is negative or the product overflows.
  UAL_API Result<std::uint64_t> element_count() const;
};

UAL_API std::string format_shape(const std::vector<std::int64_t>& shape);  // "(2, 3)", "()", "(5,)" as numpy prints

// A tensor built from values of a C++ type (tests, the C ABI): the caller names the ElementType the values are.
template <class T>
HostTensor make_host_tensor(std::string name, ElementType type, std::vector<std::int64_t> shape,
                            const std::vector<T>& values) {
  HostTensor tensor{std::move(name), type, std::move(shape), {}};
  tensor.data.resize(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
  return tensor;
}

}  // namespace ual::onnxruntime
