// The figures of a DeviceCost by name: what the calibration cache stores, what `sources` is keyed by, and the range a
// plausible value lies in (a stored or measured figure outside it is measured again, never trusted).
#pragma once

#include <span>
#include <string_view>

#include "ual/selector.hpp"

namespace ual::detail {

struct CostField {
  const char* name;
  double DeviceCost::*member;
  double low, high;  // plausible range
  bool required;     // false: 0 means "not known" (a narrow-dtype rate, no transfers)
};

inline constexpr CostField cost_field_table[] = {
    {"gemm_flops_per_second", &DeviceCost::gemm_flops_per_second, 1e6, 1e17, true},
    {"gemm_bf16_flops_per_second", &DeviceCost::gemm_bf16_flops_per_second, 1e6, 1e17, false},
    {"gemm_f16_flops_per_second", &DeviceCost::gemm_f16_flops_per_second, 1e6, 1e17, false},
    {"gemm_fp8_flops_per_second", &DeviceCost::gemm_fp8_flops_per_second, 1e6, 1e17, false},
    {"op_overhead_seconds", &DeviceCost::op_overhead_seconds, 0, 1, true},
    {"stream_bytes_per_second", &DeviceCost::stream_bytes_per_second, 1e6, 1e14, true},
    {"transfer_bytes_per_second", &DeviceCost::transfer_bytes_per_second, 1e5, 1e13, false},
    {"transfer_latency_seconds", &DeviceCost::transfer_latency_seconds, 0, 1, false},
};

inline std::span<const CostField> cost_fields() { return cost_field_table; }

inline std::string_view cost_field_name(double DeviceCost::*member) {
  for (const CostField& field : cost_field_table)
    if (field.member == member) return field.name;
  return {};
}

}  // namespace ual::detail
