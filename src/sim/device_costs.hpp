// Time of the building blocks on one device: GEMMs (roofline with tile padding and wave quantization), memory-bound
// kernels (bandwidth with a size-dependent efficiency), collectives and point-to-point transfers over a link.
#pragma once

#include "sim/modeling_constants.hpp"
#include "ual/sim.hpp"

namespace ual::sim {

struct GemmShape {
  double m = 0, n = 0, k = 0;
  double groups = 1;          // a grouped GEMM (MoE experts): `groups` independent m x n x k problems in one kernel
  double a_bytes = 2, b_bytes = 2, c_bytes = 2;  // bytes per element of A (activations), B (weights), C
};

class DeviceCosts {
 public:
  DeviceCosts(const HardwareSpec& hardware, const ModelingConstants& constants);

  const HardwareSpec& hardware() const noexcept { return hardware_; }
  const ModelingConstants& constants() const noexcept { return constants_; }

  bool has_peak(Precision compute) const noexcept;
  double peak_flops(Precision compute) const noexcept;       // dense datasheet peak
  double achievable_flops(Precision compute) const noexcept; // peak x the large-GEMM fraction
  double achievable_bytes_per_s() const noexcept;            // streaming bandwidth

  double gemm_seconds(const GemmShape& shape, Precision compute) const noexcept;
  double memory_seconds(double bytes) const noexcept;
  // Math at `compute` precision that streams `bytes`: the slower of the two (attention, elementwise).
  double roofline_seconds(double flops, double bytes, Precision compute) const noexcept;

  // The link a group of `devices` talks over: scale-up inside its domain, scale-out beyond, else the host link.
  const Link& link_for_group(int devices) const noexcept;
  // link_span: devices the group spreads over (its link); 0 = the group itself. A DP group of 2 across 16 GPUs
  // rings over 2 ranks but talks over the scale-out link.
  double all_reduce_seconds(double bytes, int devices, int link_span = 0) const noexcept;
  double all_gather_seconds(double bytes, int devices) const noexcept;  // bytes = the gathered result
  double point_to_point_seconds(double bytes, int devices_in_domain) const noexcept;

 private:
  const HardwareSpec& hardware_;
  const ModelingConstants& constants_;
};

}  // namespace ual::sim
