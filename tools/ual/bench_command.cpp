// `ual bench gemm` and `ual bench dispatch`: speed of ual's ops, always beside a reference measured in the same run
// (oneDNN called directly, our own f32 path, a direct backend call), so that a figure means something on a noisy
// machine. Never used by tests to assert speed; docs/PERFORMANCE.md records what it prints.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "cublaslt_direct.hpp"
#include "onednn_direct.hpp"
#include "ual/backends.hpp"
#include "ual/ops.hpp"
#include "ual/selector.hpp"

namespace ual::cli {
namespace {

using json = nlohmann::ordered_json;

struct GemmBenchOptions {
  std::int64_t m = 1024, n = 1024, k = 1024;
  std::string dtype = "f32";
  std::string device = "cpu";
  int threads = 0;
  int repeats = 0;
  bool transpose_b = false;         // B stored [N, K], as Transformer Engine stores weights (Hopper FP8's TN rule)
  bool split_accumulator = true;    // FP8: false = Hopper's fast accumulation
  bool json = false;
};

struct Summary {
  double median = 0, low = 0, high = 0;  // GFLOP/s
};

Summary summarize(std::vector<double> seconds, double flops) {
  std::sort(seconds.begin(), seconds.end());
  Summary summary;
  summary.median = flops / seconds[seconds.size() / 2] / 1e9;
  summary.high = flops / seconds.front() / 1e9;
  summary.low = flops / seconds.back() / 1e9;
  return summary;
}

json to_json(const Summary& summary) {
  return {{"median", summary.median}, {"min", summary.low}, {"max", summary.high}};
}

// A rough single-precision peak of the threads in use: FMA lanes per cycle from the ISA times the clock the kernel
// reports. Labelled as an estimate wherever it is printed.
double estimated_cpu_peak_gflops(int threads) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  double mhz = 0;
  bool avx512 = false, fma = false;
  while (std::getline(cpuinfo, line)) {
    if (mhz == 0 && line.rfind("cpu MHz", 0) == 0) mhz = std::atof(line.substr(line.find(':') + 1).c_str());
    if (line.rfind("flags", 0) == 0) {
      avx512 = line.find(" avx512f") != std::string::npos;
      fma = line.find(" fma") != std::string::npos;
      break;
    }
  }
  const double flops_per_cycle = avx512 ? 64 : fma ? 32 : 16;  // 2 FMA pipes x lanes x 2 flops
  return mhz * 1e6 * flops_per_cycle * threads / 1e9;
}

Result<Tensor> random_matrix(const ComputeDevice& device, DType dtype, std::int64_t rows, std::int64_t cols,
                             std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(rows * cols));
  for (float& value : values) value = distribution(generator);
  auto f32 = device.upload(std::span<const float>(values), DType::f32, {rows, cols});
  if (!f32 || dtype == DType::f32) return f32;
  auto converted = device.empty(dtype, {rows, cols});
  if (!converted) return converted;
  if (is_fp8(dtype)) {
    if (auto status = quantize(*f32, *converted, 1.0f); !status) return status.error();
    return converted;
  }
  // bf16 / f16: round on the host (exactly what the formats define), then upload.
  std::vector<std::uint16_t> bits(values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    bits[i] = dtype == DType::bf16 ? fp8::to_bfloat16(values[i]).bits : fp8::to_float16(values[i]).bits;
  return device.upload(std::span<const std::uint16_t>(bits), dtype, {rows, cols});
}

// D's dtype: f32 for f32, bf16 for FP8 (Transformer Engine's usual output) and, on the CPU, for f16 too (what the
// oneDNN reference measures); on a CUDA GPU f16 and bf16 keep their own dtype, cuBLASLt's native form.
DType bench_output_dtype(const ComputeDevice& device, DType dtype) {
  if (dtype == DType::f32) return DType::f32;
  if (device.info().backend == "cuda" && !is_fp8(dtype)) return dtype;
  return DType::bf16;
}

Result<std::vector<double>> time_our_gemm(const ComputeDevice& device, DType dtype, const GemmBenchOptions& options,
                                          int repeats) {
  auto a = random_matrix(device, dtype, options.m, options.k, 1);
  if (!a) return a.error();
  auto b = options.transpose_b ? random_matrix(device, dtype, options.n, options.k, 2)
                               : random_matrix(device, dtype, options.k, options.n, 2);
  if (!b) return b.error();
  if (options.transpose_b) *b = b->transposed();
  auto d = device.empty(bench_output_dtype(device, dtype), {options.m, options.n});
  if (!d) return d.error();
  std::vector<double> seconds;
  for (int i = -2; i < repeats; ++i) {  // two warm-up runs (primitive creation, kernel builds)
    const auto start = std::chrono::steady_clock::now();
    GemmOptions gemm_options;
    gemm_options.use_split_accumulator = options.split_accumulator;
    if (auto status = gemm(*a, *b, *d, gemm_options); !status) return status.error();
    if (auto status = device.synchronize(); !status) return status.error();
    if (i >= 0) seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return seconds;
}

int run_gemm_bench(const GemmBenchOptions& options) {
  auto dtype = parse_dtype(options.dtype);
  if (!dtype || !(dtype.value() == DType::f32 || dtype.value() == DType::bf16 || dtype.value() == DType::f16 ||
                  is_fp8(dtype.value()))) {
    fmt::print(stderr, "ual bench gemm: --dtype must be f32, bf16, f16 or an FP8 dtype (fp8_e4m3, fp8_e5m2)\n");
    return 2;
  }
  if (options.m <= 0 || options.n <= 0 || options.k <= 0) {
    fmt::print(stderr, "ual bench gemm: --m, --n and --k must be positive\n");
    return 2;
  }
  if (options.threads > 0) omp_set_num_threads(options.threads);
  const int threads = omp_get_max_threads();
  const double flops = 2.0 * options.m * options.n * options.k;
  const int repeats = options.repeats > 0 ? options.repeats : flops > 2e10 ? 5 : 15;

  const BackendRegistry& backends = default_backends();
  ComputeDevice device;
  std::string selection_reason;
  if (options.device == "auto") {
    SelectorOptions selector_options;
    selector_options.on_calibration = [](const ComputeDevice& candidate) {
      fmt::print(stderr, "ual: measuring {} for the selector (first use only; cached in {})\n", candidate.id(),
                 default_cache_directory());
    };
    auto selector = Selector::create(backends.devices(), selector_options);
    if (!selector) {
      fmt::print(stderr, "ual bench gemm: {}\n", selector.error().message);
      return 1;
    }
    auto selection = selector->select(OpShape::gemm(options.m, options.n, options.k, dtype.value(), 1, false));
    if (!selection) {
      fmt::print(stderr, "ual bench gemm: {}\n", selection.error().message);
      return 1;
    }
    device = selection->device;
    selection_reason = selection->reason;
  } else {
    auto found = backends.device(options.device);
    if (!found) {
      fmt::print(stderr, "ual bench gemm: {}\n", found.error().message);
      return 1;
    }
    device = found.value();
  }
  if (!options.json)
    fmt::print("GEMM {}x{}x{} {} on {} ({}), {} repeats, {} OpenMP thread{}\n", options.m, options.n, options.k,
               to_string(dtype.value()), device.id(), device.info().name, repeats, threads, threads == 1 ? "" : "s");
  if (!selection_reason.empty() && !options.json) fmt::print("  selected: {}\n", selection_reason);

  auto ours = time_our_gemm(device, dtype.value(), options, repeats);
  if (!ours) {
    fmt::print(stderr, "ual bench gemm: {}\n", ours.error().message);
    return 1;
  }
  const Summary summary = summarize(ours.value(), flops);
  json report{{"m", options.m}, {"n", options.n}, {"k", options.k}, {"dtype", to_string(dtype.value())},
              {"device", device.id()}, {"device_name", device.info().name}, {"threads", threads},
              {"repeats", repeats}, {"transpose_b", options.transpose_b},
              {"split_accumulator", options.split_accumulator}, {"gflops", to_json(summary)}};
  if (!selection_reason.empty()) report["selection"] = selection_reason;
  if (!options.json)
    fmt::print("  ual::gemm            {:8.1f} GFLOP/s  (min {:.1f}, max {:.1f})\n", summary.median, summary.low,
               summary.high);

  if (dtype.value() != DType::f32) {
    auto f32 = time_our_gemm(device, DType::f32, options, repeats);
    if (f32) {
      const Summary f32_summary = summarize(f32.value(), flops);
      report["f32"] = {{"gflops", to_json(f32_summary)}, {"ratio", summary.median / f32_summary.median}};
      if (!options.json)
        fmt::print("  ual::gemm f32        {:8.1f} GFLOP/s  (min {:.1f}, max {:.1f}); {} / f32 = {:.2f}\n",
                   f32_summary.median, f32_summary.low, f32_summary.high, to_string(dtype.value()),
                   summary.median / f32_summary.median);
    }
  }
  if (device.info().backend == "cuda") {
    DirectCublasLtOptions direct_options;
    direct_options.device_ordinal = std::atoi(device.id().substr(device.id().find(':') + 1).c_str());
    direct_options.m = options.m;
    direct_options.n = options.n;
    direct_options.k = options.k;
    direct_options.dtype = dtype.value();
    direct_options.output = bench_output_dtype(device, dtype.value());
    direct_options.transpose_b = options.transpose_b;
    direct_options.split_accumulator = options.split_accumulator;
    direct_options.repeats = repeats;
    auto direct = time_cublaslt_direct(direct_options);
    const std::string name = "cuBLASLt, called directly";
    if (!direct) {
      report["references"] = json::array({json{{"name", name}, {"available", false}, {"reason", direct.error().message}}});
      if (!options.json) fmt::print("  cuBLASLt direct      unavailable: {}\n", direct.error().message);
    } else {
      const Summary direct_summary = summarize(direct->seconds, flops);
      report["references"] = json::array({json{{"name", name}, {"available", true}, {"implementation", direct->library},
                                               {"gflops", to_json(direct_summary)},
                                               {"ratio", summary.median / direct_summary.median}}});
      if (!options.json)
        fmt::print("  cuBLASLt direct      {:8.1f} GFLOP/s  (min {:.1f}, max {:.1f}); ual / direct = {:.3f}  [{}]\n",
                   direct_summary.median, direct_summary.low, direct_summary.high,
                   summary.median / direct_summary.median, direct->library);
    }
  }
  if (device.info().backend == "cpu") {
    json references = json::array();
    for (DType reference_dtype : {DType::f32, DType::bf16}) {
      if (reference_dtype != DType::f32 && reference_dtype != dtype.value() && !is_fp8(dtype.value())) continue;
      DirectGemmOptions direct_options;
      direct_options.dtype = to_string(reference_dtype);
      direct_options.output_dtype = dtype.value() == DType::f32 ? "f32" : "bf16";
      if (reference_dtype == DType::f32) direct_options.output_dtype = "f32";
      direct_options.m = options.m;
      direct_options.n = options.n;
      direct_options.k = options.k;
      direct_options.repeats = repeats;
      auto direct = time_onednn_direct_gemm(direct_options);
      const std::string name = fmt::format("oneDNN {} matmul, called directly", to_string(reference_dtype));
      if (!direct) {
        references.push_back(json{{"name", name}, {"available", false}, {"reason", direct.error().message}});
        if (!options.json)
          fmt::print("  {:<20} unavailable: {}\n", fmt::format("oneDNN {} direct", to_string(reference_dtype)),
                     direct.error().message);
        continue;
      }
      const Summary direct_summary = summarize(direct->seconds, flops);
      references.push_back(json{{"name", name}, {"available", true}, {"implementation", direct->implementation},
                            {"gflops", to_json(direct_summary)}, {"ratio", summary.median / direct_summary.median}});
      if (!options.json)
        fmt::print("  {:<20} {:8.1f} GFLOP/s  (min {:.1f}, max {:.1f}); ual / direct = {:.3f}  [{}]\n",
                   fmt::format("oneDNN {} direct", to_string(reference_dtype)), direct_summary.median,
                   direct_summary.low, direct_summary.high, summary.median / direct_summary.median,
                   direct->implementation);
    }
    report["references"] = references;
    const double peak = estimated_cpu_peak_gflops(threads);
    if (peak > 0) {
      report["peak_gflops_estimate"] = peak;
      report["share_of_peak"] = summary.median / peak;
      if (!options.json)
        fmt::print("  share of estimated f32 peak ({:.0f} GFLOP/s: FMA lanes x cpu MHz x threads): {:.0f}%\n", peak,
                   100 * summary.median / peak);
    }
  }
  if (options.json) fmt::print("{}\n", report.dump(2));
  return 0;
}

struct DispatchBenchOptions {
  std::string device = "cpu";
  std::int64_t elements = 16;
  int calls = 20000;
  bool json = false;
};

int run_dispatch_bench(const DispatchBenchOptions& options) {
  if (options.elements <= 0 || options.calls <= 0) {
    fmt::print(stderr, "ual bench dispatch: --elements and --calls must be positive\n");
    return 2;
  }
  auto device = default_backends().device(options.device);
  if (!device) {
    fmt::print(stderr, "ual bench dispatch: {}\n", device.error().message);
    return 1;
  }
  auto timing = time_dispatch(device.value(), options.elements, options.calls);
  if (!timing) {
    fmt::print(stderr, "ual bench dispatch: {}\n", timing.error().message);
    return 1;
  }
  const double overhead = timing->api_seconds_per_call - timing->direct_seconds_per_call;
  if (options.json) {
    fmt::print("{}\n", json{{"device", device->id()},
                            {"op", "add"},
                            {"elements", options.elements},
                            {"calls", options.calls},
                            {"api_seconds_per_call", timing->api_seconds_per_call},
                            {"direct_seconds_per_call", timing->direct_seconds_per_call},
                            {"overhead_seconds_per_call", overhead}}
                           .dump(2));
  } else {
    fmt::print("add of {} f32 on {}, best of 5 rounds of {} calls\n", options.elements, device->id(), options.calls);
    fmt::print("  ual::add (validate + dispatch)   {:8.3f} µs/call\n", timing->api_seconds_per_call * 1e6);
    fmt::print("  backend run() called directly    {:8.3f} µs/call\n", timing->direct_seconds_per_call * 1e6);
    fmt::print("  overhead                         {:8.3f} µs/call\n", overhead * 1e6);
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, Action& action) {
  CLI::App* bench = app.add_subcommand("bench", "Measure ual's ops against references timed in the same run");
  bench->require_subcommand(1);

  auto gemm_options = std::make_shared<GemmBenchOptions>();
  CLI::App* gemm_command = bench->add_subcommand("gemm", "GFLOP/s of ual::gemm beside oneDNN called directly");
  gemm_command->add_option("--m", gemm_options->m, "Rows of A and D")->capture_default_str();
  gemm_command->add_option("--n", gemm_options->n, "Columns of B and D")->capture_default_str();
  gemm_command->add_option("--k", gemm_options->k, "Columns of A, rows of B")->capture_default_str();
  gemm_command->add_option("--dtype", gemm_options->dtype, "f32, bf16, f16, fp8_e4m3 or fp8_e5m2")->capture_default_str();
  gemm_command->add_option("--device", gemm_options->device, "cpu, opencl:0, ... or auto (the selector's choice)")
      ->capture_default_str();
  gemm_command->add_option("--threads", gemm_options->threads, "OpenMP threads for the CPU (0: OpenMP's default)")
      ->capture_default_str();
  gemm_command->add_option("--repeats", gemm_options->repeats, "Timed runs (0: 15, or 5 for large shapes)");
  gemm_command->add_flag("--transpose-b", gemm_options->transpose_b,
                         "B stored [N, K] (weights as Transformer Engine keeps them; FP8 on Hopper needs K-major B)");
  gemm_command->add_flag("!--fast-accumulation", gemm_options->split_accumulator,
                         "FP8: Hopper's fast accumulation (Transformer Engine's use_split_accumulator = false)");
  gemm_command->add_flag("--json", gemm_options->json, "Machine-readable output");
  gemm_command->callback([gemm_options, &action] { action = [gemm_options] { return run_gemm_bench(*gemm_options); }; });

  auto dispatch_options = std::make_shared<DispatchBenchOptions>();
  CLI::App* dispatch = bench->add_subcommand("dispatch", "Per-call overhead of the op API over a direct backend call");
  dispatch->add_option("--device", dispatch_options->device, "cpu, opencl:0, ...")->capture_default_str();
  dispatch->add_option("--elements", dispatch_options->elements, "Elements of the tiny add")->capture_default_str();
  dispatch->add_option("--calls", dispatch_options->calls, "Calls per round")->capture_default_str();
  dispatch->add_flag("--json", dispatch_options->json, "Machine-readable output");
  dispatch->callback(
      [dispatch_options, &action] { action = [dispatch_options] { return run_dispatch_bench(*dispatch_options); }; });
}

namespace {
const CommandRegistration registration{"bench", 90, add_bench_command};
}  // namespace

}  // namespace ual::cli
