// The public elementwise kernels (elementwise.hpp): argument checks, then the implementation for the chosen ISA.
// Every error is reported before any output is written.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "backends/cpu/kernels/elementwise.hpp"
#include "backends/cpu/kernels/elementwise_impl.hpp"

namespace ual::cpu {
namespace {

bool valid_type(ElementType type) {
  return type == ElementType::f32 || type == ElementType::f16 || type == ElementType::bf16;
}
std::size_t element_size(ElementType type) { return type == ElementType::f32 ? 4 : 2; }

// One operand: its name (for the message), where it is, its type and how many elements it has.
struct Operand {
  std::string_view name;
  const void* data;
  ElementType type;
  std::size_t count;
};

Status check_operand(std::string_view function, const Operand& operand) {
  if (operand.data == nullptr && operand.count == 0) return ok_status();  // absent (beta) or empty: type unused
  if (!valid_type(operand.type)) {
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("cpu::{}: {}.type = {} is not an ElementType", function, operand.name,
                                  static_cast<int>(operand.type)));
  }
  if (operand.data == nullptr && operand.count != 0) {
    return make_error(ErrorCode::invalid_argument, fmt::format("cpu::{}: {}.data is null but it has {} elements",
                                                               function, operand.name, operand.count));
  }
  return ok_status();
}

// An input may be the output itself (same address, same element size) or apart from it; anything in between would
// make the vector kernels read elements they have already overwritten.
Status check_overlap(std::string_view function, const Operand& input, const Operand& output) {
  if (input.count == 0 || output.count == 0) return ok_status();
  const auto in_begin = reinterpret_cast<std::uintptr_t>(input.data);
  const auto out_begin = reinterpret_cast<std::uintptr_t>(output.data);
  const std::uintptr_t in_end = in_begin + input.count * element_size(input.type);
  const std::uintptr_t out_end = out_begin + output.count * element_size(output.type);
  if (in_begin >= out_end || out_begin >= in_end) return ok_status();
  if (in_begin == out_begin && element_size(input.type) == element_size(output.type)) return ok_status();
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("cpu::{}: {} and {} overlap partially (in-place use needs the same address and "
                                "element size)",
                                function, input.name, output.name));
}

Result<std::size_t> checked_elements(std::string_view function, std::size_t rows, std::size_t cols) {
  if (cols != 0 && rows > SIZE_MAX / cols) {
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("cpu::{}: rows x cols = {} x {} overflows", function, rows, cols));
  }
  return rows * cols;
}

Status check_epsilon(std::string_view function, float epsilon) {
  if (std::isnan(epsilon) || epsilon < 0.0f) {
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("cpu::{}: epsilon = {} must be a number >= 0", function, epsilon));
  }
  return ok_status();
}

// Isa::avx512 on a CPU that has it runs the AVX2 kernels: there are no AVX-512 versions yet (none could be tested
// on the development machine), and AVX2 code runs on every AVX-512 CPU.
Result<const detail::ElementwiseKernels*> kernels_for(std::string_view function, Isa isa) {
  if (!fp8::isa_supported(isa)) {
    return make_error(ErrorCode::unavailable,
                      fmt::format("cpu::{}: isa = {} is not supported by this CPU (it has: {})", function,
                                  fp8::to_string(isa), fp8::to_string(fp8::detected_isa())));
  }
  const Isa chosen = isa == Isa::automatic ? fp8::detected_isa() : isa;
  if (chosen == Isa::scalar) return &detail::scalar_elementwise_kernels();
  return &detail::avx2_elementwise_kernels();
}

// The first failed check, in argument order (all of them are cheap and run).
template <class... Checks>
Status first_error(const Checks&... checks) {
  Status result = ok_status();
  ((result.ok() ? (void)(result = checks) : (void)0), ...);
  return result;
}

}  // namespace

Status softmax_rows(ConstView x, MutableView y, std::size_t rows, std::size_t cols, Isa isa) {
  constexpr std::string_view kName = "softmax_rows";
  const auto n = checked_elements(kName, rows, cols);
  if (!n) return n.error();
  const Operand in{"x", x.data, x.type, *n}, out{"y", y.data, y.type, *n};
  if (auto s = first_error(check_operand(kName, in), check_operand(kName, out), check_overlap(kName, in, out)); !s) {
    return s;
  }
  const auto kernels = kernels_for(kName, isa);
  if (!kernels) return kernels.error();
  if (*n != 0) (*kernels)->softmax_rows(x, y, rows, cols);
  return ok_status();
}

Status rms_norm_rows(ConstView x, ConstView gamma, MutableView y, std::size_t rows, std::size_t cols, float epsilon,
                     Isa isa) {
  constexpr std::string_view kName = "rms_norm_rows";
  const auto n = checked_elements(kName, rows, cols);
  if (!n) return n.error();
  const Operand in{"x", x.data, x.type, *n}, g{"gamma", gamma.data, gamma.type, cols}, out{"y", y.data, y.type, *n};
  if (auto s = first_error(check_operand(kName, in), check_operand(kName, g), check_operand(kName, out),
                           check_overlap(kName, in, out), check_epsilon(kName, epsilon));
      !s) {
    return s;
  }
  const auto kernels = kernels_for(kName, isa);
  if (!kernels) return kernels.error();
  if (*n != 0) (*kernels)->rms_norm_rows(x, gamma, y, rows, cols, epsilon);
  return ok_status();
}

Status layer_norm_rows(ConstView x, ConstView gamma, ConstView beta, MutableView y, std::size_t rows,
                       std::size_t cols, float epsilon, Isa isa) {
  constexpr std::string_view kName = "layer_norm_rows";
  const auto n = checked_elements(kName, rows, cols);
  if (!n) return n.error();
  const Operand in{"x", x.data, x.type, *n}, g{"gamma", gamma.data, gamma.type, cols},
      b{"beta", beta.data, beta.type, beta.data == nullptr ? 0 : cols}, out{"y", y.data, y.type, *n};
  if (auto s = first_error(check_operand(kName, in), check_operand(kName, g), check_operand(kName, b),
                           check_operand(kName, out), check_overlap(kName, in, out), check_epsilon(kName, epsilon));
      !s) {
    return s;
  }
  const auto kernels = kernels_for(kName, isa);
  if (!kernels) return kernels.error();
  if (*n != 0) (*kernels)->layer_norm_rows(x, gamma, beta, y, rows, cols, epsilon);
  return ok_status();
}

namespace {

using UnaryFn = void (*)(ConstView, MutableView, std::size_t);
using BinaryFn = void (*)(ConstView, ConstView, MutableView, std::size_t);

Status run_unary(std::string_view name, UnaryFn detail::ElementwiseKernels::*fn, ConstView x, MutableView y,
                 std::size_t count, Isa isa) {
  const Operand in{"x", x.data, x.type, count}, out{"y", y.data, y.type, count};
  if (auto s = first_error(check_operand(name, in), check_operand(name, out), check_overlap(name, in, out)); !s) {
    return s;
  }
  const auto kernels = kernels_for(name, isa);
  if (!kernels) return kernels.error();
  if (count != 0) ((*kernels)->*fn)(x, y, count);
  return ok_status();
}

Status run_binary(std::string_view name, BinaryFn detail::ElementwiseKernels::*fn, ConstView a, ConstView b,
                  MutableView y, std::size_t count, Isa isa) {
  const Operand in_a{"a", a.data, a.type, count}, in_b{"b", b.data, b.type, count}, out{"y", y.data, y.type, count};
  if (auto s = first_error(check_operand(name, in_a), check_operand(name, in_b), check_operand(name, out),
                           check_overlap(name, in_a, out), check_overlap(name, in_b, out));
      !s) {
    return s;
  }
  const auto kernels = kernels_for(name, isa);
  if (!kernels) return kernels.error();
  if (count != 0) ((*kernels)->*fn)(a, b, y, count);
  return ok_status();
}

}  // namespace

Status gelu(ConstView x, MutableView y, std::size_t count, Isa isa) {
  return run_unary("gelu", &detail::ElementwiseKernels::gelu, x, y, count, isa);
}
Status silu(ConstView x, MutableView y, std::size_t count, Isa isa) {
  return run_unary("silu", &detail::ElementwiseKernels::silu, x, y, count, isa);
}
Status add(ConstView a, ConstView b, MutableView y, std::size_t count, Isa isa) {
  return run_binary("add", &detail::ElementwiseKernels::add, a, b, y, count, isa);
}
Status mul(ConstView a, ConstView b, MutableView y, std::size_t count, Isa isa) {
  return run_binary("mul", &detail::ElementwiseKernels::mul, a, b, y, count, isa);
}

}  // namespace ual::cpu
