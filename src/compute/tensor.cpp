// Tensor: a strided view of a buffer, its copies to other devices and its gather to host memory.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>
#include <limits>
#include <numeric>

#include "compute/compute_state.hpp"

namespace ual {
namespace {

// Row-major strides; saturates instead of wrapping, so that view()'s checks reject a shape too large to address.
std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> strides(shape.size());
  std::int64_t stride = 1;
  for (std::size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    if (__builtin_mul_overflow(stride, std::max<std::int64_t>(shape[i], 1), &stride))
      stride = std::numeric_limits<std::int64_t>::max() / 2;
  }
  return strides;
}

// Bytes from the view's first element to one past its last (0 for an empty view).
std::uint64_t span_bytes(const std::vector<std::int64_t>& shape, const std::vector<std::int64_t>& strides,
                         std::size_t element_size) {
  std::uint64_t last = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return 0;
    last += static_cast<std::uint64_t>(shape[i] - 1) * static_cast<std::uint64_t>(strides[i]);
  }
  return (last + 1) * element_size;
}

}  // namespace

Result<Tensor> Tensor::view(Buffer buffer, DType dtype, std::vector<std::int64_t> shape,
                            std::vector<std::int64_t> strides, std::uint64_t offset_bytes) {
  if (!buffer.state()) return make_error(ErrorCode::invalid_argument, "tensor view of an empty buffer handle");
  if (shape.size() > max_rank)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("tensor rank {} exceeds the maximum of {}", shape.size(), max_rank));
  if (strides.empty()) strides = contiguous_strides(shape);
  if (strides.size() != shape.size())
    return make_error(ErrorCode::invalid_argument, fmt::format("tensor has {} dimensions but {} strides",
                                                               shape.size(), strides.size()));
  // Every product below is checked: the element count, and the offset of the last element in bytes, must stay under
  // 2^56 (far beyond any device's memory), so that no later size or offset computation can wrap.
  constexpr std::uint64_t limit = std::uint64_t{1} << 56;
  std::uint64_t count = 1, last = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0)
      return make_error(ErrorCode::invalid_argument, fmt::format("dimension {} has negative extent {}", i, shape[i]));
    if (strides[i] < 0)
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("dimension {} has invalid stride {} (strides are non-negative)", i, strides[i]));
    std::uint64_t reach = 0;
    if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(shape[i]), &count) || count > limit ||
        (shape[i] > 0 &&
         (__builtin_mul_overflow(static_cast<std::uint64_t>(shape[i] - 1), static_cast<std::uint64_t>(strides[i]),
                                 &reach) ||
          __builtin_add_overflow(last, reach, &last) || last > limit / dtype_size(dtype))))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("tensor shape {} with strides {} addresses more than 2^56 elements or bytes",
                                    fmt::join(shape, "x"), fmt::join(strides, ",")));
  }
  if (offset_bytes % dtype_size(dtype) != 0)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("offset {} is not a multiple of the {}-byte {} element", offset_bytes,
                                  dtype_size(dtype), to_string(dtype)));
  std::uint64_t needed = span_bytes(shape, strides, dtype_size(dtype));
  if (needed > 0 && (offset_bytes > buffer.size() || needed > buffer.size() - offset_bytes))
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("a {} view of {} bytes at offset {} does not fit in a {}-byte buffer",
                                  to_string(dtype), needed, offset_bytes, buffer.size()));
  Tensor tensor;
  tensor.buffer_ = std::move(buffer);
  tensor.dtype_ = dtype;
  tensor.shape_ = std::move(shape);
  tensor.strides_ = std::move(strides);
  tensor.offset_bytes_ = offset_bytes;
  return tensor;
}

std::int64_t Tensor::element_count() const noexcept {
  return std::accumulate(shape_.begin(), shape_.end(), std::int64_t{1}, std::multiplies<>());
}

bool Tensor::is_contiguous() const noexcept {
  if (element_count() == 0) return true;
  std::int64_t expected = 1;
  for (std::size_t i = shape_.size(); i-- > 0;) {
    if (shape_[i] != 1 && strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

Tensor Tensor::with_scale_inv(float scale_inv) const {
  Tensor copy = *this;
  copy.scale_inv_ = scale_inv;
  return copy;
}

Tensor Tensor::transposed() const {
  Tensor copy = *this;
  if (rank() >= 2) {
    std::swap(copy.shape_[rank() - 1], copy.shape_[rank() - 2]);
    std::swap(copy.strides_[rank() - 1], copy.strides_[rank() - 2]);
  }
  return copy;
}

Status Tensor::read(std::span<std::byte> destination) const {
  if (!buffer_.state()) return make_error(ErrorCode::invalid_argument, "read of an empty tensor handle");
  const std::size_t element = dtype_size(dtype_);
  const auto count = static_cast<std::uint64_t>(element_count());
  if (destination.size() != count * element)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("read: destination has {} bytes, the tensor {}", destination.size(), count * element));
  if (count == 0) return ok_status();
  if (is_contiguous()) return buffer_.read(offset_bytes_, destination);
  // Strided: fetch the covered span once, then gather in row-major order.
  std::vector<std::byte> span(span_bytes(shape_, strides_, element));
  if (auto status = buffer_.read(offset_bytes_, span); !status) return status;
  std::vector<std::int64_t> index(rank(), 0);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::int64_t offset = 0;
    for (std::size_t d = 0; d < rank(); ++d) offset += index[d] * strides_[d];
    std::memcpy(destination.data() + i * element, span.data() + offset * element, element);
    for (std::size_t d = rank(); d-- > 0;) {
      if (++index[d] < shape_[d]) break;
      index[d] = 0;
    }
  }
  return ok_status();
}

Result<Tensor> Tensor::to(const ComputeDevice& device) const {
  if (!buffer_.state()) return make_error(ErrorCode::invalid_argument, "copy of an empty tensor handle");
  auto target = device.empty(dtype_, shape_);
  if (!target) return target.error();
  const std::uint64_t bytes = static_cast<std::uint64_t>(element_count()) * dtype_size(dtype_);
  if (is_contiguous() && device == this->device()) {
    if (auto status = target->buffer().copy_from(buffer_, offset_bytes_, 0, bytes); !status) return status.error();
  } else {
    std::vector<std::byte> host(bytes);
    if (auto status = read(host); !status) return status.error();
    if (auto status = target->buffer().write(0, host); !status) return status.error();
  }
  return target->with_scale_inv(scale_inv_);
}

}  // namespace ual
