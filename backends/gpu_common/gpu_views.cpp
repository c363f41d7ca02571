#include "gpu_views.hpp"

#include <cstdarg>
#include <cstdio>

namespace ual::gpu {

ual_status device_fail(const GpuDevice& device, ual_error* error, ual_status code, const char* format, ...) {
  char message[UAL_ERROR_MESSAGE_SIZE];
  va_list arguments;
  va_start(arguments, format);
  std::vsnprintf(message, sizeof message, format, arguments);
  va_end(arguments);
  return ual::plugin::fail(error, code, "%s %s", device.label().c_str(), message);
}

namespace {

// Re-issues a failure written by the device-independent checks with the device's label in front.
ual_status with_device_label(const GpuDevice& device, ual_status code, ual_error* error) {
  if (error == nullptr) return code;
  char message[UAL_ERROR_MESSAGE_SIZE];
  std::snprintf(message, sizeof message, "%s", error->message);
  return device_fail(device, error, code, "%s", message);
}

}  // namespace

ual_status make_view(const GpuDevice& device, const ual_tensor& tensor, const OperandName& name, int rank,
                     std::initializer_list<ual_dtype> allowed, ual_gpu_view& view, ual_error* error) {
  if (ual_status s = ual::plugin::check_tensor_header(tensor, name, rank, allowed, error)) {
    return with_device_label(device, s, error);
  }
  if (ual_status s = ual::plugin::check_tensor_extent(tensor, name, device.size(tensor.buffer), error)) {
    return with_device_label(device, s, error);
  }
  view = ual_gpu_view{};
  view.data = device.address(tensor.buffer) + tensor.offset_bytes;
  for (uint32_t d = 0; d < tensor.rank; ++d) {
    view.shape[d] = tensor.shape[d];
    view.strides[d] = tensor.strides[d];
  }
  view.rank = static_cast<int32_t>(tensor.rank);
  view.dtype = ual::plugin::raw_enum(tensor.dtype);
  view.scale_inv = tensor.scale_inv;
  return UAL_STATUS_OK;
}

ual_status broadcast_to(const GpuDevice& device, const ual_gpu_view& target, ual_gpu_view& operand,
                        bool allow_broadcast, const OperandName& target_name, const OperandName& operand_name,
                        ual_error* error) {
  bool fits = allow_broadcast ? operand.rank <= target.rank : operand.rank == target.rank;
  ual_gpu_view aligned = operand;
  const int lead = target.rank - operand.rank;
  for (int d = 0; fits && d < target.rank; ++d) {
    const int source = d - lead;
    aligned.shape[d] = target.shape[d];
    if (source < 0) {
      aligned.strides[d] = 0;
    } else if (operand.shape[source] == target.shape[d]) {
      aligned.strides[d] = operand.strides[source];
    } else if (allow_broadcast && operand.shape[source] == 1) {
      aligned.strides[d] = 0;
    } else {
      fits = false;
    }
  }
  if (!fits) {
    return device_fail(device, error, UAL_STATUS_INVALID_ARGUMENT, "%s: %s %u (%s) has shape %s but %s %u (%s) has shape %s%s",
                       target_name.op, operand_name.direction, operand_name.index, operand_name.role,
                       ual::plugin::shape_text(operand.shape, static_cast<uint32_t>(operand.rank)).c_str(),
                       target_name.direction, target_name.index, target_name.role,
                       ual::plugin::shape_text(target.shape, static_cast<uint32_t>(target.rank)).c_str(),
                       allow_broadcast ? " (trailing dims must match or be 1)" : "");
  }
  aligned.rank = target.rank;
  operand = aligned;
  return UAL_STATUS_OK;
}

void collapse_dimensions(ual_gpu_view* const* views, int count) {
  if (count == 0) return;
  const int rank = views[0]->rank;
  int kept = 0;  // dims written so far (in place: kept <= d)
  for (int d = 0; d < rank; ++d) {
    const int64_t extent = views[0]->shape[d];
    if (extent == 1 && rank > 1) continue;  // a size-1 dim addresses nothing
    bool merges = kept > 0;
    for (int v = 0; merges && v < count; ++v) {
      merges = views[v]->strides[kept - 1] == views[v]->strides[d] * extent;
    }
    for (int v = 0; v < count; ++v) {
      ual_gpu_view& view = *views[v];
      if (merges) {
        view.shape[kept - 1] *= extent;
        view.strides[kept - 1] = view.strides[d];
      } else {
        view.shape[kept] = extent;
        view.strides[kept] = view.strides[d];
      }
    }
    if (!merges) ++kept;
  }
  if (kept == 0) {  // every dim had size 1: one element
    for (int v = 0; v < count; ++v) {
      views[v]->shape[0] = 1;
      views[v]->strides[0] = 0;
    }
    kept = 1;
  }
  for (int v = 0; v < count; ++v) {
    ual_gpu_view& view = *views[v];
    for (int d = kept; d < UAL_GPU_MAX_RANK; ++d) view.shape[d] = view.strides[d] = 0;
    view.rank = kept;
  }
}

bool flatten_rows(const ual_gpu_view& view, ual_gpu_view& rows) {
  const int last = view.rank - 1;
  int64_t row_count = 1;
  int64_t row_stride = 0;
  int previous = -1;  // the last leading dim with extent > 1
  for (int d = 0; d < last; ++d) {
    row_count *= view.shape[d];
    if (view.shape[d] == 1) continue;
    if (previous >= 0 && view.strides[previous] != view.strides[d] * view.shape[d]) return false;
    previous = d;
    row_stride = view.strides[d];
  }
  rows = view;
  rows.rank = 2;
  rows.shape[0] = row_count;
  rows.strides[0] = row_stride;
  rows.shape[1] = view.shape[last];
  rows.strides[1] = view.strides[last];
  for (int d = 2; d < UAL_GPU_MAX_RANK; ++d) rows.shape[d] = rows.strides[d] = 0;
  return true;
}

ual_gpu_view contiguous_view(ual_dtype dtype, std::initializer_list<int64_t> shape, std::uint64_t address) {
  ual_gpu_view view{};
  view.data = address;
  view.dtype = dtype;
  view.scale_inv = 1.0F;
  view.rank = static_cast<int32_t>(shape.size());
  int64_t stride = 1;
  for (int d = view.rank - 1; d >= 0; --d) {
    view.shape[d] = shape.begin()[d];
    view.strides[d] = stride;
    stride *= view.shape[d];
  }
  return view;
}

ual_gpu_view dense_like(const ual_gpu_view& like, int32_t dtype, std::uint64_t address) {
  ual_gpu_view view = like;
  view.data = address;
  view.dtype = dtype;
  int64_t stride = 1;
  for (int d = view.rank - 1; d >= 0; --d) {
    view.strides[d] = stride;
    stride *= view.shape[d];
  }
  return view;
}

std::int64_t element_count(const ual_gpu_view& view) {
  int64_t count = 1;
  for (int d = 0; d < view.rank; ++d) count *= view.shape[d];
  return count;
}

}  // namespace ual::gpu
