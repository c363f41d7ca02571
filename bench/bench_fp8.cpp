// FP8 bulk kernels (ual/fp8_kernels.hpp) against memcpy of the same bytes, measured in the same run.
//
// The kernels are memory-bound, so what matters is how close they come to moving their bytes as fast as memcpy
// does. Every iteration times a memcpy whose traffic equals the kernel's (it copies (input + output) / 2 bytes, so
// bytes read + bytes written are the kernel's input + output bytes, and its buffers have the same footprint), on
// the same number of threads, immediately followed by the kernel. Reported per repetition:
//   GB/s         (input bytes + output bytes) / kernel time
//   memcpy_GB/s  the same bytes / memcpy time
//   ratio        memcpy time / kernel time = GB/s / memcpy_GB/s  (1.0: as fast as memcpy; the issue asks >= 0.5)
// and, over repetitions, the median, min and max of each. Run it through scripts/bench (Release build, 10
// repetitions); docs/PERFORMANCE.md has the results.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <span>
#include <thread>
#include <vector>

#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"

namespace {

using namespace ual::fp8;
using Clock = std::chrono::steady_clock;

// Persistent helper threads for the multi-threaded memcpy reference, so that it pays no thread start per call
// (the library keeps a pool for the same reason). run(f) calls f(i) for i < size() on size() threads, caller
// included, and returns when all are done.
class Team {
 public:
  explicit Team(unsigned size) : size_(size) {
    for (unsigned i = 1; i < size; ++i) helpers_.emplace_back([this, i] { loop(i); });
  }
  ~Team() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    start_cv_.notify_all();
    for (auto& t : helpers_) t.join();
  }
  unsigned size() const { return size_; }

  void run(const std::function<void(unsigned)>& f) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      task_ = &f;
      pending_ = size_ - 1;
      ++generation_;
    }
    start_cv_.notify_all();
    f(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_cv_.wait(lock, [&] { return pending_ == 0; });
  }

 private:
  void loop(unsigned index) {
    std::uint64_t seen = 0;
    for (;;) {
      const std::function<void(unsigned)>* task = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
        task = task_;
      }
      (*task)(index);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_cv_.notify_all();
    }
  }

  unsigned size_;
  std::vector<std::thread> helpers_;
  std::mutex mutex_;
  std::condition_variable start_cv_, done_cv_;
  const std::function<void(unsigned)>* task_ = nullptr;
  unsigned pending_ = 0;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

Team& team(unsigned threads) {
  static std::unique_ptr<Team> teams[3];
  if (!teams[threads]) teams[threads] = std::make_unique<Team>(threads);
  return *teams[threads];
}

void parallel_memcpy(unsigned threads, std::byte* dst, const std::byte* src, std::size_t bytes) {
  if (threads == 1) {
    std::memcpy(dst, src, bytes);
    return;
  }
  const std::size_t chunk = (bytes / threads + 63) / 64 * 64;
  team(threads).run([&](unsigned i) {
    const std::size_t begin = std::min(bytes, i * chunk);
    std::memcpy(dst + begin, src + begin, std::min(chunk, bytes - begin));
  });
}

// Activations-like data: normal(0, 1), a few larger values.
std::vector<float> make_floats(std::size_t n) {
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = normal(rng);
  return v;
}

double min_of(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end()); }
double max_of(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

// Times `kernel` against a memcpy of the same traffic, iteration by iteration (see the header comment).
template <class Kernel>
void measure(benchmark::State& state, std::size_t in_bytes, std::size_t out_bytes, unsigned threads, Kernel kernel) {
  const std::size_t bytes = in_bytes + out_bytes;
  const std::size_t copy_bytes = bytes / 2;
  std::vector<std::byte> src(copy_bytes, std::byte{1}), dst(copy_bytes, std::byte{0});
  double memcpy_seconds = 0.0;
  double kernel_seconds = 0.0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    parallel_memcpy(threads, dst.data(), src.data(), copy_bytes);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
    const auto t1 = Clock::now();
    kernel();
    benchmark::ClobberMemory();
    const auto t2 = Clock::now();
    const double k = std::chrono::duration<double>(t2 - t1).count();
    state.SetIterationTime(k);
    kernel_seconds += k;
    memcpy_seconds += std::chrono::duration<double>(t1 - t0).count();
  }
  const double total = double(bytes) * double(state.iterations());
  state.counters["GB/s"] = total / kernel_seconds / 1e9;
  state.counters["memcpy_GB/s"] = total / memcpy_seconds / 1e9;
  state.counters["ratio"] = memcpy_seconds / kernel_seconds;
}

KernelOptions options_for(unsigned threads) {
  KernelOptions options;
  options.threads = threads;
  return options;
}

void BM_quantize_f32_e4m3(benchmark::State& state) {
  const auto n = std::size_t(state.range(0));
  const auto threads = unsigned(state.range(1));
  const auto in = make_floats(n);
  std::vector<std::uint8_t> out(n);
  const float scale = 448.0f / 6.0f;
  measure(state, n * sizeof(float), n, threads, [&] {
    auto amax = quantize(std::span<const float>(in), scale, Format::e4m3, out, options_for(threads));
    benchmark::DoNotOptimize(amax);
  });
}

void BM_quantize_bf16_e4m3(benchmark::State& state) {
  const auto n = std::size_t(state.range(0));
  const auto threads = unsigned(state.range(1));
  const auto floats = make_floats(n);
  std::vector<bfloat16> in(n);
  for (std::size_t i = 0; i < n; ++i) in[i] = to_bfloat16(floats[i]);
  std::vector<std::uint8_t> out(n);
  const float scale = 448.0f / 6.0f;
  measure(state, n * sizeof(bfloat16), n, threads, [&] {
    auto amax = quantize(std::span<const bfloat16>(in), scale, Format::e4m3, out, options_for(threads));
    benchmark::DoNotOptimize(amax);
  });
}

void BM_dequantize_e4m3_f32(benchmark::State& state) {
  const auto n = std::size_t(state.range(0));
  const auto threads = unsigned(state.range(1));
  const auto floats = make_floats(n);
  std::vector<std::uint8_t> in(n);
  (void)quantize(std::span<const float>(floats), 448.0f / 6.0f, Format::e4m3, in);
  std::vector<float> out(n);
  measure(state, n, n * sizeof(float), threads, [&] {
    auto status = dequantize(in, 6.0f / 448.0f, Format::e4m3, out, options_for(threads));
    benchmark::DoNotOptimize(status);
  });
}

template <class T>
void cast_transpose_bench(benchmark::State& state) {
  const auto rows = std::size_t(state.range(0));
  const auto cols = std::size_t(state.range(1));
  const auto threads = unsigned(state.range(2));
  const std::size_t n = rows * cols;
  const auto floats = make_floats(n);
  std::vector<T> in(n);
  for (std::size_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, float>) {
      in[i] = floats[i];
    } else {
      in[i] = to_bfloat16(floats[i]);
    }
  }
  std::vector<std::uint8_t> rowwise(n), columnwise(n);
  measure(state, n * sizeof(T), 2 * n, threads, [&] {
    auto amax = cast_transpose(std::span<const T>(in), rows, cols, 448.0f / 6.0f, Format::e4m3, rowwise,
                               columnwise, options_for(threads));
    benchmark::DoNotOptimize(amax);
  });
}

void BM_cast_transpose_f32_e4m3(benchmark::State& state) { cast_transpose_bench<float>(state); }
void BM_cast_transpose_bf16_e4m3(benchmark::State& state) { cast_transpose_bench<bfloat16>(state); }

// The reference on its own as well, at quantize f32's traffic (5 bytes per element) for 1M and 16M elements.
void BM_memcpy(benchmark::State& state) {
  const auto bytes = std::size_t(state.range(0));
  const auto threads = unsigned(state.range(1));
  std::vector<std::byte> src(bytes / 2, std::byte{1}), dst(bytes / 2, std::byte{0});
  for (auto _ : state) {
    parallel_memcpy(threads, dst.data(), src.data(), bytes / 2);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.counters["GB/s"] = benchmark::Counter(double(bytes) * double(state.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

constexpr std::int64_t k1M = 1 << 20;
constexpr std::int64_t k16M = 1 << 24;

// Kernel benchmarks: timed by measure() (manual time = kernel time), with min and max next to median and mean.
void kernel_settings(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->ComputeStatistics("min", min_of)->ComputeStatistics("max", max_of);
}

BENCHMARK(BM_memcpy)
    ->ArgsProduct({{5 * k1M, 5 * k16M}, {1, 2}})
    ->ArgNames({"bytes", "threads"})
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("min", min_of)
    ->ComputeStatistics("max", max_of);
BENCHMARK(BM_quantize_f32_e4m3)->ArgsProduct({{k1M, k16M}, {1, 2}})->ArgNames({"n", "threads"})->Apply(kernel_settings);
BENCHMARK(BM_quantize_bf16_e4m3)->ArgsProduct({{k1M, k16M}, {1, 2}})->ArgNames({"n", "threads"})->Apply(kernel_settings);
BENCHMARK(BM_dequantize_e4m3_f32)->ArgsProduct({{k1M, k16M}, {1, 2}})->ArgNames({"n", "threads"})->Apply(kernel_settings);
BENCHMARK(BM_cast_transpose_f32_e4m3)
    ->Args({1024, 1024, 1})
    ->Args({1024, 1024, 2})
    ->Args({4096, 4096, 1})
    ->Args({4096, 4096, 2})
    ->ArgNames({"rows", "cols", "threads"})
    ->Apply(kernel_settings);
BENCHMARK(BM_cast_transpose_bf16_e4m3)
    ->Args({1024, 1024, 1})
    ->Args({1024, 1024, 2})
    ->Args({4096, 4096, 1})
    ->Args({4096, 4096, 2})
    ->ArgNames({"rows", "cols", "threads"})
    ->Apply(kernel_settings);

}  // namespace

BENCHMARK_MAIN();
