// Handle tables of the C ABI (see handles.hpp).
#include "capi/handles.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

#include <fmt/format.h>

namespace ual::capi {
namespace {

// One counter for both kinds, so a tensor's number is never a live device's and the other way round.
std::atomic<std::uintptr_t> next_handle{0x1000};

template <class T>
class Table {
 public:
  std::uintptr_t add(std::shared_ptr<T> value) {
    const std::uintptr_t key = next_handle.fetch_add(16);
    std::lock_guard lock(mutex_);
    entries_.emplace(key, std::move(value));
    return key;
  }
  std::shared_ptr<T> find(std::uintptr_t key) const {
    std::lock_guard lock(mutex_);
    auto entry = entries_.find(key);
    return entry == entries_.end() ? nullptr : entry->second;
  }
  bool remove(std::uintptr_t key) {
    std::shared_ptr<T> removed;  // destroyed outside the lock
    std::lock_guard lock(mutex_);
    auto entry = entries_.find(key);
    if (entry == entries_.end()) return false;
    removed = std::move(entry->second);
    entries_.erase(entry);
    return true;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uintptr_t, std::shared_ptr<T>> entries_;
};

// Leaked on purpose: handles may be destroyed from static destructors of the host after ours have run.
Table<DeviceHandle>& devices() {
  static auto* table = new Table<DeviceHandle>();
  return *table;
}
Table<TensorHandle>& tensors() {
  static auto* table = new Table<TensorHandle>();
  return *table;
}

std::uintptr_t key_of(const void* handle) { return reinterpret_cast<std::uintptr_t>(handle); }

ual_status invalid(const char* function, const char* kind, const char* argument, const void* handle) {
  return fail(UAL_ERROR_INVALID_HANDLE,
              fmt::format("{}: argument '{}' is not a live {} handle ({:#x}): it was destroyed, or never created by "
                          "ual",
                          function, argument, kind, key_of(handle)));
}

}  // namespace

ual_device register_device(std::shared_ptr<DeviceHandle> device) {
  return reinterpret_cast<ual_device>(devices().add(std::move(device)));
}

ual_tensor register_tensor(std::shared_ptr<TensorHandle> tensor) {
  return reinterpret_cast<ual_tensor>(tensors().add(std::move(tensor)));
}

std::shared_ptr<DeviceHandle> find_device(ual_device handle, const char* function, const char* argument,
                                          ual_status& status) {
  if (is_null(handle, function, argument, status)) return nullptr;
  auto found = devices().find(key_of(handle));
  if (!found) status = invalid(function, "ual_device", argument, handle);
  return found;
}

std::shared_ptr<TensorHandle> find_tensor(ual_tensor handle, const char* function, const char* argument,
                                          ual_status& status) {
  if (is_null(handle, function, argument, status)) return nullptr;
  auto found = tensors().find(key_of(handle));
  if (!found) status = invalid(function, "ual_tensor", argument, handle);
  return found;
}

bool remove_device(ual_device handle, const char* function, ual_status& status) {
  if (is_null(handle, function, "device", status)) return false;
  if (devices().remove(key_of(handle))) return true;
  status = invalid(function, "ual_device", "device", handle);
  return false;
}

bool remove_tensor(ual_tensor handle, const char* function, ual_status& status) {
  if (is_null(handle, function, "tensor", status)) return false;
  if (tensors().remove(key_of(handle))) return true;
  status = invalid(function, "ual_tensor", "tensor", handle);
  return false;
}

}  // namespace ual::capi
