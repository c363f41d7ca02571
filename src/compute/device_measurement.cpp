// measure_device_cost: the short calibration run behind the selector's cost model. GEMM at two sizes separates the
// fixed per-op overhead from the flop rate (t = overhead + flops / rate); a 1 Mi-element add gives the streaming rate;
// a 4 MiB write and a 4 KiB write give transfer bandwidth and latency. Each figure is the fastest of a few runs after
// a warm-up (the warm-up also triggers one-time costs such as OpenCL program builds).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "compute/calibration_cache.hpp"

namespace ual {
namespace {

using Clock = std::chrono::steady_clock;

template <class Work>
Result<double> fastest_seconds(const ComputeDevice& device, int runs, Work&& work) {
  if (auto status = work(); !status) return status.error();  // warm-up
  if (auto status = device.synchronize(); !status) return status.error();
  double best = 1e30;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    if (auto status = work(); !status) return status.error();
    if (auto status = device.synchronize(); !status) return status.error();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  }
  return best;
}

Result<double> time_gemm(const ComputeDevice& device, std::int64_t size) {
  std::vector<float> values(static_cast<std::size_t>(size * size), 0.5f);
  auto a = device.upload(std::span<const float>(values), DType::f32, {size, size});
  if (!a) return a.error();
  auto b = device.upload(std::span<const float>(values), DType::f32, {size, size});
  if (!b) return b.error();
  auto d = device.empty(DType::f32, {size, size});
  if (!d) return d.error();
  return fastest_seconds(device, 3, [&] { return gemm(*a, *b, *d); });
}

}  // namespace

Result<DeviceCost> measure_device_cost(const ComputeDevice& device) {
  DeviceCost cost;
  constexpr std::int64_t small = 32, large = 384;
  auto small_time = time_gemm(device, small);
  if (!small_time) return small_time.error();
  auto large_time = time_gemm(device, large);
  if (!large_time) return large_time.error();
  const double small_flops = 2.0 * small * small * small, large_flops = 2.0 * large * large * large;
  const double delta = std::max(large_time.value() - small_time.value(), 1e-9);
  cost.gemm_flops_per_second = (large_flops - small_flops) / delta;
  cost.op_overhead_seconds = std::max(0.0, small_time.value() - small_flops / cost.gemm_flops_per_second);

  constexpr std::int64_t elements = 1 << 20;
  std::vector<float> values(elements, 1.0f);
  auto x = device.upload(std::span<const float>(values), DType::f32, {elements});
  if (!x) return x.error();
  auto y = device.empty(DType::f32, {elements});
  if (!y) return y.error();
  auto add_time = fastest_seconds(device, 3, [&] { return add(*x, *x, *y); });
  if (!add_time) return add_time.error();
  cost.stream_bytes_per_second = 3.0 * elements * 4 / std::max(add_time.value() - cost.op_overhead_seconds, 1e-9);

  if (!device.info().host_visible_memory) {
    auto buffer = device.allocate(elements * 4);
    if (!buffer) return buffer.error();
    auto bytes = std::as_bytes(std::span<const float>(values));
    auto big = fastest_seconds(device, 3, [&] { return buffer->write(0, bytes); });
    if (!big) return big.error();
    auto tiny = fastest_seconds(device, 3, [&] { return buffer->write(0, bytes.first(4096)); });
    if (!tiny) return tiny.error();
    cost.transfer_latency_seconds = tiny.value();
    cost.transfer_bytes_per_second = static_cast<double>(bytes.size()) / std::max(big.value() - tiny.value(), 1e-9);
  }
  cost.measured = true;
  if (!detail::plausible(cost))
    return make_error(ErrorCode::internal, fmt::format("calibration of {} gave implausible figures", device.id()));
  return cost;
}

}  // namespace ual
