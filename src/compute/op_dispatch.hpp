// What every op entry point shares: finding the one device all operands live on, turning Tensors into the ABI's
// ual_tensor views, and handing the op to the device's backend under its lock.
#pragma once

#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "compute/compute_state.hpp"
#include "ual/ops.hpp"

namespace ual::detail {

struct NamedOperand {
  const char* name;      // "A", "x", "gamma": used in error messages
  const Tensor* tensor;  // nullptr = absent (optional operand)
};

// The device every present operand is on; errors name the operand that is empty, on another device, or whose device
// was closed.
Result<std::shared_ptr<DeviceState>> common_device(std::string_view op, std::initializer_list<NamedOperand> operands);

// The tensor as the ABI sees it; shape and strides may be overridden (logical views, broadcasts).
ual_tensor to_abi_tensor(const Tensor& tensor);
ual_tensor to_abi_tensor(const Tensor& tensor, const std::vector<std::int64_t>& shape,
                         const std::vector<std::int64_t>& strides);
ual_tensor absent_tensor();

// Asks the backend whether it supports the op (when it can tell) and runs it.
Status dispatch(DeviceState& device, std::string_view op_name, ual_op_kind kind, const std::vector<ual_tensor>& inputs,
                const std::vector<ual_tensor>& outputs, const void* params);

// "3x4x5"
std::string shape_text(const std::vector<std::int64_t>& shape);

// Errors for the common dtype rules.
bool is_float_dtype(DType dtype);  // f32, f16, bf16
Status check_float(std::string_view op, const char* name, const Tensor& tensor);
Status check_same_shape(std::string_view op, const char* name, const Tensor& tensor, const char* reference_name,
                        const Tensor& reference);
// An output whose elements would be written more than once (a zero stride on a dimension longer than 1): parallel
// backends would race on it. Returns the error naming the operand.
Status check_writable(std::string_view op, const char* name, const Tensor& tensor);

// Two views in one buffer whose byte ranges overlap (exact aliasing included when allow_identical is false).
bool overlaps(const Tensor& first, const Tensor& second, bool allow_identical);

}  // namespace ual::detail
