// Reading numpy arrays (any object with the buffer protocol) without copying them: element type, shape and layout,
// checked with errors that name the argument (TypeError for the element type, ValueError for shapes and strides).
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ual::python {

enum class ElementType { float32, float16, uint8 };
const char* numpy_name(ElementType type) noexcept;  // "float32", "float16", "uint8"

struct ArrayView {
  pybind11::buffer_info info;  // holds the exporter's buffer (and so the memory) while the view lives
  ElementType type = ElementType::float32;
  std::vector<std::int64_t> shape;
  std::int64_t elements = 1;
  bool c_contiguous = false;
  bool f_contiguous = false;
  const void* data() const noexcept { return info.ptr; }
};

// The array's buffer, read-only. `allowed` lists the accepted element types; anything else is a TypeError naming
// `name` and the types it accepts.
ArrayView view_array(const pybind11::handle& object, const char* name, std::vector<ElementType> allowed);

// A new C-contiguous numpy array of `shape`, owned by numpy.
pybind11::array new_array(ElementType type, const std::vector<std::int64_t>& shape);

std::string shape_text(const std::vector<std::int64_t>& shape);  // "(2, 3)"

}  // namespace ual::python
