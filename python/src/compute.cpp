// ual.gemm on numpy arrays and the compute devices behind it. Inputs are read straight from the arrays' memory
// (buffer protocol, no intermediate copy) into the device's buffers; on a device whose memory is host memory (the CPU
// backend) the result array is a view of the output buffer itself, so nothing is copied on the way back.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "arrays.hpp"
#include "binding.hpp"
#include "ual/backends.hpp"
#include "ual/ops.hpp"
#include "ual/selector.hpp"

namespace ual::python {

namespace py = pybind11;

namespace {

DType dtype_of(ElementType type) { return type == ElementType::float16 ? DType::f16 : DType::f32; }

Selection select_device(const OpShape& op, const std::string& policy_name) {
  SelectorOptions options;
  options.policy = take(parse_policy(policy_name));
  // No measurement on a library call: the backends' reported peaks (or conservative defaults) and the calibration
  // cache that `ual devices`/`ual bench` leave behind.
  options.calibrate = false;
  const Selector selector = take(Selector::create(default_backends().devices(), options));
  return take(selector.select(op));
}

ComputeDevice resolve_device(const std::string& device, const OpShape& op, const std::string& policy) {
  if (device == "auto") return select_device(op, policy).device;
  return take(default_backends().device(device));
}

// The operand as a row-major matrix: a C-contiguous array as it is; a Fortran-contiguous one (a transposed view,
// a.T) as the row-major matrix it is the transpose of, with the transpose flag flipped, so a.T costs no copy.
struct Operand {
  ArrayView view;
  std::int64_t rows = 0, cols = 0;  // of the stored row-major matrix
  bool transposed = false;          // op(operand) = stored^T
};

Operand operand(const py::handle& object, const char* name, bool transpose) {
  Operand result{view_array(object, name, {ElementType::float32, ElementType::float16})};
  const ArrayView& view = result.view;
  if (view.shape.size() != 2)
    throw py::value_error(fmt::format("{}: expected a 2-D matrix, got {} dimension(s) with shape {}", name,
                                      view.shape.size(), shape_text(view.shape)));
  if (view.c_contiguous) {
    result.rows = view.shape[0];
    result.cols = view.shape[1];
    result.transposed = transpose;
  } else if (view.f_contiguous) {
    result.rows = view.shape[1];
    result.cols = view.shape[0];
    result.transposed = !transpose;
  } else {
    throw py::value_error(fmt::format("{}: the array is not contiguous (shape {}, strides ({}, {}) bytes); pass "
                                      "numpy.ascontiguousarray({}) to copy it",
                                      name, shape_text(view.shape), view.info.strides[0], view.info.strides[1], name));
  }
  return result;
}

py::array gemm(const py::handle& a_object, const py::handle& b_object, const std::string& device_id, bool transpose_a,
               bool transpose_b, double alpha, const std::string& policy) {
  Operand a = operand(a_object, "a", transpose_a);
  Operand b = operand(b_object, "b", transpose_b);
  if (a.view.type != b.view.type)
    throw py::type_error(fmt::format("a and b must have the same dtype, got {} and {}", numpy_name(a.view.type),
                                     numpy_name(b.view.type)));
  // op(A) is [M, K] and op(B) is [K, N].
  const std::int64_t m = a.transposed ? a.cols : a.rows, k = a.transposed ? a.rows : a.cols;
  const std::int64_t k_b = b.transposed ? b.cols : b.rows, n = b.transposed ? b.rows : b.cols;
  if (k != k_b)
    throw py::value_error(fmt::format("inner dimensions differ: op(a) is {}x{} and op(b) is {}x{} (a has shape {}, "
                                      "b has shape {}, transpose_a={}, transpose_b={})",
                                      m, k, k_b, n, shape_text(a.view.shape), shape_text(b.view.shape),
                                      transpose_a ? "True" : "False", transpose_b ? "True" : "False"));
  const ElementType type = a.view.type;
  if (m == 0 || n == 0 || k == 0) {  // numpy's answer: an empty product, or zeros when K = 0
    py::array result = new_array(type, {m, n});
    if (result.size() > 0) std::memset(result.mutable_data(), 0, static_cast<std::size_t>(result.nbytes()));
    return result;
  }
  const DType dtype = dtype_of(type);
  std::shared_ptr<Tensor> d;
  {
    py::gil_scoped_release release;
    const ComputeDevice device = resolve_device(device_id, OpShape::gemm(m, n, k, dtype), policy);
    const std::size_t size = dtype_size(dtype);
    auto upload = [&](const Operand& operand) {
      const auto bytes = static_cast<std::size_t>(operand.view.elements) * size;
      return take(device.upload(std::span(static_cast<const std::byte*>(operand.view.data()), bytes), dtype,
                                {operand.rows, operand.cols}));
    };
    const Tensor ta = upload(a), tb = upload(b);
    d = std::make_shared<Tensor>(take(device.empty(dtype, {m, n})));
    GemmOptions options;
    options.transpose_a = a.transposed;
    options.transpose_b = b.transposed;
    options.alpha = static_cast<float>(alpha);
    check(ual::gemm(ta, tb, *d, options));
    check(device.synchronize());
  }
  if (void* host = d->buffer().host_pointer()) {
    // Zero-copy: a numpy view of the output buffer, which the capsule keeps alive (and with it the backend).
    auto* owner = new std::shared_ptr<Tensor>(d);
    py::capsule base(owner, [](void* pointer) { delete static_cast<std::shared_ptr<Tensor>*>(pointer); });
    void* data = static_cast<std::byte*>(host) + d->offset_bytes();
    if (type == ElementType::float16) return py::array(py::dtype("float16"), {m, n}, {}, data, base);
    return py::array_t<float>({m, n}, {}, static_cast<float*>(data), base);
  }
  py::array result = new_array(type, {m, n});
  std::span<std::byte> destination(static_cast<std::byte*>(result.mutable_data()),
                                   static_cast<std::size_t>(result.nbytes()));
  {
    py::gil_scoped_release release;
    check(d->read(destination));
  }
  return result;
}

py::dict device_info(const ComputeDeviceInfo& info) {
  py::dict entry;
  entry["id"] = info.id;
  entry["backend"] = info.backend;
  entry["name"] = info.name;
  entry["kind"] = to_string(info.kind);
  entry["hardware"] = info.hardware;
  entry["memory_bytes"] = info.memory_bytes;
  entry["host_visible_memory"] = info.host_visible_memory;
  return entry;
}

}  // namespace

void register_compute(py::module_& module) {
  module.def("gemm", &gemm, py::arg("a"), py::arg("b"), py::arg("device"), py::arg("transpose_a"),
             py::arg("transpose_b"), py::arg("alpha"), py::arg("policy"),
             "op(a) @ op(b) * alpha on a compute device (ual.gemm documents it).");
  module.def(
      "compute_devices",
      [] {
        py::list devices;
        for (const ComputeDevice& device : default_backends().devices()) devices.append(device_info(device.info()));
        return devices;
      },
      "The compute devices of this process's backends (ual.compute_devices documents it).");
  module.def(
      "select_gemm_device",
      [](std::int64_t m, std::int64_t n, std::int64_t k, const std::string& dtype, const std::string& policy) {
        const DType type = dtype == "float16" ? DType::f16 : DType::f32;
        Selection selection;
        {
          py::gil_scoped_release release;
          selection = select_device(OpShape::gemm(m, n, k, type), policy);
        }
        py::dict result = device_info(selection.device.info());
        result["reason"] = selection.reason;
        return result;
      },
      py::arg("m"), py::arg("n"), py::arg("k"), py::arg("dtype"), py::arg("policy"),
      "The device ual.gemm(device='auto') picks for an m x n x k GEMM under a policy, and why.");
}

}  // namespace ual::python
