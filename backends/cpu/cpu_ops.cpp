// The CPU backend's non-GEMM ops: FP8 quantize/dequantize (ual::fp8's kernels), row-wise norms and softmax, and
// elementwise activations and arithmetic (kernels/elementwise.hpp). The kernels take contiguous rows; strided views
// are gathered into contiguous scratch and scattered back, and a bias-style operand (broadcast over rows) is used in
// place. Work is split over OpenMP's threads in blocks large enough to amortise the fork.

#include <algorithm>
#include <cstring>
#include <span>
#include <vector>

#include "backends/cpu/cpu_backend.hpp"
#include "backends/cpu/cpu_buffer.hpp"
#include "backends/cpu/kernels/elementwise.hpp"
#include "ual/fp8_kernels.hpp"

namespace ual::cpu {
namespace {

constexpr std::int64_t parallel_block_elements = 1 << 15;

bool element_type(ual_dtype dtype, ElementType& type) {
  switch (dtype) {
    case UAL_DTYPE_F32: type = ElementType::f32; return true;
    case UAL_DTYPE_F16: type = ElementType::f16; return true;
    case UAL_DTYPE_BF16: type = ElementType::bf16; return true;
    default: return false;
  }
}

std::int64_t element_count(const ual_tensor& tensor) {
  std::int64_t count = 1;
  for (uint32_t i = 0; i < tensor.rank; ++i) count *= tensor.shape[i];
  return count;
}

bool is_contiguous(const ual_tensor& tensor) {
  std::int64_t expected = 1;
  for (uint32_t i = tensor.rank; i-- > 0;) {
    if (tensor.shape[i] != 1 && tensor.strides[i] != expected) return false;
    expected *= tensor.shape[i];
  }
  return true;
}

// Calls visit(element_offset, linear_index) for every element in row-major order.
template <class Visit>
void for_each_element(const ual_tensor& tensor, Visit&& visit) {
  const std::int64_t count = element_count(tensor);
  std::int64_t index[UAL_MAX_RANK] = {};
  for (std::int64_t linear = 0; linear < count; ++linear) {
    std::int64_t offset = 0;
    for (uint32_t d = 0; d < tensor.rank; ++d) offset += index[d] * tensor.strides[d];
    visit(offset, linear);
    for (uint32_t d = tensor.rank; d-- > 0;) {
      if (++index[d] < tensor.shape[d]) break;
      index[d] = 0;
    }
  }
}

// A contiguous view of a tensor's elements: the tensor itself when it is contiguous, else a gathered copy.
struct Contiguous {
  std::vector<std::byte> storage;
  std::byte* data = nullptr;
};

Contiguous contiguous_input(const ual_tensor& tensor) {
  Contiguous result;
  auto* base = static_cast<std::byte*>(host_address(tensor));
  if (is_contiguous(tensor)) {
    result.data = base;
    return result;
  }
  const std::size_t size = dtype_size(tensor.dtype);
  result.storage.resize(static_cast<std::size_t>(element_count(tensor)) * size);
  for_each_element(tensor, [&](std::int64_t offset, std::int64_t linear) {
    std::memcpy(result.storage.data() + linear * size, base + offset * size, size);
  });
  result.data = result.storage.data();
  return result;
}

// Scratch for a non-contiguous output; finish() scatters it into place.
struct ContiguousOutput {
  const ual_tensor& tensor;
  Contiguous space;
  explicit ContiguousOutput(const ual_tensor& output) : tensor(output) {
    if (is_contiguous(output)) {
      space.data = static_cast<std::byte*>(host_address(output));
    } else {
      space.storage.resize(static_cast<std::size_t>(element_count(output)) * dtype_size(output.dtype));
      space.data = space.storage.data();
    }
  }
  void finish() {
    if (space.storage.empty()) return;
    auto* base = static_cast<std::byte*>(host_address(tensor));
    const std::size_t size = dtype_size(tensor.dtype);
    for_each_element(tensor, [&](std::int64_t offset, std::int64_t linear) {
      std::memcpy(base + offset * size, space.storage.data() + linear * size, size);
    });
  }
};

ual_status from_status(const Status& status, ual_error* error) {
  if (status) return UAL_STATUS_OK;
  return fail(error, status.error().code == ErrorCode::unavailable ? UAL_STATUS_UNAVAILABLE
                                                                   : UAL_STATUS_INVALID_ARGUMENT,
              "%s", status.error().message.c_str());
}

// Runs body(begin, end) over [0, count) in blocks across OpenMP threads; returns the first failure.
template <class Body>
Status parallel_blocks(std::int64_t count, std::int64_t block, Body&& body) {
  const std::int64_t blocks = (count + block - 1) / block;
  if (blocks <= 1) return body(std::int64_t{0}, count);
  std::vector<Status> results(static_cast<std::size_t>(blocks), ok_status());
#pragma omp parallel for schedule(static)
  for (std::int64_t b = 0; b < blocks; ++b)
    results[static_cast<std::size_t>(b)] = body(b * block, std::min(count, (b + 1) * block));
  for (auto& result : results)
    if (!result) return result;
  return ok_status();
}

std::size_t type_size(ElementType type) { return type == ElementType::f32 ? 4 : 2; }

ual_status check_float_operands(const ual_op& op, ual_error* error) {
  ElementType type;
  for (uint32_t i = 0; i < op.input_count; ++i)
    if (op.inputs[i].buffer != nullptr && !element_type(op.inputs[i].dtype, type))
      return fail(error, UAL_STATUS_UNSUPPORTED, "input %u: the CPU backend runs this op on f32, f16 and bf16 only", i);
  for (uint32_t i = 0; i < op.output_count; ++i)
    if (op.outputs[i].buffer != nullptr && !element_type(op.outputs[i].dtype, type))
      return fail(error, UAL_STATUS_UNSUPPORTED, "output %u: the CPU backend runs this op on f32, f16 and bf16 only",
                  i);
  return UAL_STATUS_OK;
}

}  // namespace

ual_status run_quantize(const ual_op& op, ual_error* error) {
  if (op.input_count < 1 || op.output_count < 1 || op.params == nullptr)
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "quantize needs an input, an output and parameters");
  const auto& params = *static_cast<const ual_quantize_params*>(op.params);
  const ual_tensor& input = op.inputs[0];
  const ual_tensor& output = op.outputs[0];
  if (!is_fp8(output.dtype)) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "quantize: output must be an FP8 dtype");
  const auto count = static_cast<std::size_t>(element_count(input));
  Contiguous source = contiguous_input(input);
  ContiguousOutput destination(output);
  fp8::KernelOptions options;
  options.overflow = params.saturate ? fp8::Overflow::saturate : fp8::Overflow::nonfinite;
  std::span<std::uint8_t> bytes(reinterpret_cast<std::uint8_t*>(destination.space.data), count);
  Result<float> amax = make_error(ErrorCode::invalid_argument, "quantize: input must be f32, f16 or bf16");
  switch (input.dtype) {
    case UAL_DTYPE_F32:
      amax = fp8::quantize(std::span(reinterpret_cast<const float*>(source.data), count), params.scale,
                           fp8_format(output.dtype), bytes, options);
      break;
    case UAL_DTYPE_BF16:
      amax = fp8::quantize(std::span(reinterpret_cast<const fp8::bfloat16*>(source.data), count), params.scale,
                           fp8_format(output.dtype), bytes, options);
      break;
    case UAL_DTYPE_F16:
      amax = fp8::quantize(std::span(reinterpret_cast<const fp8::float16*>(source.data), count), params.scale,
                           fp8_format(output.dtype), bytes, options);
      break;
    default: break;
  }
  if (!amax) return from_status(amax.error(), error);
  destination.finish();
  if (op.output_count > 1 && op.outputs[1].buffer != nullptr)
    *static_cast<float*>(host_address(op.outputs[1])) = amax.value();
  return UAL_STATUS_OK;
}

ual_status run_dequantize(const ual_op& op, ual_error* error) {
  if (op.input_count < 1 || op.output_count < 1)
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "dequantize needs an input and an output");
  const ual_tensor& input = op.inputs[0];
  const ual_tensor& output = op.outputs[0];
  if (!is_fp8(input.dtype)) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "dequantize: input must be an FP8 dtype");
  const auto count = static_cast<std::size_t>(element_count(input));
  Contiguous source = contiguous_input(input);
  ContiguousOutput destination(output);
  std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(source.data), count);
  const fp8::Format format = fp8_format(input.dtype);
  Status status = ok_status();
  if (output.dtype == UAL_DTYPE_F32) {
    status = fp8::dequantize(bytes, input.scale_inv, format,
                             std::span(reinterpret_cast<float*>(destination.space.data), count));
  } else if (output.dtype == UAL_DTYPE_BF16) {
    status = fp8::dequantize(bytes, input.scale_inv, format,
                             std::span(reinterpret_cast<fp8::bfloat16*>(destination.space.data), count));
  } else if (output.dtype == UAL_DTYPE_F16) {
    std::vector<float> widened(count);
    status = fp8::dequantize(bytes, input.scale_inv, format, std::span(widened));
    auto* half = reinterpret_cast<fp8::float16*>(destination.space.data);
    for (std::size_t i = 0; i < count; ++i) half[i] = fp8::to_float16(widened[i]);
  } else {
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "dequantize: output must be f32, f16 or bf16");
  }
  if (!status) return from_status(status, error);
  destination.finish();
  return UAL_STATUS_OK;
}

ual_status run_rowwise(const ual_op& op, ual_error* error) {
  const bool needs_gamma = op.kind != UAL_OP_SOFTMAX;
  if (op.input_count < (needs_gamma ? 2u : 1u) || op.output_count < 1)
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "row-wise op: missing operands");
  if (needs_gamma && op.params == nullptr) return fail(error, UAL_STATUS_INVALID_ARGUMENT, "norm: missing parameters");
  if (ual_status status = check_float_operands(op, error); status != UAL_STATUS_OK) return status;
  const ual_tensor& x = op.inputs[0];
  const std::int64_t cols = x.rank == 0 ? 1 : x.shape[x.rank - 1];
  const std::int64_t rows = cols == 0 ? 0 : element_count(x) / cols;
  if (rows == 0 || cols == 0) return UAL_STATUS_OK;
  ElementType x_type, y_type, gamma_type = ElementType::f32, beta_type = ElementType::f32;
  element_type(x.dtype, x_type);
  element_type(op.outputs[0].dtype, y_type);
  Contiguous input = contiguous_input(x);
  ContiguousOutput output(op.outputs[0]);
  Contiguous gamma, beta;
  if (needs_gamma) {
    element_type(op.inputs[1].dtype, gamma_type);
    gamma = contiguous_input(op.inputs[1]);
  }
  const bool has_beta = op.kind == UAL_OP_LAYER_NORM && op.input_count > 2 && op.inputs[2].buffer != nullptr;
  if (has_beta) {
    element_type(op.inputs[2].dtype, beta_type);
    beta = contiguous_input(op.inputs[2]);
  }
  const float epsilon = needs_gamma ? static_cast<const ual_norm_params*>(op.params)->epsilon : 0.0f;
  const std::int64_t block_rows = std::max<std::int64_t>(1, parallel_block_elements / cols);
  Status status = parallel_blocks(rows, block_rows, [&](std::int64_t begin, std::int64_t end) -> Status {
    ConstView in{input.data + begin * cols * type_size(x_type), x_type};
    MutableView out{output.space.data + begin * cols * type_size(y_type), y_type};
    const auto count = static_cast<std::size_t>(end - begin);
    const auto width = static_cast<std::size_t>(cols);
    switch (op.kind) {
      case UAL_OP_SOFTMAX: return softmax_rows(in, out, count, width);
      case UAL_OP_RMS_NORM: return rms_norm_rows(in, {gamma.data, gamma_type}, out, count, width, epsilon);
      default:
        return layer_norm_rows(in, {gamma.data, gamma_type}, {has_beta ? beta.data : nullptr, beta_type}, out, count,
                               width, epsilon);
    }
  });
  if (!status) return from_status(status, error);
  output.finish();
  return UAL_STATUS_OK;
}

ual_status run_elementwise(const ual_op& op, ual_error* error) {
  const bool binary = op.kind == UAL_OP_ADD || op.kind == UAL_OP_MUL;
  if (op.input_count < (binary ? 2u : 1u) || op.output_count < 1)
    return fail(error, UAL_STATUS_INVALID_ARGUMENT, "elementwise op: missing operands");
  if (ual_status status = check_float_operands(op, error); status != UAL_STATUS_OK) return status;
  const ual_tensor& y = op.outputs[0];
  const std::int64_t count = element_count(y);
  if (count == 0) return UAL_STATUS_OK;
  ElementType y_type, a_type, b_type = ElementType::f32;
  element_type(y.dtype, y_type);
  element_type(op.inputs[0].dtype, a_type);
  Contiguous a = contiguous_input(op.inputs[0]);
  ContiguousOutput output(y);
  Status status = ok_status();
  if (!binary) {
    status = parallel_blocks(count, parallel_block_elements, [&](std::int64_t begin, std::int64_t end) -> Status {
      ConstView in{a.data + begin * type_size(a_type), a_type};
      MutableView out{output.space.data + begin * type_size(y_type), y_type};
      const auto n = static_cast<std::size_t>(end - begin);
      return op.kind == UAL_OP_GELU ? gelu(in, out, n) : silu(in, out, n);
    });
  } else {
    const ual_tensor& b_tensor = op.inputs[1];
    element_type(b_tensor.dtype, b_type);
    auto apply = [&](ConstView left, ConstView right, MutableView out, std::size_t n) {
      return op.kind == UAL_OP_ADD ? add(left, right, out, n) : mul(left, right, out, n);
    };
    // A bias-style b (unit stride on the last dimension, zero strides elsewhere) is used in place, row by row.
    const std::int64_t cols = y.rank == 0 ? 1 : y.shape[y.rank - 1];
    bool row_broadcast = y.rank >= 2 && b_tensor.strides[y.rank - 1] == 1;
    for (uint32_t d = 0; row_broadcast && d + 1 < y.rank; ++d) row_broadcast = b_tensor.strides[d] == 0;
    if (row_broadcast) {
      const auto* b_data = static_cast<const std::byte*>(host_address(b_tensor));
      const std::int64_t rows = count / cols;
      status = parallel_blocks(rows, std::max<std::int64_t>(1, parallel_block_elements / cols),
                               [&](std::int64_t begin, std::int64_t end) -> Status {
                                 for (std::int64_t r = begin; r < end; ++r) {
                                   auto s = apply({a.data + r * cols * type_size(a_type), a_type}, {b_data, b_type},
                                                  {output.space.data + r * cols * type_size(y_type), y_type},
                                                  static_cast<std::size_t>(cols));
                                   if (!s) return s;
                                 }
                                 return ok_status();
                               });
    } else {
      Contiguous b = contiguous_input(b_tensor);
      status = parallel_blocks(count, parallel_block_elements, [&](std::int64_t begin, std::int64_t end) -> Status {
        return apply({a.data + begin * type_size(a_type), a_type}, {b.data + begin * type_size(b_type), b_type},
                     {output.space.data + begin * type_size(y_type), y_type}, static_cast<std::size_t>(end - begin));
      });
    }
  }
  if (!status) return from_status(status, error);
  output.finish();
  return UAL_STATUS_OK;
}

int32_t supports_op(const ual_op& op, ual_error* why) {
  switch (op.kind) {
    case UAL_OP_QUANTIZE:
      if (op.input_count < 1 || op.output_count < 1 || !is_fp8(op.outputs[0].dtype)) {
        fail(why, UAL_STATUS_UNSUPPORTED, "quantize needs an FP8 output");
        return 0;
      }
      return 1;
    case UAL_OP_DEQUANTIZE:
      if (op.input_count < 1 || !is_fp8(op.inputs[0].dtype)) {
        fail(why, UAL_STATUS_UNSUPPORTED, "dequantize needs an FP8 input");
        return 0;
      }
      return 1;
    case UAL_OP_SOFTMAX:
    case UAL_OP_RMS_NORM:
    case UAL_OP_LAYER_NORM:
    case UAL_OP_GELU:
    case UAL_OP_SILU:
    case UAL_OP_ADD:
    case UAL_OP_MUL: return check_float_operands(op, why) == UAL_STATUS_OK ? 1 : 0;
    default: fail(why, UAL_STATUS_UNSUPPORTED, "unknown op kind %d", static_cast<int>(op.kind)); return 0;
  }
}

}  // namespace ual::cpu
