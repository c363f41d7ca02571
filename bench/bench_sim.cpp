// HopperSim's own speed: one estimate_inference call, as `ual sim infer` and the planner make it. Uses only the
// public API (ual/sim.hpp). Two cases on Llama 3.1 70B, FP8, 8 x H100 SXM with TP 8, 2048 prompt / 512 output
// tokens:
//   fixed_batch  --batch 64: prefill chunks plus 8 sampled decode steps, the analytical path
//   offline      the default offline queue (enough requests for steady state), the step-by-step serving simulation
// The catalog lookups happen once, outside the timed loop; each iteration is one full estimate. Run it in a Release
// build: ./build/bench/ual_bench_sim --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>

#include "ual/sim.hpp"

namespace {

using namespace ual::sim;

struct Target {
  ModelSpec model;
  HardwareSpec hardware;
};

const Target& target() {
  static const Target loaded = [] {
    auto model = find_model("llama-3.1-70b");
    auto hardware = find_hardware("h100-sxm");
    if (!model || !hardware) {
      std::fprintf(stderr, "bench_sim: %s\n",
                   (!model ? model.error() : hardware.error()).message.c_str());
      std::exit(1);
    }
    return Target{*model, *hardware};
  }();
  return loaded;
}

InferenceOptions options(InferenceMode mode) {
  InferenceOptions options;
  options.gpus = 8;
  options.tp = 8;
  options.precision = Precision::fp8;
  options.input_len = 2048;
  options.output_len = 512;
  options.mode = mode;
  if (mode == InferenceMode::batch) options.batch = 64;
  return options;
}

void run(benchmark::State& state, InferenceMode mode) {
  const Target& loaded = target();
  const InferenceOptions request = options(mode);
  double throughput = 0;
  int requests = 0;
  for (auto _ : state) {
    auto estimate = estimate_inference(loaded.model, loaded.hardware, request);
    if (!estimate) {
      state.SkipWithError(estimate.error().message.c_str());
      return;
    }
    // The whole result, not one double: Google Benchmark 1.7's DoNotOptimize("+m,r") can corrupt a lone double
    // under GCC (fixed in 1.8).
    benchmark::DoNotOptimize(estimate);
    throughput = estimate->throughput_tokens_per_s;
    requests = estimate->num_requests;
  }
  // What was estimated, so a speed-up that changes the answer shows in the same report.
  state.counters["predicted_tokens_per_s"] = throughput;
  state.counters["simulated_requests"] = requests;
}

void BM_EstimateInferenceFixedBatch(benchmark::State& state) { run(state, InferenceMode::batch); }
void BM_EstimateInferenceOffline(benchmark::State& state) { run(state, InferenceMode::offline); }

BENCHMARK(BM_EstimateInferenceFixedBatch)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EstimateInferenceOffline)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
