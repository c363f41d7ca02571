#include "arrays.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace ual::python {

namespace py = pybind11;

const char* numpy_name(ElementType type) noexcept {
  switch (type) {
    case ElementType::float32: return "float32";
    case ElementType::float16: return "float16";
    case ElementType::uint8: return "uint8";
  }
  return "?";
}

namespace {

// Buffer-protocol format strings (struct module syntax); '=' and '<' mean native order on the little-endian hosts
// ual builds for, '>' and '!' are big-endian and rejected.
bool format_is(const std::string& format, char code) {
  if (format.size() == 1) return format[0] == code;
  return format.size() == 2 && (format[0] == '=' || format[0] == '<' || format[0] == '@') && format[1] == code;
}

std::string allowed_text(const std::vector<ElementType>& allowed) {
  std::string text;
  for (std::size_t i = 0; i < allowed.size(); ++i)
    text += (i == 0 ? "" : i + 1 == allowed.size() ? " or " : ", ") + std::string(numpy_name(allowed[i]));
  return text;
}

}  // namespace

ArrayView view_array(const py::handle& object, const char* name, std::vector<ElementType> allowed) {
  if (object.is_none() || !PyObject_CheckBuffer(object.ptr()))
    throw py::type_error(fmt::format("{}: expected a numpy array of {}, got {}", name, allowed_text(allowed),
                                     std::string(py::str(py::type::of(object).attr("__name__")))));
  ArrayView view{py::reinterpret_borrow<py::buffer>(object).request(), {}, {}, 1, false, false};
  const py::buffer_info& info = view.info;
  bool known = false;
  for (ElementType type : allowed) {
    const bool match = (type == ElementType::float32 && info.itemsize == 4 && format_is(info.format, 'f')) ||
                       (type == ElementType::float16 && info.itemsize == 2 && format_is(info.format, 'e')) ||
                       (type == ElementType::uint8 && info.itemsize == 1 && format_is(info.format, 'B'));
    if (match) {
      view.type = type;
      known = true;
      break;
    }
  }
  if (!known) {
    std::string got = py::hasattr(object, "dtype") ? std::string(py::str(object.attr("dtype")))
                                                   : "buffer format '" + info.format + "'";
    throw py::type_error(fmt::format("{}: dtype must be {}, got {}", name, allowed_text(allowed), got));
  }
  view.shape.assign(info.shape.begin(), info.shape.end());
  for (std::int64_t extent : view.shape) view.elements *= extent;
  // Contiguity from the strides (dimensions of extent 1 may have any stride, as numpy's flags rule).
  std::int64_t expected = info.itemsize;
  view.c_contiguous = true;
  for (std::size_t i = view.shape.size(); i-- > 0;) {
    if (view.shape[i] != 1 && info.strides[i] != expected) view.c_contiguous = false;
    expected *= view.shape[i];
  }
  expected = info.itemsize;
  view.f_contiguous = true;
  for (std::size_t i = 0; i < view.shape.size(); ++i) {
    if (view.shape[i] != 1 && info.strides[i] != expected) view.f_contiguous = false;
    expected *= view.shape[i];
  }
  if (view.elements == 0) view.c_contiguous = view.f_contiguous = true;
  return view;
}

py::array new_array(ElementType type, const std::vector<std::int64_t>& shape) {
  std::vector<py::ssize_t> extents(shape.begin(), shape.end());
  switch (type) {
    case ElementType::float32: return py::array_t<float>(extents);
    case ElementType::float16: return py::array(py::dtype("float16"), extents);
    case ElementType::uint8: return py::array_t<std::uint8_t>(extents);
  }
  return py::array();
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + (shape.size() == 1 ? ",)" : ")");
}

}  // namespace ual::python
