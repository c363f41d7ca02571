// ual's error codes as Python exceptions. ual.Error (a RuntimeError) is the base; each ErrorCode has a subclass that
// also derives from the built-in exception a Python caller would expect (invalid_argument and parse_error are
// ValueErrors, not_found a LookupError, io_error an OSError), and every instance carries `code`, the ErrorCode's name.
#include <Python.h>

#include <array>
#include <utility>

#include "binding.hpp"

namespace ual::python {

namespace py = pybind11;

namespace {

struct ExceptionClass {
  ErrorCode code;
  const char* code_name;  // the `code` attribute: the enumerator's name
  const char* name;  // in ual._ual, re-exported by ual
  PyObject* extra_base;
  const char* doc;
  PyObject* type = nullptr;
};

PyObject* base_error = nullptr;
std::array<ExceptionClass, 6> classes = {{
    {ErrorCode::invalid_argument, "invalid_argument", "InvalidArgumentError", PyExc_ValueError,
      "ual rejected an argument."},
    {ErrorCode::not_found, "not_found", "NotFoundError", PyExc_LookupError,
      "A file, library, model or device that is not there."},
    {ErrorCode::io_error, "io_error", "IoError", PyExc_OSError, "The operating system refused or failed a read."},
    {ErrorCode::parse_error, "parse_error", "ParseError", PyExc_ValueError, "Content without the expected format."},
    {ErrorCode::unavailable, "unavailable", "UnavailableError", nullptr,
      "A vendor stack or device that cannot be used here."},
    {ErrorCode::internal, "internal", "InternalError", nullptr, "A broken invariant inside ual (please report it)."},
}};

PyObject* new_class(py::module_& module, const char* name, const char* doc, PyObject* bases) {
  const std::string qualified = std::string("ual.") + name;
  PyObject* type = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (type == nullptr) throw py::error_already_set();
  module.add_object(name, py::reinterpret_borrow<py::object>(type));
  return type;
}

}  // namespace

void register_errors(py::module_& module) {
  base_error = new_class(module, "Error",
                         "Base class of every error ual reports; `code` names the ual::ErrorCode "
                         "(invalid_argument, not_found, io_error, parse_error, unavailable, internal).",
                         PyExc_RuntimeError);
  for (ExceptionClass& entry : classes) {
    py::tuple bases = entry.extra_base ? py::make_tuple(py::handle(base_error), py::handle(entry.extra_base))
                                       : py::make_tuple(py::handle(base_error));
    entry.type = new_class(module, entry.name, entry.doc, bases.ptr());
  }
  py::register_exception_translator([](std::exception_ptr pointer) {
    if (!pointer) return;
    try {
      std::rethrow_exception(pointer);
    } catch (const UalException& exception) {
      PyObject* type = base_error;
      const char* code = "internal";
      for (const ExceptionClass& entry : classes)
        if (entry.code == exception.error.code) {
          type = entry.type;
          code = entry.code_name;
        }
      // Messages may quote paths that are not UTF-8: undecodable bytes become U+FFFD rather than a second error.
      const std::string& text = exception.error.message;
      PyObject* message = PyUnicode_DecodeUTF8(text.data(), static_cast<Py_ssize_t>(text.size()), "replace");
      if (message == nullptr) throw py::error_already_set();
      py::object instance = py::reinterpret_borrow<py::object>(type)(py::reinterpret_steal<py::str>(message));
      instance.attr("code") = code;
      PyErr_SetObject(type, instance.ptr());
    }
  });
}

}  // namespace ual::python
