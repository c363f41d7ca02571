// Checks every compute plugin makes on an ABI tensor before it may reach a kernel: version, rank, shape, dtype, and
// that every element the view addresses lies inside its buffer. Device-independent (the caller supplies the buffer's
// size); shared by the OpenCL plugin (backends/opencl/tensor_view.cpp) and the CUDA/HIP op layer
// (backends/gpu_common/gpu_views.cpp). Header-only like the rest of backends/common: each plugin is its own library.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

#include "plugin_status.hpp"

namespace ual::plugin {

// Raw values (raw_enum): a dtype field may hold a value outside ual_dtype.
inline int dtype_size(int32_t dtype) {
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
  return 0;  // unknown
}

inline const char* dtype_name(int32_t dtype) {
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

inline bool is_fp8(int32_t dtype) {
  return dtype == UAL_DTYPE_FP8_E4M3 || dtype == UAL_DTYPE_FP8_E5M2 || dtype == UAL_DTYPE_FP8_E4M3FNUZ ||
         dtype == UAL_DTYPE_FP8_E5M2FNUZ;
}

inline bool is_float(int32_t dtype) {  // f32, f16, bf16
  return dtype == UAL_DTYPE_F32 || dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16;
}

constexpr std::initializer_list<ual_dtype> kFloatTypes = {UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16};
constexpr std::initializer_list<ual_dtype> kFp8Types = {UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2,
                                                        UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E5M2FNUZ};
constexpr std::initializer_list<ual_dtype> kMatmulInputTypes = {
    UAL_DTYPE_F32, UAL_DTYPE_F16, UAL_DTYPE_BF16, UAL_DTYPE_FP8_E4M3, UAL_DTYPE_FP8_E5M2,
    UAL_DTYPE_FP8_E4M3FNUZ, UAL_DTYPE_FP8_E5M2FNUZ};

// Elements of a shape (product of the first `rank` dims); false on int64 overflow.
inline bool element_count(const int64_t* shape, uint32_t rank, int64_t& count) {
  count = 1;
  for (uint32_t d = 0; d < rank; ++d) {
    if (__builtin_mul_overflow(count, shape[d], &count)) return false;
  }
  return true;
}

// "[2, 3, 4]"
inline std::string shape_text(const int64_t* shape, uint32_t rank) {
  std::string text = "[";
  for (uint32_t d = 0; d < rank; ++d) text += (d > 0 ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

// The operand at `index`, or NULL when the op has fewer or its buffer is NULL (an absent optional operand).
inline const ual_tensor* optional_operand(const ual_tensor* operands, uint32_t count, uint32_t index) {
  if (operands == nullptr || index >= count || operands[index].buffer == nullptr) return nullptr;
  return &operands[index];
}

// What an op says about one operand, for messages: "SOFTMAX input 0 (x)".
struct OperandName {
  const char* op;
  const char* direction;  // "input" / "output"
  uint32_t index;
  const char* role;
};

inline ual_status operand_error(ual_error* error, ual_status code, const OperandName& name, const std::string& what) {
  return fail(error, code, "%s %s %u (%s): %s", name.op, name.direction, name.index, name.role, what.c_str());
}

// abi_version, rank (== `rank`, or 1..UAL_MAX_RANK when rank < 0), non-negative shape, dtype (one of `allowed`: an
// unlisted known dtype is UNSUPPORTED, an unknown one INVALID_ARGUMENT) and a non-NULL buffer.
inline ual_status check_tensor_header(const ual_tensor& tensor, const OperandName& name, int rank,
                                      std::initializer_list<ual_dtype> allowed, ual_error* error) {
  const auto bad = [&](ual_status code, const std::string& what) { return operand_error(error, code, name, what); };
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
  if (dtype_size(dtype) == 0) return bad(UAL_STATUS_INVALID_ARGUMENT, "unknown dtype " + std::to_string(dtype));
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
  return UAL_STATUS_OK;
}

// After check_tensor_header: the offset is element-aligned and every element the view addresses (strides may be
// negative or zero) lies inside a buffer of `buffer_bytes`, with no int64 overflow on the way.
inline ual_status check_tensor_extent(const ual_tensor& tensor, const OperandName& name, uint64_t buffer_bytes,
                                      ual_error* error) {
  const auto bad = [&](const std::string& what) {
    return operand_error(error, UAL_STATUS_INVALID_ARGUMENT, name, what);
  };
  const int element_size = dtype_size(raw_enum(tensor.dtype));
  if (tensor.offset_bytes % static_cast<uint64_t>(element_size) != 0) {
    return bad("offset_bytes " + std::to_string(tensor.offset_bytes) + " is not a multiple of the element size");
  }
  int64_t count = 0;
  if (!element_count(tensor.shape, tensor.rank, count)) return bad("shape overflows");
  if (count == 0) return UAL_STATUS_OK;
  // The lowest and highest element addressed, relative to the offset.
  int64_t low = 0;
  int64_t high = 0;
  for (uint32_t d = 0; d < tensor.rank; ++d) {
    int64_t span = 0;
    if (__builtin_mul_overflow(tensor.shape[d] - 1, tensor.strides[d], &span) ||
        __builtin_add_overflow(span > 0 ? high : low, span, span > 0 ? &high : &low)) {
      return bad("strides overflow");
    }
  }
  const int64_t first_element = static_cast<int64_t>(tensor.offset_bytes / static_cast<uint64_t>(element_size));
  int64_t last_element = 0;
  int64_t last_byte = 0;
  if (tensor.offset_bytes > static_cast<uint64_t>(INT64_MAX) || first_element + low < 0 ||
      __builtin_add_overflow(first_element, high + 1, &last_element) ||
      __builtin_mul_overflow(last_element, static_cast<int64_t>(element_size), &last_byte) ||
      static_cast<uint64_t>(last_byte) > buffer_bytes) {
    return bad("view " + shape_text(tensor.shape, tensor.rank) + " with strides " +
               shape_text(tensor.strides, tensor.rank) + " at offset " + std::to_string(tensor.offset_bytes) +
               " exceeds its " + std::to_string(buffer_bytes) + "-byte buffer");
  }
  return UAL_STATUS_OK;
}

}  // namespace ual::plugin
