// The C ABI's handle registry: ual_device and ual_tensor values are numbers, never pointers, looked up in a
// process-wide table. Numbers are never reused, so a destroyed handle used again is always UAL_ERROR_INVALID_HANDLE
// with a message, never a use-after-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "capi/boundary.hpp"
#include "ual/tensor.hpp"

namespace ual::capi {

struct DeviceHandle {
  ComputeDevice device;
  std::string id;
};

struct TensorHandle {
  Tensor tensor;
};

ual_device register_device(std::shared_ptr<DeviceHandle> device);
ual_tensor register_tensor(std::shared_ptr<TensorHandle> tensor);

// nullptr (and the status set) when the handle is NULL, destroyed or unknown; `argument` names it in the message.
std::shared_ptr<DeviceHandle> find_device(ual_device handle, const char* function, const char* argument,
                                          ual_status& status);
std::shared_ptr<TensorHandle> find_tensor(ual_tensor handle, const char* function, const char* argument,
                                          ual_status& status);

// False (and the status set) when the handle is not live.
bool remove_device(ual_device handle, const char* function, ual_status& status);
bool remove_tensor(ual_tensor handle, const char* function, ual_status& status);

}  // namespace ual::capi
