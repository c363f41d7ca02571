// The quantized tensor: input checks, amax, per-tensor quantization and dequantization of every layout, with
// Transformer Engine's arithmetic (github.com/NVIDIA/TransformerEngine):
// - amax: transformer_engine/common/recipe/current_scaling.cu amax_kernel, fmaxf(fabsf(x), max) from max = 0;
// - per-tensor cast: the FP8 cast kernels compute static_cast<fp8>(float(x) * scale) (__NV_SATFINITE) and write
//   scale_inv = reciprocal(scale) (transformer_engine/common/util/vectorized_pointwise.h, cast/fp8/quantize_fp8.cuh);
// - dequantization: float(fp8) * scale_inv (cast/fp8/dequantize_fp8.cuh), float(fp8) * exp2f(e8m0 code)
//   (cast/mxfp8/dequantize_mxfp8.cuh), float(fp8) * tile scale_inv for block scaling.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "ual/fp8_scaling.hpp"
#include "fp8/cuda_fmaxf.hpp"

namespace ual::fp8 {
namespace {

bool is_known(Format format) {
  return format == Format::e4m3 || format == Format::e5m2 || format == Format::e4m3fnuz ||
         format == Format::e5m2fnuz;
}

bool product_overflows(std::size_t a, std::size_t b) {
  return b != 0 && a > std::numeric_limits<std::size_t>::max() / b;
}

std::size_t ceil_div(std::size_t a, std::size_t b) { return a / b + (a % b != 0 ? 1 : 0); }

std::string shape_text(std::size_t rows, std::size_t cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

Error size_error(const char* field, std::size_t got, std::size_t expected, const QuantizedTensor& t) {
  return make_error(ErrorCode::invalid_argument,
                    std::string("QuantizedTensor.") + field + " has " + std::to_string(got) + " entries; a " +
                        shape_text(t.rows, t.cols) + " tensor with layout " + to_string(t.layout) + " needs " +
                        std::to_string(expected));
}

}  // namespace

Status check_input(const InputMatrix& input) {
  if (product_overflows(input.rows, input.cols)) {
    return make_error(ErrorCode::invalid_argument,
                      "input shape " + shape_text(input.rows, input.cols) + " overflows the element count");
  }
  if (input.size() != input.rows * input.cols) {
    return make_error(ErrorCode::invalid_argument, "input has " + std::to_string(input.size()) +
                                                       " values but its shape " +
                                                       shape_text(input.rows, input.cols) + " needs " +
                                                       std::to_string(input.rows * input.cols));
  }
  return ok_status();
}

float tensor_amax(const InputMatrix& input) noexcept {
  float amax = 0.0f;
  const std::size_t n = input.size();
  for (std::size_t i = 0; i < n; ++i) amax = detail::cuda_fmaxf(amax, std::fabs(input.at(i)));  // fmaxf skips NaN
  return amax;
}

const char* to_string(Layout layout) noexcept {
  switch (layout) {
    case Layout::per_tensor: return "per_tensor";
    case Layout::mxfp8_rowwise: return "mxfp8_rowwise";
    case Layout::mxfp8_columnwise: return "mxfp8_columnwise";
    case Layout::block_1x128: return "block_1x128";
    case Layout::block_128x1: return "block_128x1";
    case Layout::block_128x128: return "block_128x128";
  }
  return "unknown";
}

ScaleShape scale_shape(Layout layout, std::size_t rows, std::size_t cols) noexcept {
  switch (layout) {
    case Layout::per_tensor: return {1, 1};
    case Layout::mxfp8_rowwise: return {rows, cols / 32};
    case Layout::mxfp8_columnwise: return {rows / 32, cols};
    case Layout::block_1x128: return {rows, ceil_div(cols, 128)};
    case Layout::block_128x1: return {ceil_div(rows, 128), cols};
    case Layout::block_128x128: return {ceil_div(rows, 128), ceil_div(cols, 128)};
  }
  return {0, 0};
}

Result<QuantizedTensor> quantize_per_tensor(const InputMatrix& input, float scale, Format format) {
  if (auto status = check_input(input); !status.ok()) return status.error();
  if (!is_known(format)) {
    return make_error(ErrorCode::invalid_argument, "format: unknown FP8 format " + std::to_string(int(format)));
  }
  if (!(scale > 0.0f) || std::isinf(scale)) {
    return make_error(ErrorCode::invalid_argument,
                      "scale must be finite and > 0, got " + std::to_string(scale));
  }
  QuantizedTensor out;
  out.format = format;
  out.layout = Layout::per_tensor;
  out.rows = input.rows;
  out.cols = input.cols;
  out.data.resize(input.size());
  float amax = 0.0f;
  for (std::size_t i = 0; i < out.data.size(); ++i) {
    const float x = input.at(i);
    amax = detail::cuda_fmaxf(amax, std::fabs(x));
    out.data[i] = encode(x * scale, format, Overflow::saturate);
  }
  out.amax = amax;
  out.scale_inv.assign(1, 1.0f / scale);  // reciprocal(scale): __frcp_rn, correctly rounded
  return out;
}

Result<std::vector<float>> dequantize(const QuantizedTensor& t) {
  if (!is_known(t.format)) {
    return make_error(ErrorCode::invalid_argument,
                      "QuantizedTensor.format: unknown FP8 format " + std::to_string(int(t.format)));
  }
  if (std::string(to_string(t.layout)) == "unknown") {
    return make_error(ErrorCode::invalid_argument,
                      "QuantizedTensor.layout: unknown layout " + std::to_string(int(t.layout)));
  }
  if (product_overflows(t.rows, t.cols)) {
    return make_error(ErrorCode::invalid_argument,
                      "QuantizedTensor shape " + shape_text(t.rows, t.cols) + " overflows the element count");
  }
  const std::size_t n = t.rows * t.cols;
  if (t.data.size() != n) return size_error("data", t.data.size(), n, t);
  const bool mx = t.layout == Layout::mxfp8_rowwise || t.layout == Layout::mxfp8_columnwise;
  if (mx && (t.rows % 32 != 0 || t.cols % 32 != 0)) {
    return make_error(ErrorCode::invalid_argument, "QuantizedTensor shape " + shape_text(t.rows, t.cols) +
                                                       " is not a multiple of the 32-element MXFP8 block");
  }
  const ScaleShape grid = scale_shape(t.layout, t.rows, t.cols);
  const std::size_t scales = grid.rows * grid.cols;
  if (mx && t.scale_e8m0.size() != scales) return size_error("scale_e8m0", t.scale_e8m0.size(), scales, t);
  if (!mx && t.scale_inv.size() != scales) return size_error("scale_inv", t.scale_inv.size(), scales, t);

  std::vector<float> out(n);
  for (std::size_t r = 0; r < t.rows; ++r) {
    for (std::size_t c = 0; c < t.cols; ++c) {
      float s = 1.0f;
      switch (t.layout) {
        case Layout::per_tensor: s = t.scale_inv[0]; break;
        // ptx::exp2f(code) = 2^(code - 127); 0xFF is NaN (decode_e8m0 is exactly that).
        case Layout::mxfp8_rowwise: s = decode_e8m0(t.scale_e8m0[r * grid.cols + c / 32]); break;
        case Layout::mxfp8_columnwise: s = decode_e8m0(t.scale_e8m0[(r / 32) * grid.cols + c]); break;
        case Layout::block_1x128: s = t.scale_inv[r * grid.cols + c / 128]; break;
        case Layout::block_128x1: s = t.scale_inv[(r / 128) * grid.cols + c]; break;
        case Layout::block_128x128: s = t.scale_inv[(r / 128) * grid.cols + c / 128]; break;
      }
      const std::size_t i = r * t.cols + c;
      out[i] = decode(t.data[i], t.format) * s;
    }
  }
  return out;
}

}  // namespace ual::fp8
