// The shared state behind ComputeDevice, Buffer and Event handles, and the conversions between ual's C++ types and
// the plugin ABI's C structs. Ownership runs buffer -> device -> loaded backend -> plugin library, so a plugin stays
// mapped while anything it made is alive.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "core/dynamic_library.hpp"
#include "ual/backend_abi.h"
#include "ual/result.hpp"
#include "ual/tensor.hpp"

namespace ual::detail {

struct PluginHost {
  std::string cache_directory;
  ual_host host{};
};

struct LoadedBackend {
  DynamicLibrary library;  // declared first: destroyed last, after shutdown has run
  std::shared_ptr<PluginHost> host;
  const ual_backend_api* api = nullptr;
  std::string path;  // "" for built-in
  ~LoadedBackend();
};

struct DeviceState {
  std::shared_ptr<LoadedBackend> backend;
  ual_device* handle = nullptr;
  ComputeDeviceInfo info;
  std::mutex mutex;  // serialises calls into the plugin for this device (the ABI's one in-order queue)
  std::atomic<bool> closed = false;  // written under mutex; read without it for quick checks
  std::unordered_set<ual_buffer*> live_buffers;
  std::unordered_set<ual_event*> live_events;

  const ual_backend_api& api() const { return *backend->api; }
  // The error for using this device after close().
  Error closed_error() const;
  void close();
  ~DeviceState() { close(); }
};

struct BufferState {
  std::shared_ptr<DeviceState> device;
  ual_buffer* handle = nullptr;
  std::uint64_t bytes = 0;
  ~BufferState();
};

struct EventState {
  std::shared_ptr<DeviceState> device;
  ual_event* handle = nullptr;
  ~EventState();
};

// A plugin's ual_error as ual's Error, prefixed with what was being done and on which device.
Error plugin_error(const ual_error& error, ual_status status, std::string_view context);
ual_error new_plugin_error();
ErrorCode error_code_from_status(ual_status status);

ual_dtype to_abi(DType dtype);
ual_device_kind to_abi(DeviceKind kind);

}  // namespace ual::detail
