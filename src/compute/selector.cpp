// Device ordering per policy and per-op choice by predicted time.
#include "ual/selector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "compute/calibration_cache.hpp"
#include "ual/backends.hpp"

namespace ual {
namespace {

// Rank of a device under a policy; lower comes first. The built-in CPU backend always sorts after every other
// device of its kind (ONNX Runtime appends its default CPU EP last), except under prefer_cpu, where it leads.
int policy_rank(const ComputeDevice& device, Policy policy) {
  const bool builtin_cpu = device.info().backend == "cpu";
  int kind_rank = 0;
  switch (device.info().kind) {
    case DeviceKind::npu: kind_rank = 0; break;
    case DeviceKind::gpu: kind_rank = 1; break;   // discrete before integrated (ONNX Runtime's IsDiscreteDevice)
    case DeviceKind::igpu: kind_rank = 2; break;
    case DeviceKind::cpu: kind_rank = 3; break;
  }
  switch (policy) {
    case Policy::prefer_cpu:
      if (builtin_cpu) return 0;
      return device.info().kind == DeviceKind::cpu ? 1 : 2 + kind_rank;
    case Policy::prefer_gpu:
    case Policy::max_performance: {
      // ONNX Runtime maps PREFER_GPU and MAX_PERFORMANCE to its PreferGpu policy: GPUs, then NPUs, then CPUs.
      static constexpr int gpu_first[] = {2, 0, 1, 3};
      return gpu_first[kind_rank] * 2 + (builtin_cpu ? 1 : 0);
    }
    case Policy::prefer_npu: return kind_rank * 2 + (builtin_cpu ? 1 : 0);
    case Policy::min_power: {
      // ONNX Runtime maps MIN_OVERALL_POWER to PreferNpu (NPU, GPU, CPU). We put integrated GPUs before discrete ones
      // here: they share the host's memory and power budget, a discrete card adds its own board power.
      static constexpr int low_power_first[] = {0, 2, 1, 3};
      return low_power_first[kind_rank] * 2 + (builtin_cpu ? 1 : 0);
    }
  }
  return 0;
}

// The DeviceCost member holding the GEMM rate of a narrow input dtype.
const char* rate_field(DType dtype) {
  if (dtype == DType::bf16) return "gemm_bf16_flops_per_second";
  if (dtype == DType::f16) return "gemm_f16_flops_per_second";
  return is_fp8(dtype) ? "gemm_fp8_flops_per_second" : "gemm_flops_per_second";
}

std::string format_seconds(double seconds) {
  if (seconds < 1e-3) return fmt::format("{:.1f} µs", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.2f} ms", seconds * 1e3);
  return fmt::format("{:.2f} s", seconds);
}

}  // namespace

const char* to_string(Policy policy) noexcept {
  switch (policy) {
    case Policy::prefer_cpu: return "prefer_cpu";
    case Policy::prefer_gpu: return "prefer_gpu";
    case Policy::prefer_npu: return "prefer_npu";
    case Policy::max_performance: return "max_performance";
    case Policy::min_power: return "min_power";
  }
  return "max_performance";
}

Result<Policy> parse_policy(std::string_view name) {
  for (Policy policy : {Policy::prefer_cpu, Policy::prefer_gpu, Policy::prefer_npu, Policy::max_performance,
                        Policy::min_power})
    if (name == to_string(policy)) return policy;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("unknown policy '{}' (expected prefer_cpu, prefer_gpu, prefer_npu, max_performance or "
                                "min_power)",
                                name));
}

OpShape OpShape::gemm(std::int64_t m, std::int64_t n, std::int64_t k, DType dtype, std::int64_t batch, bool on_host) {
  OpShape shape;
  shape.kind = OpKind::gemm;
  shape.dtype = dtype;
  shape.m = m;
  shape.n = n;
  shape.k = k;
  shape.batch = batch;
  if (on_host) {
    shape.host_bytes_in = static_cast<std::uint64_t>(batch * (m * k + k * n)) * dtype_size(dtype);
    shape.host_bytes_out = static_cast<std::uint64_t>(batch * m * n) * 4;
    shape.host_copies_in = 2;  // A and B
    shape.host_copies_out = 1;
  }
  return shape;
}

OpShape OpShape::elementwise(OpKind kind, std::int64_t elements, DType dtype, bool on_host) {
  OpShape shape;
  shape.kind = kind;
  shape.dtype = dtype;
  shape.elements = elements;
  if (on_host) {
    const int inputs = kind == OpKind::add || kind == OpKind::mul ? 2 : 1;
    shape.host_bytes_in = static_cast<std::uint64_t>(elements) * dtype_size(dtype) * inputs;
    shape.host_bytes_out = static_cast<std::uint64_t>(elements) * dtype_size(dtype);
    shape.host_copies_in = inputs;
    shape.host_copies_out = 1;
  }
  return shape;
}

double OpShape::flops() const {
  if (kind == OpKind::gemm) return 2.0 * static_cast<double>(m) * n * k * batch;
  return static_cast<double>(elements);
}

std::uint64_t OpShape::device_bytes() const {
  if (kind == OpKind::gemm)
    return static_cast<std::uint64_t>(batch * (m * k + k * n)) * dtype_size(dtype) +
           static_cast<std::uint64_t>(batch * m * n) * 4;
  const int operands = kind == OpKind::add || kind == OpKind::mul ? 3 : 2;
  return static_cast<std::uint64_t>(elements) * dtype_size(dtype) * operands;
}

std::vector<ComputeDevice> order_devices(std::vector<ComputeDevice> devices, Policy policy) {
  std::stable_sort(devices.begin(), devices.end(), [policy](const ComputeDevice& a, const ComputeDevice& b) {
    return policy_rank(a, policy) < policy_rank(b, policy);
  });
  return devices;
}

Result<Selector> Selector::create(std::vector<ComputeDevice> devices, const SelectorOptions& options) {
  std::erase_if(devices, [](const ComputeDevice& device) { return !device.is_open(); });
  if (devices.empty()) return make_error(ErrorCode::invalid_argument, "selector: no open compute devices to choose from");
  Selector selector;
  selector.policy_ = options.policy;
  selector.devices_ = order_devices(std::move(devices), options.policy);
  auto costs = detail::device_costs(selector.devices_,
                                    options.cache_directory.empty() ? default_cache_directory() : options.cache_directory,
                                    options.calibrate, options.on_calibration);
  if (!costs) return costs.error();
  selector.costs_ = std::move(costs.value());
  return selector;
}

double DeviceCost::gemm_flops_per_second_for(DType dtype) const {
  double rate = 0;
  if (dtype == DType::bf16) rate = gemm_bf16_flops_per_second;
  else if (dtype == DType::f16) rate = gemm_f16_flops_per_second;
  else if (is_fp8(dtype)) rate = gemm_fp8_flops_per_second;
  return rate > 0 ? rate : gemm_flops_per_second;
}

std::string DeviceCost::source(const std::string& field) const {
  const auto found = sources.find(field);
  return found == sources.end() ? std::string() : found->second;
}

// overhead + max(compute, memory) on the device + copies of host-resident operands (each copy pays the latency).
double Selector::predict_seconds(std::size_t index, const OpShape& op, double* transfer_seconds) const {
  const DeviceCost& cost = costs_.at(index);
  const double memory = static_cast<double>(op.device_bytes()) / cost.stream_bytes_per_second;
  // Elementwise ops do one flop per element, far below any device's rate: their time is their memory traffic.
  const double math = op.kind == OpKind::gemm ? op.flops() / cost.gemm_flops_per_second_for(op.dtype) : 0.0;
  const double compute = cost.op_overhead_seconds + std::max(math, memory);
  double transfer = 0;
  if (cost.transfer_bytes_per_second > 0) {
    auto copies = [](std::uint64_t bytes, int count) { return bytes == 0 ? 0 : std::max(count, 1); };
    const int count = copies(op.host_bytes_in, op.host_copies_in) + copies(op.host_bytes_out, op.host_copies_out);
    transfer = static_cast<double>(op.host_bytes_in + op.host_bytes_out) / cost.transfer_bytes_per_second +
               count * cost.transfer_latency_seconds;
  }
  if (transfer_seconds != nullptr) *transfer_seconds = transfer;
  return compute + transfer;
}

Result<Selection> Selector::select(const OpShape& op) const {
  Selection selection;
  for (std::size_t i = 0; i < devices_.size(); ++i) {
    DeviceEstimate estimate;
    estimate.device = devices_[i];
    estimate.seconds = predict_seconds(i, op, &estimate.transfer_seconds);
    selection.estimates.push_back(std::move(estimate));
  }
  if (policy_ != Policy::max_performance) {
    selection.device = devices_.front();
    selection.reason = fmt::format("{}: {} ({}) comes first", to_string(policy_), devices_.front().id(),
                                   to_string(devices_.front().info().kind));
    return selection;
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < selection.estimates.size(); ++i)
    if (selection.estimates[i].seconds < selection.estimates[best].seconds) best = i;
  const DeviceEstimate& chosen = selection.estimates[best];
  selection.device = chosen.device;
  std::string others;
  for (std::size_t i = 0; i < selection.estimates.size(); ++i)
    if (i != best)
      others += fmt::format("{}{} {}", others.empty() ? "" : ", ", selection.estimates[i].device.id(),
                            format_seconds(selection.estimates[i].seconds));
  // Where the deciding figure came from ("catalog: h100-sxm", "measured"), so a surprising choice can be traced.
  const DeviceCost& chosen_cost = costs_[best];
  std::string figures;
  if (op.kind == OpKind::gemm) {
    const bool own_rate = chosen_cost.gemm_flops_per_second_for(op.dtype) != chosen_cost.gemm_flops_per_second;
    figures = fmt::format(", {} GEMM rate {}", own_rate ? to_string(op.dtype) : "f32",
                          chosen_cost.source(std::string(own_rate ? rate_field(op.dtype) : "gemm_flops_per_second")));
  } else {
    figures = fmt::format(", memory bandwidth {}", chosen_cost.source("stream_bytes_per_second"));
  }
  selection.reason = fmt::format("{} {}: predicted {}{}{} (others: {})", to_string(op.kind), chosen.device.id(),
                                 format_seconds(chosen.seconds),
                                 chosen.transfer_seconds > 0
                                     ? fmt::format(", of which {} transfers", format_seconds(chosen.transfer_seconds))
                                     : std::string(),
                                 figures, others.empty() ? "none" : others);
  return selection;
}

}  // namespace ual
