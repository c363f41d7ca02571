// FP8 bulk kernels, front end: argument checks (all before any output is written), instruction-set dispatch,
// threads. The per-element work is in kernels_scalar.cpp (the reference) and kernels_avx2.cpp /
// kernels_avx512.cpp (kernel_simd.hpp), which all produce the same bits.
#include <cpuid.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <new>
#include <mutex>
#include <span>
#include <string>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "fp8/kernel_dispatch.hpp"
#include "ual/fp8.hpp"
#include "ual/fp8_kernels.hpp"
#include "ual/result.hpp"

namespace ual::fp8 {
namespace detail {
namespace {

EncodeSpec build_encode_spec(Format format, Overflow overflow) {
  const FormatInfo& info = format_info(format);
  constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
  constexpr float kInf = std::numeric_limits<float>::infinity();
  constexpr float kMax = std::numeric_limits<float>::max();
  EncodeSpec s;
  s.mantissa_bits = info.mantissa_bits;
  s.rebias = (127 - info.exponent_bias) << info.mantissa_bits;
  s.subnormal_shift_base = (23 - info.mantissa_bits) + (128 - info.exponent_bias);
  s.min_normal_bits = std::bit_cast<std::uint32_t>(info.min_normal);
  s.max_code = encode(info.max, format, overflow) & 0x7F;
  s.negative_zero = info.has_negative_zero;
  s.nan_pos = encode(kNan, format, overflow);
  s.nan_neg = encode(-kNan, format, overflow);
  s.inf_pos = encode(kInf, format, overflow);
  s.inf_neg = encode(-kInf, format, overflow);
  s.overflow_pos = encode(kMax, format, overflow);
  s.overflow_neg = encode(-kMax, format, overflow);
  return s;
}

// The vector decoders' arithmetic for one code (kernel_simd.hpp decode_lanes), to find where it differs from
// decode() and the table must be used instead.
std::uint32_t arithmetic_decode_bits(const DecodeSpec& s, int code) {
  const std::uint32_t mag = std::uint32_t(code) & 0x7FU;
  const std::uint32_t sign = (std::uint32_t(code) & 0x80U) << 24;
  if (mag < (1U << s.mantissa_bits)) return std::bit_cast<std::uint32_t>(float(mag) * s.subnormal_unit) | sign;
  return ((mag << (23 - s.mantissa_bits)) + s.rebias_bits) | sign;
}

DecodeSpec build_decode_spec(Format format) {
  const FormatInfo& info = format_info(format);
  DecodeSpec s;
  s.mantissa_bits = info.mantissa_bits;
  s.rebias_bits = std::uint32_t(127 - info.exponent_bias) << 23;
  s.subnormal_unit = info.min_subnormal;
  for (int code = 0; code < 256; ++code) {
    s.table[code] = decode(std::uint8_t(code), format);
    if (std::bit_cast<std::uint32_t>(s.table[code]) == arithmetic_decode_bits(s, code)) continue;
    if (code == 0x80) {
      s.special_byte = 0x80;
    } else {
      s.special_magnitude_min = std::min(s.special_magnitude_min, code & 0x7F);
    }
  }
  return s;
}

constexpr std::size_t format_index(Format format) { return static_cast<std::size_t>(format); }

}  // namespace

const EncodeSpec& encode_spec(Format format, Overflow overflow) noexcept {
  static const std::array<EncodeSpec, 8> specs = [] {
    std::array<EncodeSpec, 8> a{};
    for (std::size_t f = 0; f < 4; ++f) {
      a[2 * f] = build_encode_spec(static_cast<Format>(f), Overflow::saturate);
      a[2 * f + 1] = build_encode_spec(static_cast<Format>(f), Overflow::nonfinite);
    }
    return a;
  }();
  return specs[2 * format_index(format) + (overflow == Overflow::saturate ? 0 : 1)];
}

const DecodeSpec& decode_spec(Format format) noexcept {
  static const std::array<DecodeSpec, 4> specs = [] {
    std::array<DecodeSpec, 4> a{};
    for (std::size_t f = 0; f < 4; ++f) a[f] = build_decode_spec(static_cast<Format>(f));
    return a;
  }();
  return specs[format_index(format)];
}

}  // namespace detail

namespace {

using detail::KernelSet;

// Auto threading: below this many bytes (read + written) one thread; from it, hardware_concurrency threads.
// Measured on the 2-core CI machine (docs/PERFORMANCE.md, "FP8 bulk kernels"): a second thread costs a few
// microseconds to wake and only pays off once the tensor no longer fits in one core's L2 (quantize float -> e4m3,
// 2 threads vs 1: 0.95x at 0.6 MiB, 1.09x at 1.25 MiB, 1.7x at 2.5 MiB, 1.9x at 5 MiB).
constexpr std::size_t kParallelThresholdBytes = std::size_t{2} << 20;
constexpr unsigned kMaxThreads = 256;
// Chunks start on multiples of 64 elements, so no two threads write the same 64-byte line of a byte output.
constexpr std::size_t kChunkAlign = 64;
// cast_transpose splits rows in bands of this many (the vector kernels' band height).
constexpr std::size_t kRowBand = detail::kCastTransposeBandRows;

constexpr std::size_t ceil_div(std::size_t a, std::size_t b) { return (a + b - 1) / b; }

// A small pool of worker threads, started on first use and grown on demand (never beyond kMaxThreads - 1); the
// calling thread works too. Jobs from concurrent callers share the workers. The pool is never destroyed (workers
// may still wait on it while static destructors run), and it is reachable, so leak checkers do not report it.
class WorkerPool {
 public:
  static WorkerPool& instance() {
    static WorkerPool* pool = new WorkerPool();
    return *pool;
  }

  // Runs task(i) for every i < count, each exactly once, and returns when all have finished.
  template <class Task>
  void run(std::size_t count, Task& task) {
    if (count <= 1) {
      if (count == 1) task(0);
      return;
    }
    Job job;
    job.count = count;
    job.context = &task;
    job.invoke = [](void* context, std::size_t i) { (*static_cast<Task*>(context))(i); };
    {
      std::lock_guard<std::mutex> lock(mutex_);
      grow_locked(count - 1);
      jobs_.push_back(&job);
    }
    work_cv_.notify_all();
    const std::size_t mine = work_on(job);
    std::unique_lock<std::mutex> lock(mutex_);
    retire_locked(&job);
    job.done += mine;
    done_cv_.wait(lock, [&] { return job.done == job.count && job.active == 0; });
  }

 private:
  struct Job {
    std::size_t count = 0;
    void* context = nullptr;
    void (*invoke)(void*, std::size_t) = nullptr;
    std::atomic<std::size_t> next{0};
    std::size_t done = 0;    // guarded by mutex_
    std::size_t active = 0;  // workers holding a pointer to this job; guarded by mutex_
  };

  static std::size_t work_on(Job& job) {
    std::size_t finished = 0;
    for (;;) {
      const std::size_t i = job.next.fetch_add(1, std::memory_order_relaxed);
      if (i >= job.count) return finished;
      job.invoke(job.context, i);
      ++finished;
    }
  }

  void retire_locked(Job* job) {
    const auto it = std::find(jobs_.begin(), jobs_.end(), job);
    if (it != jobs_.end()) jobs_.erase(it);
  }

  void grow_locked(std::size_t wanted) {
    wanted = std::min<std::size_t>(wanted, kMaxThreads - 1);
    while (workers_ < wanted) {
      try {
        std::thread(&WorkerPool::worker_loop, this).detach();
      } catch (const std::system_error&) {
        return;  // fewer workers: the caller and the others still finish every task
      }
      ++workers_;
    }
  }

  void worker_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      work_cv_.wait(lock, [&] { return !jobs_.empty(); });
      Job* job = jobs_.front();
      ++job->active;
      lock.unlock();
      const std::size_t mine = work_on(*job);
      lock.lock();
      retire_locked(job);  // every task is claimed: nobody else should pick it up
      job->done += mine;
      --job->active;
      if (job->done == job->count && job->active == 0) done_cv_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<Job*> jobs_;
  std::size_t workers_ = 0;
};

unsigned resolve_threads(unsigned requested, std::size_t bytes, std::size_t max_tasks) {
  std::size_t threads = requested;
  if (threads == 0) threads = bytes >= kParallelThresholdBytes ? std::max(1U, std::thread::hardware_concurrency()) : 1;
  threads = std::min<std::size_t>({threads, kMaxThreads, max_tasks});
  return static_cast<unsigned>(std::max<std::size_t>(threads, 1));
}

bool valid(Format format) {
  switch (format) {
    case Format::e4m3:
    case Format::e5m2:
    case Format::e4m3fnuz:
    case Format::e5m2fnuz: return true;
  }
  return false;
}

bool valid(Overflow overflow) { return overflow == Overflow::saturate || overflow == Overflow::nonfinite; }

bool valid(Isa isa) {
  switch (isa) {
    case Isa::automatic:
    case Isa::scalar:
    case Isa::avx2:
    case Isa::avx512: return true;
  }
  return false;
}

Error invalid(std::string message) { return make_error(ErrorCode::invalid_argument, std::move(message)); }

bool overlaps(const void* a, std::size_t a_bytes, const void* b, std::size_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0) return false;
  const auto pa = reinterpret_cast<std::uintptr_t>(a);
  const auto pb = reinterpret_cast<std::uintptr_t>(b);
  return pa < pb + b_bytes && pb < pa + a_bytes;
}

// Checks shared by every entry point; on success *kernels is the set to run.
Status check_common(const char* function, const char* scale_name, float scale, Format format, Overflow overflow,
                    const KernelOptions& options, const KernelSet** kernels) {
  if (!valid(format)) {
    return invalid(fmt::format("fp8::{}: format has no valid value ({})", function, static_cast<int>(format)));
  }
  if (!valid(overflow)) {
    return invalid(
        fmt::format("fp8::{}: options.overflow has no valid value ({})", function, static_cast<int>(overflow)));
  }
  if (!valid(options.isa)) {
    return invalid(fmt::format("fp8::{}: options.isa has no valid value ({})", function, static_cast<int>(options.isa)));
  }
  if (std::isnan(scale)) {
    return invalid(fmt::format("fp8::{}: {} is NaN (every output would be NaN; Transformer Engine's scale update "
                               "never produces one)",
                               function, scale_name));
  }
  const Isa isa = options.isa == Isa::automatic ? detected_isa() : options.isa;
  if (!isa_supported(isa)) {
    return make_error(ErrorCode::unavailable,
                      fmt::format("fp8::{}: options.isa = {} is not supported by this CPU (it has: {})", function,
                                  to_string(isa), to_string(detected_isa())));
  }
  switch (isa) {
    case Isa::avx512: *kernels = &detail::avx512_kernel_set(); break;
    case Isa::avx2: *kernels = &detail::avx2_kernel_set(); break;
    default: *kernels = &detail::scalar_kernel_set(); break;
  }
  return ok_status();
}

template <class T>
struct InputKind;
template <>
struct InputKind<float> {
  static auto quantize(const KernelSet& k) { return k.quantize_f32; }
  static auto cast_transpose(const KernelSet& k) { return k.cast_transpose_f32; }
};
template <>
struct InputKind<bfloat16> {
  static auto quantize(const KernelSet& k) { return k.quantize_bf16; }
  static auto cast_transpose(const KernelSet& k) { return k.cast_transpose_bf16; }
};
template <>
struct InputKind<float16> {
  static auto quantize(const KernelSet& k) { return k.quantize_f16; }
  static auto cast_transpose(const KernelSet& k) { return k.cast_transpose_f16; }
};

detail::QuantizeArgs quantize_args(float scale, Format format, Overflow overflow) {
  detail::QuantizeArgs args;
  args.spec = &detail::encode_spec(format, overflow);
  args.scale = scale;
  args.format = format;
  args.overflow = overflow;
  return args;
}

template <class T>
Result<float> quantize_impl(std::span<const T> input, float scale, Format format, std::span<std::uint8_t> output,
                            const KernelOptions& options) {
  const KernelSet* kernels = nullptr;
  if (auto status = check_common("quantize", "scale", scale, format, options.overflow, options, &kernels); !status) {
    return status.error();
  }
  if (output.size() != input.size()) {
    return invalid(fmt::format("fp8::quantize: output has {} elements but input has {}; they must be equal",
                               output.size(), input.size()));
  }
  if (overlaps(input.data(), input.size_bytes(), output.data(), output.size_bytes())) {
    return invalid("fp8::quantize: input and output overlap in memory");
  }
  const std::size_t n = input.size();
  if (n == 0) return 0.0f;
  const auto kernel = InputKind<T>::quantize(*kernels);
  const detail::QuantizeArgs args = quantize_args(scale, format, options.overflow);
  const unsigned threads = resolve_threads(options.threads, input.size_bytes() + n, ceil_div(n, kChunkAlign));
  if (threads == 1) return std::bit_cast<float>(kernel(input.data(), output.data(), n, args));

  const std::size_t chunk = ceil_div(ceil_div(n, threads), kChunkAlign) * kChunkAlign;
  const std::size_t tasks = ceil_div(n, chunk);
  std::array<std::uint32_t, kMaxThreads> partial{};
  auto task = [&](std::size_t t) {
    const std::size_t begin = t * chunk;
    partial[t] = kernel(input.data() + begin, output.data() + begin, std::min(chunk, n - begin), args);
  };
  WorkerPool::instance().run(tasks, task);
  return std::bit_cast<float>(*std::max_element(partial.begin(), partial.begin() + std::ptrdiff_t(tasks)));
}

template <class Out, class Kernel>
Status dequantize_impl(std::span<const std::uint8_t> input, float scale_inv, Format format, std::span<Out> output,
                       const KernelOptions& options, Kernel select) {
  const KernelSet* kernels = nullptr;
  // options.overflow plays no part in decoding; it is not checked either.
  if (auto status = check_common("dequantize", "scale_inv", scale_inv, format, Overflow::saturate, options, &kernels);
      !status) {
    return status;
  }
  if (output.size() != input.size()) {
    return invalid(fmt::format("fp8::dequantize: output has {} elements but input has {}; they must be equal",
                               output.size(), input.size()));
  }
  if (overlaps(input.data(), input.size_bytes(), output.data(), output.size_bytes())) {
    return invalid("fp8::dequantize: input and output overlap in memory");
  }
  const std::size_t n = input.size();
  if (n == 0) return ok_status();
  const auto kernel = select(*kernels);
  detail::DequantizeArgs args;
  args.spec = &detail::decode_spec(format);
  args.scale_inv = scale_inv;
  args.format = format;
  const unsigned threads = resolve_threads(options.threads, n + output.size_bytes(), ceil_div(n, kChunkAlign));
  if (threads == 1) {
    kernel(input.data(), output.data(), n, args);
    return ok_status();
  }
  const std::size_t chunk = ceil_div(ceil_div(n, threads), kChunkAlign) * kChunkAlign;
  auto task = [&](std::size_t t) {
    const std::size_t begin = t * chunk;
    kernel(input.data() + begin, output.data() + begin, std::min(chunk, n - begin), args);
  };
  WorkerPool::instance().run(ceil_div(n, chunk), task);
  return ok_status();
}

template <class T>
Result<float> cast_transpose_impl(std::span<const T> input, std::size_t rows, std::size_t cols, float scale,
                                  Format format, std::span<std::uint8_t> rowwise, std::span<std::uint8_t> columnwise,
                                  const KernelOptions& options) {
  const KernelSet* kernels = nullptr;
  if (auto status = check_common("cast_transpose", "scale", scale, format, options.overflow, options, &kernels);
      !status) {
    return status.error();
  }
  std::size_t n = 0;
  if (__builtin_mul_overflow(rows, cols, &n)) {
    return invalid(fmt::format("fp8::cast_transpose: rows * cols = {} * {} does not fit in size_t", rows, cols));
  }
  if (input.size() != n) {
    return invalid(fmt::format("fp8::cast_transpose: input has {} elements but rows * cols = {} * {} = {}",
                               input.size(), rows, cols, n));
  }
  if (rowwise.size() != n) {
    return invalid(fmt::format("fp8::cast_transpose: rowwise has {} elements but rows * cols = {} * {} = {}",
                               rowwise.size(), rows, cols, n));
  }
  if (columnwise.size() != n) {
    return invalid(fmt::format("fp8::cast_transpose: columnwise has {} elements but rows * cols = {} * {} = {}",
                               columnwise.size(), rows, cols, n));
  }
  if (overlaps(input.data(), input.size_bytes(), rowwise.data(), rowwise.size_bytes())) {
    return invalid("fp8::cast_transpose: input and rowwise overlap in memory");
  }
  if (overlaps(input.data(), input.size_bytes(), columnwise.data(), columnwise.size_bytes())) {
    return invalid("fp8::cast_transpose: input and columnwise overlap in memory");
  }
  if (overlaps(rowwise.data(), rowwise.size_bytes(), columnwise.data(), columnwise.size_bytes())) {
    return invalid("fp8::cast_transpose: rowwise and columnwise overlap in memory");
  }
  if (n == 0) return 0.0f;
  const detail::QuantizeArgs args = quantize_args(scale, format, options.overflow);
  const std::size_t bands = ceil_div(rows, kRowBand);
  const unsigned threads = resolve_threads(options.threads, input.size_bytes() + 2 * n, bands);
  const std::size_t rows_per_task = ceil_div(bands, threads) * kRowBand;
  const std::size_t tasks = ceil_div(rows, rows_per_task);
  std::array<std::uint32_t, kMaxThreads> partial{};
  auto task = [&](std::size_t t) {
    const std::size_t begin = t * rows_per_task;
    const std::size_t end = std::min(rows, begin + rows_per_task);
    const KernelSet* set = kernels;
    std::unique_ptr<std::uint8_t[]> scratch;
    if (set->needs_scratch) {
      scratch.reset(new (std::nothrow) std::uint8_t[detail::kCastTransposeScratchBytes]);
      if (!scratch) set = &detail::scalar_kernel_set();  // same bits, no scratch needed
    }
    partial[t] = InputKind<T>::cast_transpose(*set)(input.data(), rows, cols, begin, end, rowwise.data(),
                                                    columnwise.data(), scratch.get(), args);
  };
  WorkerPool::instance().run(tasks, task);
  return std::bit_cast<float>(*std::max_element(partial.begin(), partial.begin() + std::ptrdiff_t(tasks)));
}

}  // namespace

const char* to_string(Isa isa) noexcept {
  switch (isa) {
    case Isa::automatic: return "automatic";
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
  }
  return "unknown";
}

// F16C is CPUID leaf 1, ECX bit 29 (Intel SDM vol. 2A, CPUID): asked directly, because clang 14's
// __builtin_cpu_supports does not know the "f16c" feature string (GCC's does), and the fuzz build uses clang.
static bool cpu_has_f16c() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
}

bool isa_supported(Isa isa) noexcept {
  static const bool has_avx2 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c() &&
           __builtin_cpu_supports("bmi2");
  }();
  static const bool has_avx512 = [] {
    __builtin_cpu_init();
    return has_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  }();
  switch (isa) {
    case Isa::automatic:
    case Isa::scalar: return true;
    case Isa::avx2: return has_avx2;
    case Isa::avx512: return has_avx512;
  }
  return false;
}

Isa detected_isa() noexcept {
  if (isa_supported(Isa::avx512)) return Isa::avx512;
  if (isa_supported(Isa::avx2)) return Isa::avx2;
  return Isa::scalar;
}

std::size_t kernel_parallel_threshold_bytes() noexcept { return kParallelThresholdBytes; }

Result<float> quantize(std::span<const float> input, float scale, Format format, std::span<std::uint8_t> output,
                       const KernelOptions& options) {
  return quantize_impl(input, scale, format, output, options);
}

Result<float> quantize(std::span<const bfloat16> input, float scale, Format format, std::span<std::uint8_t> output,
                       const KernelOptions& options) {
  return quantize_impl(input, scale, format, output, options);
}

Result<float> quantize(std::span<const float16> input, float scale, Format format, std::span<std::uint8_t> output,
                       const KernelOptions& options) {
  return quantize_impl(input, scale, format, output, options);
}

Status dequantize(std::span<const std::uint8_t> input, float scale_inv, Format format, std::span<float> output,
                  const KernelOptions& options) {
  return dequantize_impl(input, scale_inv, format, output, options,
                         [](const KernelSet& k) { return k.dequantize_f32; });
}

Status dequantize(std::span<const std::uint8_t> input, float scale_inv, Format format, std::span<bfloat16> output,
                  const KernelOptions& options) {
  return dequantize_impl(input, scale_inv, format, output, options,
                         [](const KernelSet& k) { return k.dequantize_bf16; });
}

Result<float> cast_transpose(std::span<const float> input, std::size_t rows, std::size_t cols, float scale,
                             Format format, std::span<std::uint8_t> rowwise, std::span<std::uint8_t> columnwise,
                             const KernelOptions& options) {
  return cast_transpose_impl(input, rows, cols, scale, format, rowwise, columnwise, options);
}

Result<float> cast_transpose(std::span<const bfloat16> input, std::size_t rows, std::size_t cols, float scale,
                             Format format, std::span<std::uint8_t> rowwise, std::span<std::uint8_t> columnwise,
                             const KernelOptions& options) {
  return cast_transpose_impl(input, rows, cols, scale, format, rowwise, columnwise, options);
}

Result<float> cast_transpose(std::span<const float16> input, std::size_t rows, std::size_t cols, float scale,
                             Format format, std::span<std::uint8_t> rowwise, std::span<std::uint8_t> columnwise,
                             const KernelOptions& options) {
  return cast_transpose_impl(input, rows, cols, scale, format, rowwise, columnwise, options);
}

}  // namespace ual::fp8
