#include "backends/cpu/gemm_problem.hpp"

#include <cmath>
#include <cstring>
#include <string_view>

#include "backends/cpu/cpu_buffer.hpp"

namespace ual::cpu {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

// The integer a caller stored in a C enum member. Reading an out-of-range value through the enum type is undefined
// behaviour in C++ (UBSan's -fsanitize=enum traps on it), and these values come from across the C ABI.
template <class Enum>
std::int64_t raw_value(const Enum& value) {
  std::int32_t raw = 0;
  static_assert(sizeof(Enum) == sizeof(raw));
  std::memcpy(&raw, &value, sizeof(raw));
  return raw;
}

std::string shape_text(const ual_tensor& tensor) {
  std::string text = "[";
  for (std::uint32_t i = 0; i < tensor.rank && i < UAL_MAX_RANK; ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(tensor.shape[i]);
  }
  return text + "]";
}

// Bytes from element 0 to one past the last element, or an error when the view does not fit its buffer. Extents
// and strides have been checked non-negative; products are checked for overflow because they come from the caller.
Result<std::uint64_t> check_fits_buffer(const ual_tensor& tensor, std::string_view name) {
  std::uint64_t last = 0;  // element offset of the last element
  for (std::uint32_t i = 0; i < tensor.rank; ++i) {
    if (tensor.shape[i] == 0) return std::uint64_t{0};
    std::uint64_t step = 0;
    if (__builtin_mul_overflow(static_cast<std::uint64_t>(tensor.shape[i] - 1),
                               static_cast<std::uint64_t>(tensor.strides[i]), &step) ||
        __builtin_add_overflow(last, step, &last)) {
      return invalid(std::string(name) + ": strides overflow the address space");
    }
  }
  const std::uint64_t element = dtype_size(tensor.dtype);
  std::uint64_t end = 0;
  if (__builtin_add_overflow(last, 1, &end) || __builtin_mul_overflow(end, element, &end) ||
      __builtin_add_overflow(end, tensor.offset_bytes, &end)) {
    return invalid(std::string(name) + ": strides overflow the address space");
  }
  const CpuBuffer* buffer = to_cpu_buffer(tensor.buffer);
  if (buffer->data == nullptr) return invalid(std::string(name) + ": buffer has no memory");
  if (end > buffer->bytes) {
    return invalid(std::string(name) + ": view " + shape_text(tensor) + " at offset " +
                   std::to_string(tensor.offset_bytes) + " needs " + std::to_string(end) +
                   " bytes but the buffer has " +
                   std::to_string(buffer->bytes));
  }
  return end;
}

// Rank, extents, strides and buffer bounds of one present operand.
Result<std::monostate> check_tensor(const ual_tensor& tensor, std::string_view name, std::uint32_t rank) {
  if (tensor.rank != rank) {
    return invalid(std::string(name) + ": rank " + std::to_string(tensor.rank) + ", GEMM needs rank " +
                   std::to_string(rank));
  }
  const std::int64_t dtype = raw_value(tensor.dtype);
  if (dtype < UAL_DTYPE_F32 || dtype > UAL_DTYPE_I32) {
    return invalid(std::string(name) + ": unknown dtype " + std::to_string(dtype));
  }
  for (std::uint32_t i = 0; i < rank; ++i) {
    if (tensor.shape[i] < 0) return invalid(std::string(name) + ": negative extent in shape " + shape_text(tensor));
    if (tensor.strides[i] < 0) {
      return invalid(std::string(name) + ": negative stride " + std::to_string(tensor.strides[i]) + " in dimension " +
                     std::to_string(i) + " (element strides must be >= 0)");
    }
  }
  auto fits = check_fits_buffer(tensor, name);
  if (!fits) return fits.error();
  // Elements are read as their C++ type, which needs natural alignment.
  const auto address = reinterpret_cast<std::uintptr_t>(host_address(tensor));
  if (address % dtype_size(tensor.dtype) != 0) {
    return invalid(std::string(name) + ": offset_bytes " + std::to_string(tensor.offset_bytes) +
                   " leaves element 0 misaligned for " + dtype_name(tensor.dtype));
  }
  return std::monostate{};
}

MatrixView matrix_view(const ual_tensor& tensor) {
  MatrixView view;
  view.dtype = tensor.dtype;
  view.batch = tensor.shape[0];
  view.rows = tensor.shape[1];
  view.cols = tensor.shape[2];
  view.batch_stride = tensor.strides[0];
  view.row_stride = tensor.strides[1];
  view.col_stride = tensor.strides[2];
  view.data = host_address(tensor);
  view.buffer = tensor.buffer;
  view.scale_inv = tensor.scale_inv;
  return view;
}

bool is_float_input(ual_dtype dtype) {
  return dtype == UAL_DTYPE_F32 || dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16 || is_fp8(dtype);
}

bool is_output_float(ual_dtype dtype) {
  return dtype == UAL_DTYPE_F32 || dtype == UAL_DTYPE_F16 || dtype == UAL_DTYPE_BF16;
}

Result<std::monostate> check_dtypes(const GemmProblem& problem) {
  const ual_dtype a = problem.a.dtype;
  const ual_dtype b = problem.b.dtype;
  if (!is_float_input(a)) return invalid(std::string("A: dtype ") + dtype_name(a) + " is not f32, f16, bf16 or FP8");
  if (!is_float_input(b)) return invalid(std::string("B: dtype ") + dtype_name(b) + " is not f32, f16, bf16 or FP8");
  if (is_fp8(a) != is_fp8(b)) {
    return invalid(std::string("A is ") + dtype_name(a) + " but B is " + dtype_name(b) +
                   ": an FP8 GEMM needs both A and B in FP8 formats");
  }
  // Two FP8 formats may differ (E4M3 x E5M2 in backward passes); other inputs must match.
  if (!is_fp8(a) && a != b) {
    return invalid(std::string("A is ") + dtype_name(a) + " but B is " + dtype_name(b) +
                   ": A and B must have the same dtype");
  }
  const ual_dtype d = problem.d.dtype;
  if (!is_output_float(d) && !is_fp8(d)) {
    return invalid(std::string("D: dtype ") + dtype_name(d) + " is not f32, bf16, f16 or FP8");
  }
  if (is_fp8(d) && problem.has_c) return invalid("C: an FP8 D takes no C (its scale would be undefined)");
  if (is_fp8(d) && !(problem.d.scale_inv > 0.0f)) return invalid("D: an FP8 D needs a positive scale_inv");
  if (problem.has_c && problem.c.dtype != d) {
    return invalid(std::string("C is ") + dtype_name(problem.c.dtype) + " but D is " + dtype_name(d) +
                   ": C must have D's dtype");
  }
  if (problem.has_bias && problem.bias.dtype != UAL_DTYPE_F32 && problem.bias.dtype != d) {
    return invalid(std::string("bias: dtype ") + dtype_name(problem.bias.dtype) + " must be f32 or D's dtype (" +
                   dtype_name(d) + ")");
  }
  return std::monostate{};
}

Result<std::monostate> check_shapes(const GemmProblem& problem) {
  const auto mismatch = [](std::string what) { return invalid(std::move(what)); };
  const MatrixView& a = problem.a;
  const MatrixView& b = problem.b;
  const MatrixView& d = problem.d;
  if (b.batch != a.batch) {
    return mismatch("B: batch " + std::to_string(b.batch) + " differs from A's batch " + std::to_string(a.batch));
  }
  if (b.rows != a.cols) {
    return mismatch("B: K = " + std::to_string(b.rows) + " (shape[1]) differs from A's K = " +
                    std::to_string(a.cols) + " (shape[2])");
  }
  if (d.batch != a.batch || d.rows != a.rows || d.cols != b.cols) {
    return mismatch("D: shape [" + std::to_string(d.batch) + ", " + std::to_string(d.rows) + ", " +
                    std::to_string(d.cols) + "] but A x B gives [" + std::to_string(a.batch) + ", " +
                    std::to_string(a.rows) + ", " + std::to_string(b.cols) + "]");
  }
  if (problem.has_c && (problem.c.batch != d.batch || problem.c.rows != d.rows || problem.c.cols != d.cols)) {
    return mismatch("C: shape [" + std::to_string(problem.c.batch) + ", " + std::to_string(problem.c.rows) + ", " +
                    std::to_string(problem.c.cols) + "] differs from D's");
  }
  if (problem.has_bias && problem.bias.size != d.cols) {
    return mismatch("bias: size " + std::to_string(problem.bias.size) + " differs from N = " +
                    std::to_string(d.cols));
  }
  // Two elements of D at one address would be written by two threads: outputs cannot broadcast.
  if ((d.batch > 1 && d.batch_stride == 0) || (d.rows > 1 && d.row_stride == 0) ||
      (d.cols > 1 && d.col_stride == 0)) {
    return mismatch("D: a stride of 0 on a dimension of extent > 1 (outputs cannot broadcast)");
  }
  return std::monostate{};
}

}  // namespace

const char* dtype_name(ual_dtype dtype) noexcept {
  switch (dtype) {
    case UAL_DTYPE_F32: return "f32";
    case UAL_DTYPE_F16: return "f16";
    case UAL_DTYPE_BF16: return "bf16";
    case UAL_DTYPE_FP8_E4M3: return "fp8 e4m3";
    case UAL_DTYPE_FP8_E5M2: return "fp8 e5m2";
    case UAL_DTYPE_FP8_E4M3FNUZ: return "fp8 e4m3fnuz";
    case UAL_DTYPE_FP8_E5M2FNUZ: return "fp8 e5m2fnuz";
    case UAL_DTYPE_I8: return "i8";
    case UAL_DTYPE_I32: return "i32";
  }
  return "unknown";
}

Result<GemmProblem> check_gemm(const ual_op& op) {
  if (raw_value(op.kind) != UAL_OP_GEMM) {
    return invalid("op: kind " + std::to_string(raw_value(op.kind)) + " is not GEMM");
  }
  if (op.input_count < 2 || op.inputs == nullptr) {
    return invalid("op: GEMM needs inputs A and B (input_count " + std::to_string(op.input_count) + ")");
  }
  if (op.input_count > 4) return invalid("op: GEMM takes at most 4 inputs, got " + std::to_string(op.input_count));
  if (op.output_count < 1 || op.outputs == nullptr) return invalid("op: GEMM needs output D");
  if (op.output_count > 2) return invalid("op: GEMM has at most 2 outputs, got " + std::to_string(op.output_count));
  if (op.params == nullptr) return invalid("op: GEMM needs ual_gemm_params (params is NULL)");

  const auto& params = *static_cast<const ual_gemm_params*>(op.params);
  GemmProblem problem;
  problem.alpha = params.alpha;
  problem.beta = params.beta;
  const std::int64_t epilogue = raw_value(params.epilogue);
  if (epilogue != UAL_EPILOGUE_NONE && epilogue != UAL_EPILOGUE_GELU && epilogue != UAL_EPILOGUE_SILU) {
    return invalid("params: unknown epilogue " + std::to_string(epilogue));
  }
  problem.epilogue = params.epilogue;

  struct Operand {
    const ual_tensor* tensor;
    const char* name;
    std::uint32_t rank;
    bool required;
  };
  const Operand operands[] = {
      {&op.inputs[0], "A (inputs[0])", 3, true},
      {&op.inputs[1], "B (inputs[1])", 3, true},
      {op.input_count > 2 ? &op.inputs[2] : nullptr, "C (inputs[2])", 3, false},
      {op.input_count > 3 ? &op.inputs[3] : nullptr, "bias (inputs[3])", 1, false},
      {&op.outputs[0], "D (outputs[0])", 3, true},
      {op.output_count > 1 ? &op.outputs[1] : nullptr, "amax (outputs[1])", 1, false},
  };
  for (const Operand& operand : operands) {
    if (operand.tensor == nullptr || operand.tensor->buffer == nullptr) {
      if (operand.required) return invalid(std::string(operand.name) + ": required operand has no buffer");
      continue;
    }
    auto checked = check_tensor(*operand.tensor, operand.name, operand.rank);
    if (!checked) return checked.error();
  }

  problem.a = matrix_view(op.inputs[0]);
  problem.b = matrix_view(op.inputs[1]);
  problem.d = matrix_view(op.outputs[0]);
  problem.batch = problem.a.batch;
  problem.m = problem.a.rows;
  problem.k = problem.a.cols;
  problem.n = problem.b.cols;
  if (op.input_count > 2 && op.inputs[2].buffer != nullptr) {
    problem.has_c = true;
    problem.c = matrix_view(op.inputs[2]);
  }
  if (op.input_count > 3 && op.inputs[3].buffer != nullptr) {
    const ual_tensor& bias = op.inputs[3];
    problem.has_bias = true;
    problem.bias = VectorView{bias.dtype, bias.shape[0], bias.strides[0], host_address(bias)};
  }
  if (op.output_count > 1 && op.outputs[1].buffer != nullptr) {
    const ual_tensor& amax = op.outputs[1];
    if (amax.dtype != UAL_DTYPE_F32 || amax.shape[0] != 1) {
      return invalid(std::string("amax (outputs[1]): must be [1] f32, got ") + shape_text(amax) + " " +
                     dtype_name(amax.dtype));
    }
    problem.amax = static_cast<float*>(host_address(amax));
  }
  for (const MatrixView* fp8 : {&problem.a, &problem.b}) {
    if (is_fp8(fp8->dtype) && !std::isfinite(fp8->scale_inv)) {
      return invalid(std::string(fp8 == &problem.a ? "A" : "B") + ": scale_inv is not finite");
    }
  }
  auto dtypes = check_dtypes(problem);
  if (!dtypes) return dtypes.error();
  auto shapes = check_shapes(problem);
  if (!shapes) return shapes.error();
  return problem;
}

namespace {
// [first byte, one past the last byte] of a view, for overlap tests.
std::pair<std::uintptr_t, std::uintptr_t> byte_range(const MatrixView& view) {
  const auto begin = reinterpret_cast<std::uintptr_t>(view.data);
  if (view.batch == 0 || view.rows == 0 || view.cols == 0) return {begin, begin};
  const std::int64_t last = (view.batch - 1) * view.batch_stride + (view.rows - 1) * view.row_stride +
                            (view.cols - 1) * view.col_stride;
  return {begin, begin + static_cast<std::uintptr_t>((last + 1) * static_cast<std::int64_t>(dtype_size(view.dtype)))};
}
}  // namespace

bool views_overlap(const MatrixView& first, const MatrixView& second) noexcept {
  const auto [first_begin, first_end] = byte_range(first);
  const auto [second_begin, second_end] = byte_range(second);
  return first_begin < second_end && second_begin < first_end;
}

bool same_view(const MatrixView& first, const MatrixView& second) noexcept {
  const auto same_stride = [](std::int64_t extent, std::int64_t x, std::int64_t y) { return extent <= 1 || x == y; };
  return first.data == second.data && first.dtype == second.dtype && first.batch == second.batch &&
         first.rows == second.rows && first.cols == second.cols &&
         same_stride(first.batch, first.batch_stride, second.batch_stride) &&
         same_stride(first.rows, first.row_stride, second.row_stride) &&
         same_stride(first.cols, first.col_stride, second.col_stride);
}

}  // namespace ual::cpu
