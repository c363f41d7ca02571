#include "sim/device_costs.hpp"

#include <algorithm>
#include <cmath>

namespace ual::sim {

DeviceCosts::DeviceCosts(const HardwareSpec& hardware, const ModelingConstants& constants)
    : hardware_(hardware), constants_(constants) {}

bool DeviceCosts::has_peak(Precision compute) const noexcept { return hardware_.peak_flops.contains(compute); }

double DeviceCosts::peak_flops(Precision compute) const noexcept {
  const auto found = hardware_.peak_flops.find(compute);
  if (found != hardware_.peak_flops.end()) return found->second;
  // Formats a device lacks run at the next wider one (FP16 on a BF16-only NPU, TF32 as FP32 on a CPU).
  for (Precision wider : {Precision::bf16, Precision::fp16, Precision::fp32}) {
    const auto fallback = hardware_.peak_flops.find(wider);
    if (fallback != hardware_.peak_flops.end()) return fallback->second;
  }
  return hardware_.peak_flops.empty() ? 1e12 : hardware_.peak_flops.begin()->second;
}

double DeviceCosts::achievable_flops(Precision compute) const noexcept {
  double fraction = hardware_.gemm_peak_fraction > 0 ? hardware_.gemm_peak_fraction : constants_.gemm_peak_fraction;
  if (compute == Precision::fp8 || compute == Precision::int8) fraction *= constants_.fp8_gemm_peak_fraction_ratio;
  return peak_flops(compute) * fraction * constants_.sustained_clock_fraction;
}

double DeviceCosts::achievable_bytes_per_s() const noexcept {
  const double fraction =
      hardware_.memory_peak_fraction > 0 ? hardware_.memory_peak_fraction : constants_.memory_peak_fraction;
  return hardware_.memory_bytes_per_s * fraction;
}

double DeviceCosts::memory_seconds(double bytes) const noexcept {
  if (bytes <= 0) return 0;
  // Small transfers cannot fill the memory pipeline: efficiency bytes / (bytes + half-efficiency size).
  const double efficiency = bytes / (bytes + constants_.memory_half_efficiency_bytes);
  return bytes / (achievable_bytes_per_s() * efficiency);
}

double DeviceCosts::gemm_seconds(const GemmShape& shape, Precision compute) const noexcept {
  if (shape.m <= 0 || shape.n <= 0 || shape.k <= 0 || shape.groups <= 0) return 0;
  const double units = std::max(1, hardware_.compute_units);
  // Each tile fills and drains its K pipeline: short reductions (K split by tensor parallelism) pay for it.
  const double k_efficiency = shape.k / (shape.k + constants_.gemm_k_overhead);
  // Whole tiles: a 262-row GEMM pays for 384 rows of math in 128-row tiles; whole waves: 320 tiles on 132 SMs take
  // 3 waves. Libraries pick among tile shapes by heuristic; the full-height tile and its half-height variant
  // bracket that choice, and the cheaper of the two is taken.
  double compute_seconds = 0;
  for (const double tile_m : {double(constants_.gemm_tile_m), constants_.gemm_tile_m / 2.0}) {
    const double tile_n = constants_.gemm_tile_n;
    const double tiles = std::ceil(shape.m / tile_m) * std::ceil(shape.n / tile_n) * shape.groups;
    const double waves = std::ceil(tiles / units);
    const double padded_flops = 2.0 * tiles * tile_m * tile_n * shape.k;
    const double wave_efficiency = tiles / (waves * units);
    // Half-height tiles reuse each loaded B tile for half as many rows: they reach a lower share of peak.
    const double tile_efficiency = tile_m < constants_.gemm_tile_m ? constants_.small_tile_efficiency : 1.0;
    const double seconds =
        padded_flops / (achievable_flops(compute) * wave_efficiency * k_efficiency * tile_efficiency);
    compute_seconds = compute_seconds == 0 ? seconds : std::min(compute_seconds, seconds);
  }
  const double bytes = shape.groups * (shape.m * shape.k * shape.a_bytes + shape.k * shape.n * shape.b_bytes +
                                       shape.m * shape.n * shape.c_bytes);
  return std::max(compute_seconds, memory_seconds(bytes));
}

double DeviceCosts::roofline_seconds(double flops, double bytes, Precision compute) const noexcept {
  return std::max(flops / achievable_flops(compute), memory_seconds(bytes));
}

const Link& DeviceCosts::link_for_group(int devices) const noexcept {
  if (hardware_.scale_up.bytes_per_s_per_direction > 0 && devices <= std::max(1, hardware_.scale_up.max_devices))
    return hardware_.scale_up;
  if (devices > std::max(1, hardware_.scale_up.max_devices) && hardware_.scale_out.bytes_per_s_per_direction > 0)
    return hardware_.scale_out;
  return hardware_.host_link;
}

namespace {
double link_bytes_per_s(const Link& link, const ModelingConstants& constants) {
  // A device without any recorded link (an NPU) exchanges through host memory at PCIe-like speed.
  const double bandwidth = link.bytes_per_s_per_direction > 0 ? link.bytes_per_s_per_direction : 16e9;
  return bandwidth * constants.link_peak_fraction;
}
}  // namespace

double DeviceCosts::all_reduce_seconds(double bytes, int devices, int link_span) const noexcept {
  if (devices <= 1 || bytes <= 0) return 0;
  const Link& link = link_for_group(std::max(devices, link_span));
  const double n = devices, bandwidth = link_bytes_per_s(link, constants_);
  // Ring all-reduce: 2 (n-1)/n of the buffer crosses each link, in 2 (n-1) latency-bound steps. Small messages on
  // a switched link use a one-shot all-reduce instead (every GPU reads the n-1 other buffers at once: one latency,
  // n-1 buffers of traffic), as NCCL's LL protocols and TensorRT-LLM's custom all-reduce do.
  const double ring = 2 * (n - 1) / n * bytes / bandwidth + 2 * (n - 1) * link.latency_s;
  const double one_shot = (n - 1) * bytes / bandwidth + 2 * link.latency_s;
  return std::min(ring, one_shot);
}

double DeviceCosts::all_gather_seconds(double bytes, int devices) const noexcept {
  if (devices <= 1 || bytes <= 0) return 0;
  const Link& link = link_for_group(devices);
  const double n = devices;
  return (n - 1) / n * bytes / link_bytes_per_s(link, constants_) + (n - 1) * link.latency_s;
}

double DeviceCosts::point_to_point_seconds(double bytes, int devices_in_domain) const noexcept {
  if (bytes <= 0) return 0;
  const Link& link = link_for_group(devices_in_domain);
  return bytes / link_bytes_per_s(link, constants_) + link.latency_s;
}

}  // namespace ual::sim
