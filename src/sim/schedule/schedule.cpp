// schedule_task_graph: validates the graph, runs the chosen list scheduler and measures the result with the
// metrics of Topcuoglu et al. (section 5.1): schedule length ratio and speedup.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "sim/schedule/algorithms.hpp"
#include "sim/schedule/task_graph_structure.hpp"

namespace ual::sim {
namespace {

// The largest sum of minimum costs along any path (communication left out): no schedule can be shorter.
double critical_path_of_minimum_costs(const TaskGraph& graph, const detail::TaskGraphStructure& structure) {
  std::vector<double> longest(graph.tasks.size(), 0.0);
  double overall = 0;
  for (std::size_t task : structure.topological_order) {
    double head = 0;
    for (const detail::Arc& arc : structure.predecessors[task]) head = std::max(head, longest[arc.task]);
    const std::vector<double>& costs = graph.tasks[task].costs;
    longest[task] = head + *std::min_element(costs.begin(), costs.end());
    overall = std::max(overall, longest[task]);
  }
  return overall;
}

// The best single device's time for the whole graph, run sequentially.
double best_sequential_time(const TaskGraph& graph) {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t device = 0; device < graph.devices.size(); ++device) {
    double total = 0;
    for (const TaskGraphTask& task : graph.tasks) total += task.costs[device];
    best = std::min(best, total);
  }
  return best;
}

}  // namespace

const char* to_string(ScheduleAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case ScheduleAlgorithm::heft: return "heft";
    case ScheduleAlgorithm::cpop: return "cpop";
    case ScheduleAlgorithm::peft: return "peft";
  }
  return "unknown";
}

Result<ScheduleAlgorithm> parse_schedule_algorithm(std::string_view name) {
  for (ScheduleAlgorithm algorithm : {ScheduleAlgorithm::heft, ScheduleAlgorithm::cpop, ScheduleAlgorithm::peft})
    if (name == to_string(algorithm)) return algorithm;
  return make_error(ErrorCode::invalid_argument,
                    fmt::format("unknown scheduling algorithm \"{}\" (expected heft, cpop or peft)", name));
}

Result<Schedule> schedule_task_graph(const TaskGraph& graph, ScheduleAlgorithm algorithm) {
  if (Status valid = validate_task_graph(graph); !valid) return valid.error();
  const detail::TaskGraphStructure structure = detail::build_structure(graph);
  Schedule schedule;
  schedule.algorithm = algorithm;
  switch (algorithm) {
    case ScheduleAlgorithm::heft: schedule.tasks = detail::schedule_heft(graph, structure); break;
    case ScheduleAlgorithm::cpop: schedule.tasks = detail::schedule_cpop(graph, structure); break;
    case ScheduleAlgorithm::peft: schedule.tasks = detail::schedule_peft(graph, structure); break;
    default:
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("unknown scheduling algorithm {}", static_cast<int>(algorithm)));
  }
  for (const ScheduledTask& task : schedule.tasks) schedule.makespan = std::max(schedule.makespan, task.finish);
  const double lower_bound = critical_path_of_minimum_costs(graph, structure);
  if (lower_bound > 0) schedule.schedule_length_ratio = schedule.makespan / lower_bound;
  if (schedule.makespan > 0) schedule.speedup = best_sequential_time(graph) / schedule.makespan;
  return schedule;
}

}  // namespace ual::sim
