// ComputeDevice, Buffer and Event: thin handles over a plugin's device, buffers and events (compute_state.hpp).
#include <fmt/format.h>

#include <cstring>

#include "compute/compute_state.hpp"

namespace ual {
namespace detail {

LoadedBackend::~LoadedBackend() {
  if (api != nullptr && api->shutdown != nullptr) api->shutdown(api->backend);
}

Error DeviceState::closed_error() const {
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("device {} was closed; its buffers and tensors can no longer be used", info.id));
}

void DeviceState::close() {
  std::lock_guard lock(mutex);
  if (closed) return;
  closed = true;
  if (backend == nullptr || handle == nullptr) return;
  // Queued work and copies into host memory finish before anything they use is released.
  ual_error ignored = new_plugin_error();
  api().synchronize(handle, &ignored);
  for (ual_event* event : live_events) api().event_free(handle, event);
  live_events.clear();
  for (ual_buffer* buffer : live_buffers) api().buffer_free(handle, buffer);
  live_buffers.clear();
  api().device_close(handle);
  handle = nullptr;
}

BufferState::~BufferState() {
  if (device == nullptr || handle == nullptr) return;
  std::lock_guard lock(device->mutex);
  if (device->closed) return;  // close() already freed it
  device->live_buffers.erase(handle);
  device->api().buffer_free(device->handle, handle);
}

EventState::~EventState() {
  if (device == nullptr || handle == nullptr) return;
  std::lock_guard lock(device->mutex);
  if (device->closed) return;  // close() already freed it
  device->live_events.erase(handle);
  device->api().event_free(device->handle, handle);
}

ual_error new_plugin_error() {
  ual_error error{};
  error.abi_version = UAL_BACKEND_ABI_VERSION;
  return error;
}

ErrorCode error_code_from_status(ual_status status) {
  switch (status) {
    case UAL_STATUS_INVALID_ARGUMENT: return ErrorCode::invalid_argument;
    case UAL_STATUS_UNSUPPORTED:
    case UAL_STATUS_UNAVAILABLE: return ErrorCode::unavailable;
    case UAL_STATUS_OUT_OF_MEMORY:
    case UAL_STATUS_DEVICE_ERROR: return ErrorCode::io_error;
    default: return ErrorCode::internal;
  }
}

Error plugin_error(const ual_error& error, ual_status status, std::string_view context) {
  std::string message(error.message, strnlen(error.message, sizeof error.message));
  if (message.empty()) message = fmt::format("the backend returned status {} without a message", status);
  return make_error(error_code_from_status(status), fmt::format("{}: {}", context, message));
}

}  // namespace detail

namespace {

const ComputeDeviceInfo& no_device_info() {
  static const ComputeDeviceInfo info = [] {
    ComputeDeviceInfo value;
    value.id = "<no device>";
    return value;
  }();
  return info;
}

Error no_device_error() { return make_error(ErrorCode::invalid_argument, "no compute device (empty handle)"); }

}  // namespace

const ComputeDeviceInfo& ComputeDevice::info() const { return state_ ? state_->info : no_device_info(); }

bool ComputeDevice::is_open() const noexcept { return state_ != nullptr && !state_->closed; }

Result<Buffer> ComputeDevice::allocate(std::uint64_t bytes) const {
  if (!state_) return no_device_error();
  std::lock_guard lock(state_->mutex);
  if (state_->closed) return state_->closed_error();
  ual_error error = detail::new_plugin_error();
  ual_buffer* handle = nullptr;
  ual_status status = state_->api().buffer_allocate(state_->handle, bytes, &handle, &error);
  if (status != UAL_STATUS_OK)
    return detail::plugin_error(error, status, fmt::format("allocating {} bytes on {}", bytes, state_->info.id));
  if (handle == nullptr && bytes != 0)
    return make_error(ErrorCode::internal, fmt::format("{} returned no buffer for {} bytes", state_->info.id, bytes));
  if (handle != nullptr) state_->live_buffers.insert(handle);
  auto buffer = std::make_shared<detail::BufferState>();
  buffer->device = state_;
  buffer->handle = handle;
  buffer->bytes = bytes;
  return Buffer(std::move(buffer));
}

Result<Tensor> ComputeDevice::empty(DType dtype, std::vector<std::int64_t> shape) const {
  std::uint64_t count = 1;
  for (std::int64_t extent : shape) {
    if (extent < 0) return make_error(ErrorCode::invalid_argument, "empty: negative dimension in shape");
    if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(extent), &count) || count > (std::uint64_t{1} << 56))
      return make_error(ErrorCode::invalid_argument, "empty: shape too large");
  }
  auto buffer = allocate(count * dtype_size(dtype));
  if (!buffer) return buffer.error();
  return Tensor::view(std::move(buffer.value()), dtype, std::move(shape));
}

Result<Tensor> ComputeDevice::upload(std::span<const std::byte> bytes, DType dtype,
                                     std::vector<std::int64_t> shape) const {
  auto tensor = empty(dtype, std::move(shape));
  if (!tensor) return tensor.error();
  std::uint64_t expected = static_cast<std::uint64_t>(tensor->element_count()) * dtype_size(dtype);
  if (bytes.size() != expected)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("upload: {} bytes of host data for a {} tensor of {} elements ({} bytes)",
                                  bytes.size(), to_string(dtype), tensor->element_count(), expected));
  if (auto status = tensor->buffer().write(0, bytes); !status) return status.error();
  return tensor;
}

Status ComputeDevice::synchronize() const {
  if (!state_) return no_device_error();
  std::lock_guard lock(state_->mutex);
  if (state_->closed) return state_->closed_error();
  ual_error error = detail::new_plugin_error();
  ual_status status = state_->api().synchronize(state_->handle, &error);
  if (status != UAL_STATUS_OK) return detail::plugin_error(error, status, "synchronizing " + state_->info.id);
  return ok_status();
}

void ComputeDevice::close() {
  if (state_) state_->close();
}

Status Event::wait() {
  if (!state_) return ok_status();
  auto state = std::move(state_);
  std::lock_guard lock(state->device->mutex);
  if (state->device->closed) return state->device->closed_error();
  ual_error error = detail::new_plugin_error();
  ual_status status = state->device->api().event_wait(state->device->handle, state->handle, &error);
  if (status != UAL_STATUS_OK) return detail::plugin_error(error, status, "waiting for a copy");
  return ok_status();
}

}  // namespace ual
