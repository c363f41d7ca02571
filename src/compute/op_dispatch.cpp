#include "compute/op_dispatch.hpp"

#include <fmt/format.h>

#include <cstring>

namespace ual::detail {

Result<std::shared_ptr<DeviceState>> common_device(std::string_view op, std::initializer_list<NamedOperand> operands) {
  std::shared_ptr<DeviceState> device;
  const char* first_name = nullptr;
  for (const NamedOperand& operand : operands) {
    if (operand.tensor == nullptr) continue;
    const auto& buffer = operand.tensor->buffer().state();
    if (buffer == nullptr)
      return make_error(ErrorCode::invalid_argument, fmt::format("{}: operand {} is an empty tensor handle", op,
                                                                 operand.name));
    if (buffer->device->closed)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{}: operand {} belongs to device {}, which was closed", op, operand.name,
                                    buffer->device->info.id));
    if (device == nullptr) {
      device = buffer->device;
      first_name = operand.name;
    } else if (buffer->device != device) {
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{}: operand {} is on {} but {} is on {}; all operands of an op must be on one "
                                    "device (copy with Tensor::to)",
                                    op, operand.name, buffer->device->info.id, first_name, device->info.id));
    }
  }
  if (device == nullptr) return make_error(ErrorCode::invalid_argument, fmt::format("{}: no operands", op));
  return device;
}

ual_tensor absent_tensor() {
  ual_tensor tensor{};
  tensor.abi_version = UAL_BACKEND_ABI_VERSION;
  tensor.dtype = UAL_DTYPE_F32;
  tensor.scale_inv = 1.0f;
  return tensor;
}

ual_tensor to_abi_tensor(const Tensor& tensor, const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& strides) {
  ual_tensor view = absent_tensor();
  view.dtype = to_abi(tensor.dtype());
  view.rank = static_cast<uint32_t>(shape.size());
  for (std::size_t i = 0; i < shape.size() && i < UAL_MAX_RANK; ++i) {
    view.shape[i] = shape[i];
    view.strides[i] = strides[i];
  }
  view.buffer = tensor.buffer().state()->handle;
  view.offset_bytes = tensor.offset_bytes();
  view.scale_inv = is_fp8(tensor.dtype()) ? tensor.scale_inv() : 1.0f;
  return view;
}

ual_tensor to_abi_tensor(const Tensor& tensor) { return to_abi_tensor(tensor, tensor.shape(), tensor.strides()); }

Status dispatch(DeviceState& device, std::string_view op_name, ual_op_kind kind, const std::vector<ual_tensor>& inputs,
                const std::vector<ual_tensor>& outputs, const void* params) {
  ual_op op{};
  op.abi_version = UAL_BACKEND_ABI_VERSION;
  op.kind = kind;
  op.input_count = static_cast<uint32_t>(inputs.size());
  op.inputs = inputs.data();
  op.output_count = static_cast<uint32_t>(outputs.size());
  op.outputs = outputs.data();
  op.params = params;
  std::lock_guard lock(device.mutex);
  if (device.closed) return device.closed_error();
  const ual_backend_api& api = device.api();
  if (api.supports != nullptr) {
    ual_error why = new_plugin_error();
    if (api.supports(device.handle, &op, &why) == 0) {
      std::string reason(why.message, strnlen(why.message, sizeof why.message));
      if (why.code == UAL_STATUS_INVALID_ARGUMENT)  // the backend finds the op itself wrong, not just unsupported
        return make_error(ErrorCode::invalid_argument, fmt::format("{} on {}: {}", op_name, device.info.id, reason));
      return make_error(ErrorCode::unavailable, fmt::format("{} is not supported on {}{}{}", op_name, device.info.id,
                                                            reason.empty() ? "" : ": ", reason));
    }
  }
  ual_error error = new_plugin_error();
  ual_status status = api.run(device.handle, &op, &error);
  if (status != UAL_STATUS_OK) return plugin_error(error, status, fmt::format("{} on {}", op_name, device.info.id));
  return ok_status();
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  if (shape.empty()) return "scalar";
  std::string text;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) text.push_back('x');
    text.append(std::to_string(shape[i]));
  }
  return text;
}

Status check_writable(std::string_view op, const char* name, const Tensor& tensor) {
  for (std::size_t i = 0; i < tensor.rank(); ++i)
    if (tensor.shape()[i] > 1 && tensor.strides()[i] == 0)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{}: output {} has stride 0 on dimension {} (extent {}): its elements would be "
                                    "written more than once",
                                    op, name, i, tensor.shape()[i]));
  return ok_status();
}

bool is_float_dtype(DType dtype) { return dtype == DType::f32 || dtype == DType::f16 || dtype == DType::bf16; }

Status check_float(std::string_view op, const char* name, const Tensor& tensor) {
  if (is_float_dtype(tensor.dtype())) return ok_status();
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("{}: {} is {}; this op takes f32, f16 or bf16", op, name, to_string(tensor.dtype())));
}

Status check_same_shape(std::string_view op, const char* name, const Tensor& tensor, const char* reference_name,
                        const Tensor& reference) {
  if (tensor.shape() == reference.shape()) return ok_status();
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("{}: {} has shape {} but {} has shape {}", op, name, shape_text(tensor.shape()),
                                reference_name, shape_text(reference.shape())));
}

namespace {
// [first byte, one past the last byte] of a view; empty views cover nothing.
std::pair<std::uint64_t, std::uint64_t> byte_range(const Tensor& tensor) {
  std::uint64_t last = 0;
  for (std::size_t i = 0; i < tensor.rank(); ++i) {
    if (tensor.shape()[i] == 0) return {0, 0};
    last += static_cast<std::uint64_t>(tensor.shape()[i] - 1) * static_cast<std::uint64_t>(tensor.strides()[i]);
  }
  const std::uint64_t element = dtype_size(tensor.dtype());
  return {tensor.offset_bytes(), tensor.offset_bytes() + (last + 1) * element};
}
}  // namespace

bool overlaps(const Tensor& first, const Tensor& second, bool allow_identical) {
  if (first.buffer().state() != second.buffer().state()) return false;
  if (allow_identical && first.shape() == second.shape() && first.strides() == second.strides() &&
      first.offset_bytes() == second.offset_bytes() && first.dtype() == second.dtype())
    return false;
  auto [first_begin, first_end] = byte_range(first);
  auto [second_begin, second_end] = byte_range(second);
  return first_begin < first_end && second_begin < second_end && first_begin < second_end &&
         second_begin < first_end;
}

}  // namespace ual::detail
