// The extension module ual._ual. The public API is the package python/ual/, which wraps these functions (JSON text
// becomes dicts there, defaults and docstrings live there too); this module is its C++ half.
#include <string>

#include "binding.hpp"
#include "ual/version.hpp"

PYBIND11_MODULE(_ual, module) {
  module.doc() = "ual's C++ library (libual.so) for the ual Python package; import ual, not ual._ual.";
  module.def("version", [] { return std::string(ual::version()); }, "libual's version, \"MAJOR.MINOR.PATCH\".");
  ual::python::register_errors(module);
  ual::python::register_devices(module);
  ual::python::register_sim(module);
  ual::python::register_compute(module);
  ual::python::register_fp8(module);
}
