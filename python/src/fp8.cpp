// ual.fp8.quantize / dequantize on numpy arrays with the bulk kernels of ual/fp8_kernels.hpp, which read the input
// array's memory and write the output array's memory directly (no copy either way). A scale left to ual is
// Transformer Engine's current scaling: scale = fp8_max / amax / 2^margin from this tensor's own amax.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include <cfloat>
#include <cmath>
#include <optional>
#include <span>
#include <string>

#include "arrays.hpp"
#include "binding.hpp"
#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"

namespace ual::python {

namespace py = pybind11;

namespace {

fp8::Format format_argument(const std::string& name) {
  auto format = fp8::parse_format(name);
  if (!format)
    throw py::value_error(fmt::format("format: unknown FP8 format '{}' (e4m3, e5m2, e4m3fnuz, e5m2fnuz)", name));
  return *format;
}

void require_contiguous(const ArrayView& view, const char* name) {
  if (!view.c_contiguous)
    throw py::value_error(fmt::format("{}: the array is not C-contiguous (shape {}); pass "
                                      "numpy.ascontiguousarray({}) to copy it",
                                      name, shape_text(view.shape), name));
}

// Largest |x| ignoring NaN, from 0 (Transformer Engine's reduction, fmaxf/fabsf).
template <class T, class Convert>
float amax_of(std::span<const T> values, Convert convert) {
  float amax = 0;
  for (const T& value : values) amax = std::fmax(amax, std::fabs(convert(value)));
  return amax;
}

// Transformer Engine's compute_scale_from_amax: fp8_max / amax / 2^margin where amax is positive and finite, else
// 1; a quotient that overflows float (a subnormal amax) becomes FLT_MAX.
float scale_from_amax(float amax, fp8::Format format, double margin) {
  if (!(amax > 0) || !std::isfinite(amax)) return 1.0f;
  const float scale = static_cast<float>(static_cast<double>(fp8::format_info(format).max) / amax / std::exp2(margin));
  return std::isfinite(scale) ? scale : FLT_MAX;
}

py::tuple quantize(const py::handle& object, std::optional<double> scale_argument, const std::string& format_name,
                   bool saturate, double margin) {
  const fp8::Format format = format_argument(format_name);
  const ArrayView x = view_array(object, "x", {ElementType::float32, ElementType::float16});
  require_contiguous(x, "x");
  if (scale_argument && std::isnan(*scale_argument)) throw py::value_error("scale: NaN is not a scale");
  if (std::isnan(margin)) throw py::value_error("margin: NaN");
  py::array output = new_array(ElementType::uint8, x.shape);
  const auto count = static_cast<std::size_t>(x.elements);
  std::span<std::uint8_t> out(static_cast<std::uint8_t*>(output.mutable_data()), count);
  fp8::KernelOptions options;
  options.overflow = saturate ? fp8::Overflow::saturate : fp8::Overflow::nonfinite;
  float scale = 0, amax = 0;
  {
    py::gil_scoped_release release;
    if (x.type == ElementType::float32) {
      std::span<const float> in(static_cast<const float*>(x.data()), count);
      scale = scale_argument ? static_cast<float>(*scale_argument)
                             : scale_from_amax(amax_of(in, [](float v) { return v; }), format, margin);
      amax = take(fp8::quantize(in, scale, format, out, options));
    } else {
      std::span<const fp8::float16> in(static_cast<const fp8::float16*>(x.data()), count);
      scale = scale_argument ? static_cast<float>(*scale_argument)
                             : scale_from_amax(amax_of(in, [](fp8::float16 v) { return fp8::to_float(v); }), format,
                                               margin);
      amax = take(fp8::quantize(in, scale, format, out, options));
    }
  }
  const float scale_inv = 1.0f / scale;
  return py::make_tuple(output, static_cast<double>(scale_inv), static_cast<double>(amax));
}

py::array dequantize(const py::handle& object, double scale_inv, const std::string& format_name) {
  const fp8::Format format = format_argument(format_name);
  const ArrayView q = view_array(object, "q", {ElementType::uint8});
  require_contiguous(q, "q");
  if (std::isnan(scale_inv)) throw py::value_error("scale_inv: NaN is not a scale");
  py::array output = new_array(ElementType::float32, q.shape);
  const auto count = static_cast<std::size_t>(q.elements);
  {
    py::gil_scoped_release release;
    check(fp8::dequantize(std::span(static_cast<const std::uint8_t*>(q.data()), count), static_cast<float>(scale_inv),
                          format, std::span(static_cast<float*>(output.mutable_data()), count)));
  }
  return output;
}

}  // namespace

void register_fp8(py::module_& module) {
  module.def("fp8_quantize", &quantize, py::arg("x"), py::arg("scale"), py::arg("format"), py::arg("saturate"),
             py::arg("margin"), "(uint8 codes, scale_inv, amax) of x (ual.fp8.quantize documents it).");
  module.def("fp8_dequantize", &dequantize, py::arg("q"), py::arg("scale_inv"), py::arg("format"),
             "float32 values of FP8 codes times scale_inv (ual.fp8.dequantize documents it).");
  module.def(
      "fp8_format_info",
      [](const std::string& name) {
        const fp8::FormatInfo& info = fp8::format_info(format_argument(name));
        py::dict entry;
        entry["name"] = info.name;
        entry["exponent_bits"] = info.exponent_bits;
        entry["mantissa_bits"] = info.mantissa_bits;
        entry["exponent_bias"] = info.exponent_bias;
        entry["max"] = info.max;
        entry["min_normal"] = info.min_normal;
        entry["min_subnormal"] = info.min_subnormal;
        entry["has_infinity"] = info.has_infinity;
        entry["has_negative_zero"] = info.has_negative_zero;
        entry["positive_nan"] = info.positive_nan;
        return entry;
      },
      py::arg("format"), "The facts of an FP8 format (ual.fp8.format_info documents it).");
}

}  // namespace ual::python
