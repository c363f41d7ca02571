#include "tensor_view.hpp"

#include <string>

#include "plugin_error.hpp"

namespace ual::opencl {
namespace {

std::string shape_text(const int64_t* shape, uint32_t rank) {
  std::string text = "[";
  for (uint32_t d = 0; d < rank; ++d) text += (d > 0 ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

}  // namespace

int dtype_size(int32_t dtype) {
  switch (dtype) {
    case UAL_DTYPE_F32:
    case UAL_DTYPE_I32: return 4;
    case UAL_DTYPE_F16:
    case UAL_DTYPE_BF16: return 2;
    case UAL_DTYPE_FP8_E4M3:
    case UAL_DTYPE_FP8_E5M2:
    case UAL_DTYPE_FP8_E4M3FNUZ:
    case UAL_DTYPE_FP8_E5M2FNUZ:
    case UAL_DTYPE_I8: return 1;
  }
  return 0;
}

const char* dtype_name(int32_t dtype) {
  switch (dtype) {
    case UAL_DTYPE_F32: return "f32";
    case UAL_DTYPE_F16: return "f16";
    case UAL_DTYPE_BF16: return "bf16";
    case UAL_DTYPE_FP8_E4M3: return "e4m3";
    case UAL_DTYPE_FP8_E5M2: return "e5m2";
    case UAL_DTYPE_FP8_E4M3FNUZ: return "e4m3fnuz";
    case UAL_DTYPE_FP8_E5M2FNUZ: return "e5m2fnuz";
    case UAL_DTYPE_I8: return "i8";
    case UAL_DTYPE_I32: return "i32";
  }
  return "unknown";
}

bool is_fp8(ual_dtype dtype) {
  return dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2 || dtype == UAL_DTYPE_FP8_E4M3FNUZ ||
         dtype == UAL_DTYPE_FP8_E5M2FNUZ;
}

bool is_float(ual_dtype dtype) {
  return dtype == UAL_DTYPE_F32 || dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16;
}

bool element_count(const int64_t* shape, uint32_t rank, int64_t& count) {
  count = 1;
  for (uint32_t d = 0; d < rank; ++d) {
    if (__builtin_mul_overflow(count, shape[d], &count)) return false;
  }
  return true;
}

const ual_tensor* optional_operand(const ual_tensor* operands, uint32_t count, uint32_t index) {
  if (operands == nullptr || index >= count || operands[index].buffer == nullptr) return nullptr;
  return &operands[index];
}

ual_status check_tensor(const ual_device* device, const ual_tensor& tensor, const OperandName& name, int rank,
                        std::initializer_list<ual_dtype> allowed, TensorDesc& desc, ual_error* error) {
  const auto bad = [&](ual_status code, const std::string& what) {
    return fail(error, code, "%s %s %u (%s): %s", name.op, name.direction, name.index, name.role, what.c_str());
  };
  if (tensor.abi_version == 0) return bad(UAL_STATUS_INVALID_ARGUMENT, "abi_version is 0");
  if (tensor.rank > UAL_MAX_RANK) {
    return bad(UAL_STATUS_INVALID_ARGUMENT, "rank " + std::to_string(tensor.rank) + " exceeds UAL_MAX_RANK");
  }
  if (rank >= 0 && tensor.rank != static_cast<uint32_t>(rank)) {
    return bad(UAL_STATUS_INVALID_ARGUMENT,
               "must have rank " + std::to_string(rank) + ", got " + std::to_string(tensor.rank));
  }
  if (rank < 0 && tensor.rank == 0) return bad(UAL_STATUS_INVALID_ARGUMENT, "must have rank >= 1, got 0");
  for (uint32_t d = 0; d < tensor.rank; ++d) {
    if (tensor.shape[d] < 0) {
      return bad(UAL_STATUS_INVALID_ARGUMENT, "negative dimension in shape " + shape_text(tensor.shape, tensor.rank));
    }
  }
  const int32_t dtype = raw_enum(tensor.dtype);
  const int element_size = dtype_size(dtype);
  if (element_size == 0) {
    return bad(UAL_STATUS_INVALID_ARGUMENT, "unknown dtype " + std::to_string(dtype));
  }
  bool dtype_ok = false;
  std::string expected;
  for (ual_dtype candidate : allowed) {
    dtype_ok = dtype_ok || candidate == dtype;
    expected += std::string(expected.empty() ? "" : "/") + dtype_name(candidate);
  }
  if (!dtype_ok) {
    return bad(UAL_STATUS_UNSUPPORTED,
               std::string("dtype ") + dtype_name(dtype) + " is not supported here (expected " + expected + ")");
  }
  if (tensor.buffer == nullptr) return bad(UAL_STATUS_INVALID_ARGUMENT, "buffer is NULL");
  if (tensor.buffer->device != device) return bad(UAL_STATUS_INVALID_ARGUMENT, "buffer belongs to another device");
  if (tensor.offset_bytes % static_cast<uint64_t>(element_size) != 0) {
    return bad(UAL_STATUS_INVALID_ARGUMENT, "offset_bytes " + std::to_string(tensor.offset_bytes) +
                                                " is not a multiple of the element size");
  }
  int64_t count = 0;
  if (!element_count(tensor.shape, tensor.rank, count)) return bad(UAL_STATUS_INVALID_ARGUMENT, "shape overflows");
  if (count > 0) {
    // The lowest and highest element addressed, relative to the offset (strides may be negative or zero).
    int64_t low = 0;
    int64_t high = 0;
    for (uint32_t d = 0; d < tensor.rank; ++d) {
      int64_t span = 0;
      if (__builtin_mul_overflow(tensor.shape[d] - 1, tensor.strides[d], &span) ||
          __builtin_add_overflow(span > 0 ? high : low, span, span > 0 ? &high : &low)) {
        return bad(UAL_STATUS_INVALID_ARGUMENT, "strides overflow");
      }
    }
    const int64_t first_element = static_cast<int64_t>(tensor.offset_bytes / static_cast<uint64_t>(element_size));
    int64_t last_element = 0;
    int64_t last_byte = 0;
    if (tensor.offset_bytes > static_cast<uint64_t>(INT64_MAX) || first_element + low < 0 ||
        __builtin_add_overflow(first_element, high + 1, &last_element) ||
        __builtin_mul_overflow(last_element, static_cast<int64_t>(element_size), &last_byte) ||
        static_cast<uint64_t>(last_byte) > tensor.buffer->bytes) {
      return bad(UAL_STATUS_INVALID_ARGUMENT, "view " + shape_text(tensor.shape, tensor.rank) + " with strides " +
                                                  shape_text(tensor.strides, tensor.rank) + " at offset " +
                                                  std::to_string(tensor.offset_bytes) + " exceeds its " +
                                                  std::to_string(tensor.buffer->bytes) + "-byte buffer");
    }
  }
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
