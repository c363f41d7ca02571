#include "tensor_view.hpp"

#include <string>

#include "plugin_error.hpp"

namespace ual::opencl {

using ual::plugin::shape_text;

ual_status check_tensor(const ual_device* device, const ual_tensor& tensor, const OperandName& name, int rank,
                        std::initializer_list<ual_dtype> allowed, TensorDesc& desc, ual_error* error) {
  if (ual_status s = ual::plugin::check_tensor_header(tensor, name, rank, allowed, error)) return s;
  if (tensor.buffer->device != device) {
    return ual::plugin::operand_error(error, UAL_STATUS_INVALID_ARGUMENT, name, "buffer belongs to another device");
  }
  if (ual_status s = ual::plugin::check_tensor_extent(tensor, name, tensor.buffer->bytes, error)) return s;
  desc = TensorDesc{};
  for (uint32_t d = 0; d < tensor.rank; ++d) {
    desc.shape[d] = tensor.shape[d];
    desc.strides[d] = tensor.strides[d];
  }
  desc.offset_bytes = static_cast<cl_long>(tensor.offset_bytes);
  desc.rank = static_cast<cl_int>(tensor.rank);
  desc.dtype = tensor.dtype;
  desc.scale_inv = tensor.scale_inv;
  desc.present = 1;
  return UAL_STATUS_OK;
}

ual_status check_same_shape(const TensorDesc& a, TensorDesc& b, bool broadcast_ok, const OperandName& a_name,
                            const OperandName& b_name, ual_error* error) {
  bool same = a.rank == b.rank;
  for (int d = 0; same && d < a.rank; ++d) {
    if (b.shape[d] == a.shape[d]) continue;
    if (broadcast_ok && b.shape[d] == 1) {
      b.shape[d] = a.shape[d];
      b.strides[d] = 0;
      continue;
    }
    same = false;
  }
  if (!same) {
    int64_t a_shape[UAL_MAX_RANK];
    int64_t b_shape[UAL_MAX_RANK];
    for (int d = 0; d < UAL_MAX_RANK; ++d) {
      a_shape[d] = a.shape[d];
      b_shape[d] = b.shape[d];
    }
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s %u (%s) has shape %s but %s %u (%s) has shape %s%s",
                a_name.op, b_name.direction, b_name.index, b_name.role,
                shape_text(b_shape, static_cast<uint32_t>(b.rank)).c_str(), a_name.direction, a_name.index,
                a_name.role, shape_text(a_shape, static_cast<uint32_t>(a.rank)).c_str(),
                broadcast_ok ? " (dims must match or be 1)" : "");
  }
  return UAL_STATUS_OK;
}

}  // namespace ual::opencl
