// Element types: names, sizes, and their FP8 formats.
#include <fmt/format.h>

#include <array>
#include <utility>

#include "compute/compute_state.hpp"

namespace ual {
namespace {

struct DTypeEntry {
  DType dtype;
  const char* name;
  std::size_t size;
  ual_dtype abi;
};

constexpr std::array<DTypeEntry, 9> dtype_table{{
    {DType::f32, "f32", 4, UAL_DTYPE_F32},
    {DType::f16, "f16", 2, UAL_DTYPE_F16},
    {DType::bf16, "bf16", 2, UAL_DTYPE_BF16},
    {DType::fp8_e4m3, "fp8_e4m3", 1, UAL_DTYPE_FP8_E4M3},
    {DType::fp8_e5m2, "fp8_e5m2", 1, UAL_DTYPE_FP8_E5M2},
    {DType::fp8_e4m3fnuz, "fp8_e4m3fnuz", 1, UAL_DTYPE_FP8_E4M3FNUZ},
    {DType::fp8_e5m2fnuz, "fp8_e5m2fnuz", 1, UAL_DTYPE_FP8_E5M2FNUZ},
    {DType::i8, "i8", 1, UAL_DTYPE_I8},
    {DType::i32, "i32", 4, UAL_DTYPE_I32},
}};

const DTypeEntry& entry(DType dtype) { return dtype_table[static_cast<std::size_t>(dtype)]; }

}  // namespace

const char* to_string(DType dtype) noexcept { return entry(dtype).name; }
std::size_t dtype_size(DType dtype) noexcept { return entry(dtype).size; }

Result<DType> parse_dtype(std::string_view name) {
  for (const auto& item : dtype_table)
    if (name == item.name) return item.dtype;
  // Common spellings: "float32", "bfloat16", "e4m3".
  static constexpr std::pair<std::string_view, DType> aliases[] = {
      {"float32", DType::f32}, {"float16", DType::f16},    {"half", DType::f16},
      {"bfloat16", DType::bf16}, {"e4m3", DType::fp8_e4m3}, {"e5m2", DType::fp8_e5m2},
      {"fp8", DType::fp8_e4m3}, {"int8", DType::i8},       {"int32", DType::i32}};
  for (auto [alias, dtype] : aliases)
    if (name == alias) return dtype;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("unknown dtype '{}' (expected f32, f16, bf16, fp8_e4m3, fp8_e5m2, fp8_e4m3fnuz, "
                                "fp8_e5m2fnuz, i8 or i32)",
                                name));
}

bool is_fp8(DType dtype) noexcept {
  return dtype == DType::fp8_e4m3 || dtype == DType::fp8_e5m2 || dtype == DType::fp8_e4m3fnuz ||
         dtype == DType::fp8_e5m2fnuz;
}

fp8::Format fp8_format(DType dtype) noexcept {
  switch (dtype) {
    case DType::fp8_e5m2: return fp8::Format::e5m2;
    case DType::fp8_e4m3fnuz: return fp8::Format::e4m3fnuz;
    case DType::fp8_e5m2fnuz: return fp8::Format::e5m2fnuz;
    default: return fp8::Format::e4m3;
  }
}

DType fp8_dtype(fp8::Format format) noexcept {
  switch (format) {
    case fp8::Format::e5m2: return DType::fp8_e5m2;
    case fp8::Format::e4m3fnuz: return DType::fp8_e4m3fnuz;
    case fp8::Format::e5m2fnuz: return DType::fp8_e5m2fnuz;
    default: return DType::fp8_e4m3;
  }
}

namespace detail {

ual_dtype to_abi(DType dtype) { return entry(dtype).abi; }

ual_device_kind to_abi(DeviceKind kind) {
  switch (kind) {
    case DeviceKind::cpu: return UAL_DEVICE_CPU;
    case DeviceKind::gpu: return UAL_DEVICE_GPU;
    case DeviceKind::igpu: return UAL_DEVICE_IGPU;
    case DeviceKind::npu: return UAL_DEVICE_NPU;
  }
  return UAL_DEVICE_OTHER;
}

}  // namespace detail
}  // namespace ual
