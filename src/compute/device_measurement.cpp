// measure_device_cost: the short calibration run behind the selector's cost model. GEMM at two sizes separates the
// fixed per-op overhead from the f32 flop rate (t = overhead + flops / rate); the large size doubles from 384 until
// one GEMM takes 2 ms (at most 4096), since a 384^3 GEMM is over in microseconds on a data-center GPU and would
// measure its launch, not its rate. bf16 and f16 GEMMs at the final size give the narrow-dtype rates (skipped, left
// 0, where the backend cannot run them). A 1 Mi-element add gives the streaming rate; a 4 MiB write and a 4 KiB write
// give transfer bandwidth and latency. Each figure is the fastest of a few runs after a warm-up (the warm-up also
// triggers one-time costs such as OpenCL program builds). FP8 is not measured: it needs scaled operands, and its rate
// comes from the catalog where there is one.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "compute/calibration_cache.hpp"
#include "compute/cost_fields.hpp"

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

// A size x size GEMM with inputs of `dtype` (all elements 0.5) and an f32 D.
Result<double> time_gemm(const ComputeDevice& device, DType dtype, std::int64_t size) {
  const auto count = static_cast<std::size_t>(size * size);
  std::vector<float> f32_values;
  std::vector<std::uint16_t> half_values;
  std::span<const std::byte> bytes;
  if (dtype == DType::f32) {
    f32_values.assign(count, 0.5f);
    bytes = std::as_bytes(std::span<const float>(f32_values));
  } else {
    half_values.assign(count, dtype == DType::bf16 ? 0x3F00 : 0x3800);  // 0.5 in bf16 / IEEE half
    bytes = std::as_bytes(std::span<const std::uint16_t>(half_values));
  }
  auto a = device.upload(bytes, dtype, {size, size});
  if (!a) return a.error();
  auto b = device.upload(bytes, dtype, {size, size});
  if (!b) return b.error();
  auto d = device.empty(DType::f32, {size, size});
  if (!d) return d.error();
  return fastest_seconds(device, 3, [&] { return gemm(*a, *b, *d); });
}

}  // namespace

Result<DeviceCost> measure_device_cost(const ComputeDevice& device) {
  DeviceCost cost;
  auto record = [&cost](double DeviceCost::*member, double value) {
    cost.*member = value;
    cost.sources[std::string(detail::cost_field_name(member))] = "measured";
  };
  constexpr std::int64_t small = 32, largest = 4096;
  constexpr double enough_seconds = 2e-3;
  auto small_time = time_gemm(device, DType::f32, small);
  if (!small_time) return small_time.error();
  std::int64_t large = 384;
  auto large_time = time_gemm(device, DType::f32, large);
  if (!large_time) return large_time.error();
  while (large_time.value() < enough_seconds && large < largest) {
    large *= 2;
    large_time = time_gemm(device, DType::f32, large);
    if (!large_time) return large_time.error();
  }
  const double small_flops = 2.0 * small * small * small, large_flops = 2.0 * large * large * large;
  const double delta = std::max(large_time.value() - small_time.value(), 1e-9);
  record(&DeviceCost::gemm_flops_per_second, (large_flops - small_flops) / delta);
  record(&DeviceCost::op_overhead_seconds,
         std::max(0.0, small_time.value() - small_flops / cost.gemm_flops_per_second));
  for (auto [dtype, member] : {std::pair{DType::bf16, &DeviceCost::gemm_bf16_flops_per_second},
                               std::pair{DType::f16, &DeviceCost::gemm_f16_flops_per_second}}) {
    auto seconds = time_gemm(device, dtype, large);
    if (seconds) record(member, large_flops / std::max(seconds.value() - cost.op_overhead_seconds, 1e-9));
  }

  constexpr std::int64_t elements = 1 << 20;
  std::vector<float> values(elements, 1.0f);
  auto x = device.upload(std::span<const float>(values), DType::f32, {elements});
  if (!x) return x.error();
  auto y = device.empty(DType::f32, {elements});
  if (!y) return y.error();
  auto add_time = fastest_seconds(device, 3, [&] { return add(*x, *x, *y); });
  if (!add_time) return add_time.error();
  record(&DeviceCost::stream_bytes_per_second,
         3.0 * elements * 4 / std::max(add_time.value() - cost.op_overhead_seconds, 1e-9));

  if (!device.info().host_visible_memory) {
    auto buffer = device.allocate(elements * 4);
    if (!buffer) return buffer.error();
    auto bytes = std::as_bytes(std::span<const float>(values));
    auto big = fastest_seconds(device, 3, [&] { return buffer->write(0, bytes); });
    if (!big) return big.error();
    auto tiny = fastest_seconds(device, 3, [&] { return buffer->write(0, bytes.first(4096)); });
    if (!tiny) return tiny.error();
    record(&DeviceCost::transfer_latency_seconds, tiny.value());
    record(&DeviceCost::transfer_bytes_per_second,
           static_cast<double>(bytes.size()) / std::max(big.value() - tiny.value(), 1e-9));
  }
  cost.measured = true;
  if (!detail::plausible(cost))
    return make_error(ErrorCode::internal, fmt::format("calibration of {} gave implausible figures", device.id()));
  return cost;
}

}  // namespace ual
