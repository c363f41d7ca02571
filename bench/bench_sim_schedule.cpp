// HEFT, CPOP and PEFT (ual/sim_schedule.hpp) on the same random task graphs, as Topcuoglu et al. 2002 compare them.
//
// Graphs: the paper's generator with v in {100, 300, 500}; for each v every combination of CCR {0.1, 1, 5}, shape
// alpha {0.5, 1, 2} and beta {0.25, 0.5, 1}, five seeds each with out-degree 1..5, on 4 devices: 135 graphs per v,
// identical for the three algorithms. One iteration schedules all of them. Reported per algorithm and v:
//   average_slr       mean schedule length ratio (makespan / critical path of minimum costs; lower is better)
//   average_speedup   mean speedup (best single-device sequential time / makespan; higher is better)
//   best_share        share of the graphs on which this algorithm's makespan is the shortest of the three (ties count)
//   seconds_per_graph run time of schedule_task_graph per graph: validation, ranks and placement (graph generation
//                     is done once, before timing)
// and, over repetitions (--benchmark_repetitions=N), the median, min and max of each.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ual/sim_schedule.hpp"

namespace {

using ual::sim::ScheduleAlgorithm;

constexpr ScheduleAlgorithm algorithms[] = {ScheduleAlgorithm::heft, ScheduleAlgorithm::cpop, ScheduleAlgorithm::peft};

struct Workload {
  std::vector<ual::sim::TaskGraph> graphs;
  std::vector<double> shortest_makespan;  // per graph, the best of the three algorithms
};

const Workload& workload(int tasks) {
  static std::map<int, Workload> cache;
  auto [entry, created] = cache.try_emplace(tasks);
  Workload& work = entry->second;
  if (!created) return work;
  std::uint64_t seed = static_cast<std::uint64_t>(tasks) * 1000;
  for (double ccr : {0.1, 1.0, 5.0})
    for (double shape : {0.5, 1.0, 2.0})
      for (double beta : {0.25, 0.5, 1.0})
        for (int out_degree = 1; out_degree <= 5; ++out_degree) {
          ual::sim::RandomTaskGraphParameters parameters;
          parameters.tasks = tasks;
          parameters.communication_to_computation_ratio = ccr;
          parameters.shape = shape;
          parameters.heterogeneity = beta;
          parameters.out_degree = out_degree;
          parameters.devices = 4;
          parameters.seed = ++seed;
          work.graphs.push_back(ual::sim::generate_random_task_graph(parameters).value());
        }
  for (const ual::sim::TaskGraph& graph : work.graphs) {
    double shortest = 0;
    bool first = true;
    for (ScheduleAlgorithm algorithm : algorithms) {
      const double makespan = ual::sim::schedule_task_graph(graph, algorithm).value().makespan;
      shortest = first ? makespan : std::min(shortest, makespan);
      first = false;
    }
    work.shortest_makespan.push_back(shortest);
  }
  return work;
}

void schedule_random_graphs(benchmark::State& state, ScheduleAlgorithm algorithm, int tasks) {
  const Workload& work = workload(tasks);
  double slr = 0, speedup = 0, best = 0;
  std::int64_t scheduled = 0;
  for (auto _ : state) {
    slr = speedup = best = 0;
    for (std::size_t i = 0; i < work.graphs.size(); ++i) {
      auto schedule = ual::sim::schedule_task_graph(work.graphs[i], algorithm);
      if (!schedule) {
        state.SkipWithError(schedule.error().message.c_str());
        return;
      }
      slr += schedule->schedule_length_ratio;
      speedup += schedule->speedup;
      if (schedule->makespan <= work.shortest_makespan[i] * (1 + 1e-12)) best += 1;
      benchmark::DoNotOptimize(schedule->tasks.data());
    }
    scheduled += static_cast<std::int64_t>(work.graphs.size());
  }
  const auto graphs = static_cast<double>(work.graphs.size());
  state.counters["average_slr"] = slr / graphs;
  state.counters["average_speedup"] = speedup / graphs;
  state.counters["best_share"] = best / graphs;
  state.counters["seconds_per_graph"] =
      benchmark::Counter(static_cast<double>(scheduled), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

double min_of(const std::vector<double>& values) { return *std::min_element(values.begin(), values.end()); }
double max_of(const std::vector<double>& values) { return *std::max_element(values.begin(), values.end()); }

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  for (int tasks : {100, 300, 500})
    for (ScheduleAlgorithm algorithm : algorithms) {
      const std::string name = std::string("schedule/") + ual::sim::to_string(algorithm) + "/v:" + std::to_string(tasks);
      benchmark::RegisterBenchmark(name.c_str(), schedule_random_graphs, algorithm, tasks)
          ->Unit(benchmark::kMillisecond)
          ->ComputeStatistics("min", min_of)
          ->ComputeStatistics("max", max_of);
    }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
