// Private interface between the elementwise kernels' front end (elementwise_dispatch.cpp: argument checks, ISA
// choice) and their per-ISA implementations (elementwise_scalar.cpp, elementwise_avx2.cpp).
//
// The ISA files are compiled with -mavx2 etc.; anything they define with external linkage could be picked by the
// linker for the whole program (an out-of-line inline function or template instantiation in COMDAT), so each
// exports only its accessor below and keeps everything else in an anonymous namespace.
#pragma once

#include <cstddef>

#include "backends/cpu/kernels/elementwise.hpp"

namespace ual::cpu::detail {

// Arguments are already checked: pointers are non-null where a size needs them, types are valid, x and y alias
// exactly or not at all. Semantics as in elementwise.hpp.
struct ElementwiseKernels {
  const char* name = "";
  void (*softmax_rows)(ConstView x, MutableView y, std::size_t rows, std::size_t cols) = nullptr;
  void (*rms_norm_rows)(ConstView x, ConstView gamma, MutableView y, std::size_t rows, std::size_t cols,
                        float epsilon) = nullptr;
  void (*layer_norm_rows)(ConstView x, ConstView gamma, ConstView beta, MutableView y, std::size_t rows,
                          std::size_t cols, float epsilon) = nullptr;
  void (*gelu)(ConstView x, MutableView y, std::size_t count) = nullptr;
  void (*silu)(ConstView x, MutableView y, std::size_t count) = nullptr;
  void (*add)(ConstView a, ConstView b, MutableView y, std::size_t count) = nullptr;
  void (*mul)(ConstView a, ConstView b, MutableView y, std::size_t count) = nullptr;
  // y[i] = e^x[i] with the set's own exp, so its accuracy can be measured on its own (tests only).
  void (*exp_f32)(const float* x, float* y, std::size_t count) = nullptr;
};

// Call the vector set only where the CPU has the ISA (ual::fp8::isa_supported).
const ElementwiseKernels& scalar_elementwise_kernels() noexcept;
const ElementwiseKernels& avx2_elementwise_kernels() noexcept;

}  // namespace ual::cpu::detail
