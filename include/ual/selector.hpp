// Choosing a compute device per op. A Policy orders the devices (ONNX Runtime's rules: NPU before GPU before CPU for
// prefer_npu, discrete GPUs before integrated ones, the built-in CPU backend last); max_performance instead asks a cost
// model for the predicted time of this op on every device: per-op overhead, max(compute, memory) time at the op's
// dtype, and host<->device copies of host-resident operands. The cost model's per-device constants are seeded from
// the HopperSim catalog entry matched to the device (data/hardware/, by PCI ids or name through
// data/planner/device-matches.json), else from the backend's reported peaks, else modest defaults
// (data/compute/selector-costs.json); a short measurement on first use (GEMM at two sizes and per dtype, a streaming
// add, a host<->device copy) replaces what it measures, cached in $XDG_CACHE_HOME/ual/compute-calibration-v2.json; a
// corrupt or stale cache entry is measured again, never trusted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/ops.hpp"
#include "ual/result.hpp"
#include "ual/tensor.hpp"

namespace ual {

enum class Policy { prefer_cpu, prefer_gpu, prefer_npu, max_performance, min_power };
UAL_API const char* to_string(Policy policy) noexcept;  // "prefer_cpu", ...
UAL_API Result<Policy> parse_policy(std::string_view name);

// What the cost model needs to know about one op.
struct UAL_API OpShape {
  OpKind kind = OpKind::gemm;
  DType dtype = DType::f32;
  std::int64_t m = 0, n = 0, k = 0, batch = 1;  // GEMM
  std::int64_t elements = 0;                    // other ops: elements of the (main) input
  // Bytes that live in host memory and must reach the device before the op / come back after it.
  std::uint64_t host_bytes_in = 0;
  std::uint64_t host_bytes_out = 0;
  // Separate copies those bytes take (one per operand; each pays the copy latency). 0 with bytes to move = one.
  int host_copies_in = 0;
  int host_copies_out = 0;

  // Operands in host memory (the usual case for a library call with host arrays) unless on_host is false.
  static OpShape gemm(std::int64_t m, std::int64_t n, std::int64_t k, DType dtype = DType::f32, std::int64_t batch = 1,
                      bool on_host = true);
  static OpShape elementwise(OpKind kind, std::int64_t elements, DType dtype = DType::f32, bool on_host = true);
  double flops() const;           // 2·m·n·k·batch for GEMM, one per element otherwise
  std::uint64_t device_bytes() const;  // bytes the op reads and writes in device memory
};

// Constants of one device: measured, or seeded before (or without) a measurement. `sources` says where each figure
// came from, keyed by the member's name ("gemm_bf16_flops_per_second"): "measured", "catalog: h100-sxm",
// "backend-reported", "default" (data/compute/selector-costs.json) or "host memory" (no copies).
struct UAL_API DeviceCost {
  double gemm_flops_per_second = 0;       // large-GEMM rate with f32 inputs
  // Large-GEMM rates with narrower inputs (tensor cores, AMX): a big GPU's bf16 and FP8 rates are 10-30x its f32 one.
  // 0 = no rate of its own: the op runs at gemm_flops_per_second.
  double gemm_bf16_flops_per_second = 0;
  double gemm_f16_flops_per_second = 0;
  double gemm_fp8_flops_per_second = 0;   // any of the four FP8 formats
  double op_overhead_seconds = 0;         // fixed cost per op (launch and completion, dispatch, primitive lookup)
  double stream_bytes_per_second = 0;     // device-memory bandwidth: elementwise ops, memory-bound GEMMs
  double transfer_bytes_per_second = 0;   // host <-> device copies; 0 = host memory, no transfer
  double transfer_latency_seconds = 0;    // per copy
  bool measured = false;                  // at least one figure comes from a measurement
  std::map<std::string, std::string> sources;

  // The GEMM rate for inputs of this dtype (the f32 rate where the device has none of its own).
  double gemm_flops_per_second_for(DType dtype) const;
  // sources[field], or "" when the figure has no recorded source.
  std::string source(const std::string& field) const;
};

struct DeviceEstimate {
  ComputeDevice device;
  double seconds = 0;           // total, transfers included
  double transfer_seconds = 0;
};

struct Selection {
  ComputeDevice device;
  std::string reason;                     // one sentence a user can read
  std::vector<DeviceEstimate> estimates;  // every candidate, in policy order (max_performance and on request)
};

struct SelectorOptions {
  Policy policy = Policy::max_performance;
  std::string cache_directory;  // "" = default_cache_directory()
  bool calibrate = true;        // false: never measure; use the seeded figures (catalog, backend-reported, defaults)
  // Called before each device is measured (first use only: OpenCL devices also compile their kernels then, which
  // takes seconds), so a command can say what it is waiting for.
  std::function<void(const ComputeDevice& device)> on_calibration;
};

class UAL_API Selector {
 public:
  // devices: the candidates (usually default_backends().devices()); costs are calibrated here when needed.
  static Result<Selector> create(std::vector<ComputeDevice> devices, const SelectorOptions& options = {});

  Policy policy() const noexcept { return policy_; }
  const std::vector<ComputeDevice>& ordered_devices() const noexcept { return devices_; }
  const DeviceCost& cost(std::size_t index) const { return costs_.at(index); }

  double predict_seconds(std::size_t index, const OpShape& op, double* transfer_seconds = nullptr) const;
  Result<Selection> select(const OpShape& op) const;

 private:
  Policy policy_ = Policy::max_performance;
  std::vector<ComputeDevice> devices_;
  std::vector<DeviceCost> costs_;
};

// The order a policy puts devices in (stable; exposed for tests and `ual devices`).
UAL_API std::vector<ComputeDevice> order_devices(std::vector<ComputeDevice> devices, Policy policy);

// Measures one device now (well under a second on a CPU; OpenCL's first use also compiles its kernels). Only the
// figures it measured are set (their source is "measured"); a dtype the backend cannot multiply keeps a zero rate.
UAL_API Result<DeviceCost> measure_device_cost(const ComputeDevice& device);

}  // namespace ual
