// CPOP (Topcuoglu, Hariri & Wu 2002, section 4.2): tasks by rank_u + rank_d; the critical path's tasks all run on
// the one device that executes the path fastest, the others on their earliest-finish device (insertion policy).
// Several entry tasks act as the paper's zero-cost pseudo entry would: the path starts at the one of highest
// priority, and it ends at whichever exit task it reaches.
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/schedule/algorithms.hpp"
#include "sim/schedule/list_scheduling.hpp"
#include "sim/schedule/ranks.hpp"

namespace ual::sim::detail {
namespace {

std::vector<double> cpop_priorities(const TaskGraph& graph, const TaskGraphStructure& structure) {
  std::vector<double> priorities = upward_ranks(graph, structure);
  const std::vector<double> downward = downward_ranks(graph, structure);
  for (std::size_t task = 0; task < priorities.size(); ++task) priorities[task] += downward[task];
  return priorities;
}

CriticalPath critical_path(const TaskGraph& graph, const TaskGraphStructure& structure,
                           const std::vector<double>& priorities) {
  const std::vector<std::int64_t> keys = priority_keys(priorities);
  auto higher = [&keys](std::size_t candidate, std::size_t best) { return keys[candidate] > keys[best]; };
  CriticalPath path;
  std::size_t current = graph.tasks.size();
  for (std::size_t task = 0; task < graph.tasks.size(); ++task)
    if (structure.predecessors[task].empty() && (current == graph.tasks.size() || higher(task, current))) current = task;
  path.tasks.push_back(current);
  while (!structure.successors[current].empty()) {
    std::size_t next = structure.successors[current].front().task;
    for (const Arc& arc : structure.successors[current])
      if (higher(arc.task, next) || (keys[arc.task] == keys[next] && arc.task < next)) next = arc.task;
    path.tasks.push_back(next);
    current = next;
  }
  double best_time = std::numeric_limits<double>::infinity();
  for (std::size_t device = 0; device < graph.devices.size(); ++device) {
    double time = 0;
    for (std::size_t task : path.tasks) time += graph.tasks[task].costs[device];
    if (time < best_time) {
      best_time = time;
      path.device = device;
    }
  }
  return path;
}

}  // namespace

CriticalPath cpop_critical_path(const TaskGraph& graph, const TaskGraphStructure& structure) {
  return critical_path(graph, structure, cpop_priorities(graph, structure));
}

std::vector<ScheduledTask> schedule_cpop(const TaskGraph& graph, const TaskGraphStructure& structure) {
  const std::vector<double> priorities = cpop_priorities(graph, structure);
  const CriticalPath path = critical_path(graph, structure, priorities);
  std::vector<bool> on_path(graph.tasks.size(), false);
  for (std::size_t task : path.tasks) on_path[task] = true;
  const std::size_t devices = graph.devices.size();
  return list_schedule(graph, structure, priorities,
                       [&on_path, &path, devices](std::size_t task, const PartialSchedule& schedule) {
                         return on_path[task] ? path.device : earliest_finish_device(task, schedule, devices);
                       });
}

}  // namespace ual::sim::detail
