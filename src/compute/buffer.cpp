// Buffer: bytes in one device's memory, with bounds-checked copies to and from the host and between buffers.
#include <fmt/format.h>

#include <vector>

#include "compute/compute_state.hpp"

namespace ual {
namespace {

Error empty_buffer_error() { return make_error(ErrorCode::invalid_argument, "empty buffer handle"); }

Status check_range(const detail::BufferState& buffer, std::uint64_t offset, std::uint64_t bytes, const char* what) {
  if (offset > buffer.bytes || bytes > buffer.bytes - offset)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("{}: bytes [{}, {}) are outside the {}-byte buffer on {}", what, offset,
                                  offset + bytes, buffer.bytes, buffer.device->info.id));
  return ok_status();
}

// Runs a copy entry point under the device lock; completion == nullptr makes it blocking.
template <class Call>
Result<Event> run_copy(const detail::BufferState& buffer, bool asynchronous, const char* what, Call&& call) {
  auto& device = *buffer.device;
  std::lock_guard lock(device.mutex);
  if (device.closed) return device.closed_error();
  ual_error error = detail::new_plugin_error();
  ual_event* event = nullptr;
  ual_status status = call(device, asynchronous ? &event : nullptr, &error);
  if (status != UAL_STATUS_OK) return detail::plugin_error(error, status, fmt::format("{} on {}", what, device.info.id));
  if (event == nullptr) return Event();
  device.live_events.insert(event);
  auto state = std::make_shared<detail::EventState>();
  state->device = buffer.device;
  state->handle = event;
  return Event(std::move(state));
}

}  // namespace

std::uint64_t Buffer::size() const noexcept { return state_ ? state_->bytes : 0; }

ComputeDevice Buffer::device() const { return state_ ? ComputeDevice(state_->device) : ComputeDevice(); }

void* Buffer::host_pointer() const noexcept {
  if (!state_ || !state_->device->info.host_visible_memory) return nullptr;
  std::lock_guard lock(state_->device->mutex);
  if (state_->device->closed) return nullptr;
  auto* get_pointer = state_->device->api().buffer_host_pointer;
  return get_pointer ? get_pointer(state_->device->handle, state_->handle) : nullptr;
}

Result<Event> Buffer::write_async(std::uint64_t offset, std::span<const std::byte> bytes) const {
  if (!state_) return empty_buffer_error();
  if (auto status = check_range(*state_, offset, bytes.size(), "write"); !status) return status.error();
  if (bytes.empty()) return Event();
  return run_copy(*state_, true, "writing to a buffer", [&](detail::DeviceState& device, ual_event** event, ual_error* error) {
    return device.api().copy_host_to_device(device.handle, state_->handle, offset, bytes.data(), bytes.size(), event,
                                            error);
  });
}

Result<Event> Buffer::read_async(std::uint64_t offset, std::span<std::byte> bytes) const {
  if (!state_) return empty_buffer_error();
  if (auto status = check_range(*state_, offset, bytes.size(), "read"); !status) return status.error();
  if (bytes.empty()) return Event();
  return run_copy(*state_, true, "reading a buffer", [&](detail::DeviceState& device, ual_event** event, ual_error* error) {
    return device.api().copy_device_to_host(device.handle, bytes.data(), state_->handle, offset, bytes.size(), event,
                                            error);
  });
}

Status Buffer::write(std::uint64_t offset, std::span<const std::byte> bytes) const {
  if (!state_) return empty_buffer_error();
  if (auto status = check_range(*state_, offset, bytes.size(), "write"); !status) return status.error();
  if (bytes.empty()) return ok_status();
  auto done = run_copy(*state_, false, "writing to a buffer", [&](detail::DeviceState& device, ual_event** event, ual_error* error) {
    return device.api().copy_host_to_device(device.handle, state_->handle, offset, bytes.data(), bytes.size(), event,
                                            error);
  });
  if (!done) return done.error();
  return ok_status();
}

Status Buffer::read(std::uint64_t offset, std::span<std::byte> bytes) const {
  if (!state_) return empty_buffer_error();
  if (auto status = check_range(*state_, offset, bytes.size(), "read"); !status) return status.error();
  if (bytes.empty()) return ok_status();
  auto done = run_copy(*state_, false, "reading a buffer", [&](detail::DeviceState& device, ual_event** event, ual_error* error) {
    return device.api().copy_device_to_host(device.handle, bytes.data(), state_->handle, offset, bytes.size(), event,
                                            error);
  });
  if (!done) return done.error();
  return ok_status();
}

Status Buffer::copy_from(const Buffer& source, std::uint64_t source_offset, std::uint64_t offset,
                         std::uint64_t bytes) const {
  if (!state_ || !source.state_) return empty_buffer_error();
  if (auto status = check_range(*source.state_, source_offset, bytes, "copy source"); !status) return status;
  if (auto status = check_range(*state_, offset, bytes, "copy destination"); !status) return status;
  if (bytes == 0) return ok_status();
  if (source.state_->device == state_->device) {
    auto& device = *state_->device;
    std::lock_guard lock(device.mutex);
    if (device.closed) return device.closed_error();
    ual_error error = detail::new_plugin_error();
    ual_status status = device.api().copy_device_to_device(device.handle, state_->handle, offset,
                                                           source.state_->handle, source_offset, bytes, &error);
    if (status != UAL_STATUS_OK) return detail::plugin_error(error, status, "copy within " + device.info.id);
    return ok_status();
  }
  // Across devices: through host memory (no peer-to-peer path in the ABI yet).
  std::vector<std::byte> staging(bytes);
  if (auto status = source.read(source_offset, staging); !status) return status;
  return write(offset, staging);
}

}  // namespace ual
