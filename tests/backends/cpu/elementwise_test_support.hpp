// Test helpers for the elementwise kernels: a typed host tensor (f32, or bf16 / f16 as raw bits), seeded random
// fills, and the ISAs this CPU can run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "backends/cpu/kernels/elementwise.hpp"
#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"

namespace ual::cpu::test {

constexpr ElementType kAllTypes[] = {ElementType::f32, ElementType::bf16, ElementType::f16};

inline const char* name(ElementType type) {
  switch (type) {
    case ElementType::f32: return "f32";
    case ElementType::bf16: return "bf16";
    case ElementType::f16: return "f16";
  }
  return "?";
}

class Tensor {
 public:
  Tensor(ElementType type, std::size_t size) : type_(type), f32_(type == ElementType::f32 ? size : 0),
                                               bits_(type == ElementType::f32 ? 0 : size) {}
  // Values rounded to the type (nearest even), as the kernels' callers would store them.
  Tensor(ElementType type, const std::vector<float>& values) : Tensor(type, values.size()) {
    for (std::size_t i = 0; i < values.size(); ++i) set(i, values[i]);
  }
  Tensor(ElementType type, std::initializer_list<float> values) : Tensor(type, std::vector<float>(values)) {}

  void set(std::size_t i, float value) {
    switch (type_) {
      case ElementType::f32: f32_[i] = value; break;
      case ElementType::bf16: bits_[i] = fp8::to_bfloat16(value).bits; break;
      case ElementType::f16: bits_[i] = fp8::to_float16(value).bits; break;
    }
  }
  float at(std::size_t i) const {
    switch (type_) {
      case ElementType::f32: return f32_[i];
      case ElementType::bf16: return fp8::to_float(fp8::bfloat16{bits_[i]});
      case ElementType::f16: return fp8::to_float(fp8::float16{bits_[i]});
    }
    return 0.0f;
  }
  // The stored bits (f32 widened), for exact comparisons.
  std::uint32_t bits(std::size_t i) const {
    if (type_ != ElementType::f32) return bits_[i];
    std::uint32_t out = 0;
    __builtin_memcpy(&out, &f32_[i], sizeof out);
    return out;
  }
  std::size_t size() const { return type_ == ElementType::f32 ? f32_.size() : bits_.size(); }
  ElementType type() const { return type_; }
  ConstView view() const { return {data(), type_}; }
  MutableView mutable_view() { return {const_cast<void*>(data()), type_}; }

 private:
  const void* data() const {
    return type_ == ElementType::f32 ? static_cast<const void*>(f32_.data()) : static_cast<const void*>(bits_.data());
  }
  ElementType type_;
  std::vector<float> f32_;
  std::vector<std::uint16_t> bits_;
};

inline Tensor random_tensor(ElementType type, std::size_t size, float low, float high, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(low, high);
  Tensor t(type, size);
  for (std::size_t i = 0; i < size; ++i) t.set(i, uniform(rng));
  return t;
}

// scalar always; avx2 where the CPU has it (Isa::avx512 runs the same AVX2 kernels).
inline std::vector<Isa> isas_to_test() {
  std::vector<Isa> isas = {Isa::scalar};
  if (fp8::isa_supported(Isa::avx2)) isas.push_back(Isa::avx2);
  return isas;
}

}  // namespace ual::cpu::test
