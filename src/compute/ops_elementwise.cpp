// The non-GEMM ops: FP8 quantize/dequantize, softmax and norms (row-wise over the last dimension), activations,
// add and mul with NumPy-style broadcasting of the second operand.
#include <fmt/format.h>

#include <cmath>

#include "compute/op_dispatch.hpp"

namespace ual {
namespace {

using detail::NamedOperand;
using detail::shape_text;

ual_norm_params norm_params(float epsilon) {
  ual_norm_params params{};
  params.abi_version = UAL_BACKEND_ABI_VERSION;
  params.epsilon = epsilon;
  return params;
}

Status unary(std::string_view name, ual_op_kind kind, const Tensor& x, const Tensor& y) {
  auto device = detail::common_device(name, {{"x", &x}, {"y", &y}});
  if (!device) return device.error();
  if (auto status = detail::check_float(name, "x", x); !status) return status;
  if (auto status = detail::check_float(name, "y", y); !status) return status;
  if (auto status = detail::check_same_shape(name, "y", y, "x", x); !status) return status;
  if (auto status = detail::check_writable(name, "y", y); !status) return status;
  if (detail::overlaps(x, y, true))
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: y partially overlaps x", name));
  return detail::dispatch(*device.value(), name, kind, {detail::to_abi_tensor(x)}, {detail::to_abi_tensor(y)},
                          nullptr);
}

// b's view broadcast to y's shape (NumPy rules: align trailing dimensions; extent 1 or missing repeats).
Result<ual_tensor> broadcast_view(std::string_view name, const Tensor& b, const Tensor& y) {
  if (b.rank() > y.rank())
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: b has shape {}, which does not broadcast to {}",
                                                               name, shape_text(b.shape()), shape_text(y.shape())));
  std::vector<std::int64_t> strides(y.rank(), 0);
  const std::size_t lead = y.rank() - b.rank();
  for (std::size_t i = 0; i < b.rank(); ++i) {
    if (b.shape()[i] == y.shape()[lead + i]) {
      strides[lead + i] = b.strides()[i];
    } else if (b.shape()[i] != 1) {
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{}: b has shape {}, which does not broadcast to {} (dimension {}: {} vs {})", name,
                                    shape_text(b.shape()), shape_text(y.shape()), i, b.shape()[i], y.shape()[lead + i]));
    }
  }
  return detail::to_abi_tensor(b, y.shape(), strides);
}

Status binary(std::string_view name, ual_op_kind kind, const Tensor& a, const Tensor& b, const Tensor& y) {
  auto device = detail::common_device(name, {{"a", &a}, {"b", &b}, {"y", &y}});
  if (!device) return device.error();
  for (auto [operand, tensor] : {std::pair{"a", &a}, std::pair{"b", &b}, std::pair{"y", &y}})
    if (auto status = detail::check_float(name, operand, *tensor); !status) return status;
  if (auto status = detail::check_same_shape(name, "y", y, "a", a); !status) return status;
  if (auto status = detail::check_writable(name, "y", y); !status) return status;
  auto b_view = broadcast_view(name, b, y);
  if (!b_view) return b_view.error();
  if (detail::overlaps(a, y, true) || detail::overlaps(b, y, b.shape() == y.shape()))
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: y partially overlaps an input", name));
  return detail::dispatch(*device.value(), name, kind, {detail::to_abi_tensor(a), b_view.value()},
                          {detail::to_abi_tensor(y)}, nullptr);
}

Status check_row_parameter(std::string_view name, const char* operand, const Tensor& parameter, const Tensor& x,
                           const Tensor& y) {
  if (auto status = detail::check_float(name, operand, parameter); !status) return status;
  if (detail::overlaps(parameter, y, false))
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: {} overlaps the output y", name, operand));
  const std::int64_t cols = x.shape().back();
  if (parameter.rank() != 1 || parameter.shape()[0] != cols)
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: {} has shape {}; it must be [{}] (x's last dimension)",
                                                               name, operand, shape_text(parameter.shape()), cols));
  return ok_status();
}

Status rowwise(std::string_view name, ual_op_kind kind, const Tensor& x, const Tensor* gamma, const Tensor* beta,
               const Tensor& y, float epsilon) {
  auto device = detail::common_device(name, {{"x", &x}, {"gamma", gamma}, {"beta", beta}, {"y", &y}});
  if (!device) return device.error();
  if (x.rank() == 0)
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: x must have at least one dimension", name));
  if (auto status = detail::check_float(name, "x", x); !status) return status;
  if (auto status = detail::check_float(name, "y", y); !status) return status;
  if (auto status = detail::check_same_shape(name, "y", y, "x", x); !status) return status;
  if (auto status = detail::check_writable(name, "y", y); !status) return status;
  if (detail::overlaps(x, y, true))
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: y partially overlaps x", name));
  std::vector<ual_tensor> inputs{detail::to_abi_tensor(x)};
  if (gamma != nullptr) {
    if (auto status = check_row_parameter(name, "gamma", *gamma, x, y); !status) return status;
    inputs.push_back(detail::to_abi_tensor(*gamma));
  }
  if (kind == UAL_OP_LAYER_NORM) {
    if (beta != nullptr) {
      if (auto status = check_row_parameter(name, "beta", *beta, x, y); !status) return status;
      inputs.push_back(detail::to_abi_tensor(*beta));
    } else {
      inputs.push_back(detail::absent_tensor());
    }
  }
  if (kind != UAL_OP_SOFTMAX && !(epsilon >= 0.0f && std::isfinite(epsilon)))
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: epsilon must be finite and >= 0, not {}", name, epsilon));
  ual_norm_params params = norm_params(epsilon);
  return detail::dispatch(*device.value(), name, kind, inputs, {detail::to_abi_tensor(y)},
                          kind == UAL_OP_SOFTMAX ? nullptr : &params);
}

}  // namespace

const char* to_string(OpKind kind) noexcept {
  static constexpr const char* names[] = {"gemm", "quantize", "dequantize", "softmax", "rms_norm",
                                          "layer_norm", "gelu", "silu", "add", "mul"};
  return names[static_cast<int>(kind)];
}

Status quantize(const Tensor& input, Tensor& output, float scale, const QuantizeOptions& options) {
  auto device = detail::common_device("quantize", {{"input", &input}, {"output", &output}, {"amax", options.amax}});
  if (!device) return device.error();
  if (auto status = detail::check_float("quantize", "input", input); !status) return status;
  if (!is_fp8(output.dtype()))
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("quantize: output is {}; it must be an FP8 dtype", to_string(output.dtype())));
  if (auto status = detail::check_same_shape("quantize", "output", output, "input", input); !status) return status;
  if (std::isnan(scale)) return make_error(ErrorCode::invalid_argument, "quantize: scale is NaN");
  if (options.amax != nullptr && (options.amax->dtype() != DType::f32 || options.amax->element_count() != 1))
    return make_error(ErrorCode::invalid_argument, "quantize: amax must be a one-element f32 tensor");
  if (auto status = detail::check_writable("quantize", "output", output); !status) return status;
  if (detail::overlaps(input, output, false))
    return make_error(ErrorCode::invalid_argument, "quantize: output overlaps input in memory");
  if (options.amax != nullptr && (detail::overlaps(*options.amax, output, false) ||
                                  detail::overlaps(*options.amax, input, false)))
    return make_error(ErrorCode::invalid_argument, "quantize: amax overlaps the input or the output");
  ual_quantize_params params{};
  params.abi_version = UAL_BACKEND_ABI_VERSION;
  params.scale = scale;
  params.saturate = options.saturate ? 1 : 0;
  std::vector<ual_tensor> outputs{detail::to_abi_tensor(output), detail::absent_tensor()};
  if (options.amax != nullptr) outputs[1] = detail::to_abi_tensor(*options.amax, {1}, {1});
  if (auto status = detail::dispatch(*device.value(), "quantize", UAL_OP_QUANTIZE, {detail::to_abi_tensor(input)},
                                     outputs, &params);
      !status)
    return status;
  output = output.with_scale_inv(1.0f / scale);
  return ok_status();
}

Status dequantize(const Tensor& input, const Tensor& output) {
  auto device = detail::common_device("dequantize", {{"input", &input}, {"output", &output}});
  if (!device) return device.error();
  if (!is_fp8(input.dtype()))
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("dequantize: input is {}; it must be an FP8 dtype", to_string(input.dtype())));
  if (auto status = detail::check_float("dequantize", "output", output); !status) return status;
  if (auto status = detail::check_same_shape("dequantize", "output", output, "input", input); !status) return status;
  if (auto status = detail::check_writable("dequantize", "output", output); !status) return status;
  if (detail::overlaps(input, output, false))
    return make_error(ErrorCode::invalid_argument, "dequantize: output overlaps input in memory");
  return detail::dispatch(*device.value(), "dequantize", UAL_OP_DEQUANTIZE, {detail::to_abi_tensor(input)},
                          {detail::to_abi_tensor(output)}, nullptr);
}

Status softmax(const Tensor& x, const Tensor& y) { return rowwise("softmax", UAL_OP_SOFTMAX, x, nullptr, nullptr, y, 0); }

Status rms_norm(const Tensor& x, const Tensor& gamma, const Tensor& y, float epsilon) {
  return rowwise("rms_norm", UAL_OP_RMS_NORM, x, &gamma, nullptr, y, epsilon);
}

Status layer_norm(const Tensor& x, const Tensor& gamma, const Tensor* beta, const Tensor& y, float epsilon) {
  return rowwise("layer_norm", UAL_OP_LAYER_NORM, x, &gamma, beta, y, epsilon);
}

Status gelu(const Tensor& x, const Tensor& y) { return unary("gelu", UAL_OP_GELU, x, y); }
Status silu(const Tensor& x, const Tensor& y) { return unary("silu", UAL_OP_SILU, x, y); }
Status add(const Tensor& a, const Tensor& b, const Tensor& y) { return binary("add", UAL_OP_ADD, a, b, y); }
Status mul(const Tensor& a, const Tensor& b, const Tensor& y) { return binary("mul", UAL_OP_MUL, a, b, y); }

}  // namespace ual
