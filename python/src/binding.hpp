// Shared by the binding's files: how a ual::Error becomes a Python exception, and the registration function of each
// file (one per concept: errors, devices and plans, the simulator, compute and FP8).
#pragma once
#include <pybind11/pybind11.h>

#include <string>
#include <utility>

#include "ual/result.hpp"

namespace ual::python {

// Thrown inside the binding for an error ual returned; the translator in errors.cpp raises the ual.Error subclass of
// its code (ual.InvalidArgumentError, ual.NotFoundError, ...) with the message and a `code` attribute.
struct UalException {
  Error error;
};

[[noreturn]] inline void raise(Error error) { throw UalException{std::move(error)}; }

// The value of a Result, or the Python exception of its error.
template <class T>
T take(Result<T> result) {
  if (!result) raise(result.error());
  return std::move(result).value();
}
inline void check(const Status& status) {
  if (!status) raise(status.error());
}

void register_errors(pybind11::module_& module);    // errors.cpp
void register_devices(pybind11::module_& module);   // devices.cpp: devices, plan, FastFlowLM, planner constants
void register_sim(pybind11::module_& module);       // sim.cpp
void register_compute(pybind11::module_& module);   // compute.cpp: gemm and the compute devices
void register_fp8(pybind11::module_& module);       // fp8.cpp

}  // namespace ual::python
