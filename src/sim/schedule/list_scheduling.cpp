#include "sim/schedule/list_scheduling.hpp"

#include <algorithm>
#include <cstdint>
#include <queue>
#include <utility>

#include "sim/schedule/ranks.hpp"

namespace ual::sim::detail {

PartialSchedule::PartialSchedule(const TaskGraph& graph, const TaskGraphStructure& structure)
    : graph_(graph),
      structure_(structure),
      tasks_(graph.tasks.size()),
      placed_(graph.tasks.size(), false),
      timelines_(graph.devices.size()) {}

double PartialSchedule::data_ready_time(std::size_t task, std::size_t device) const {
  double ready = 0;
  for (const Arc& arc : structure_.predecessors[task]) {
    const ScheduledTask& predecessor = tasks_[arc.task];
    ready = std::max(ready, predecessor.finish + (predecessor.device == device ? 0.0 : arc.cost));
  }
  return ready;
}

double PartialSchedule::earliest_start(std::size_t task, std::size_t device) const {
  const double duration = graph_.tasks[task].costs[device];
  double candidate = data_ready_time(task, device);
  const std::vector<Busy>& timeline = timelines_[device];
  // Finish times increase along the timeline too (no overlaps), so the gaps that end before the data is ready can
  // be skipped by bisection.
  auto busy = std::upper_bound(timeline.begin(), timeline.end(), candidate,
                               [](double time, const Busy& interval) { return time < interval.finish; });
  for (; busy != timeline.end(); ++busy) {
    if (candidate + duration <= busy->start) return candidate;
    candidate = std::max(candidate, busy->finish);
  }
  return candidate;
}

double PartialSchedule::earliest_finish(std::size_t task, std::size_t device) const {
  return earliest_start(task, device) + graph_.tasks[task].costs[device];
}

void PartialSchedule::place(std::size_t task, std::size_t device, double start) {
  const double finish = start + graph_.tasks[task].costs[device];
  tasks_[task] = ScheduledTask{task, device, start, finish};
  placed_[task] = true;
  std::vector<Busy>& timeline = timelines_[device];
  auto position = std::upper_bound(timeline.begin(), timeline.end(), start,
                                   [](double time, const Busy& interval) { return time < interval.start; });
  timeline.insert(position, Busy{start, finish});
}

std::vector<ScheduledTask> list_schedule(const TaskGraph& graph, const TaskGraphStructure& structure,
                                         const std::vector<double>& priorities, const DeviceChoice& choose) {
  const std::vector<std::int64_t> keys = priority_keys(priorities);
  // Highest key first, then the lowest index.
  auto later = [&keys](std::size_t a, std::size_t b) { return keys[a] != keys[b] ? keys[a] < keys[b] : a > b; };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(later)> ready(later);
  std::vector<std::size_t> waiting(graph.tasks.size());
  for (std::size_t task = 0; task < graph.tasks.size(); ++task) {
    waiting[task] = structure.predecessors[task].size();
    if (waiting[task] == 0) ready.push(task);
  }
  PartialSchedule schedule(graph, structure);
  while (!ready.empty()) {
    const std::size_t task = ready.top();
    ready.pop();
    const std::size_t device = choose(task, schedule);
    schedule.place(task, device, schedule.earliest_start(task, device));
    for (const Arc& arc : structure.successors[task])
      if (--waiting[arc.task] == 0) ready.push(arc.task);
  }
  return std::move(schedule).release();
}

std::size_t earliest_finish_device(std::size_t task, const PartialSchedule& schedule, std::size_t devices) {
  std::size_t best_device = 0;
  double best_finish = schedule.earliest_finish(task, 0);
  for (std::size_t device = 1; device < devices; ++device) {
    const double finish = schedule.earliest_finish(task, device);
    if (finish < best_finish) {
      best_finish = finish;
      best_device = device;
    }
  }
  return best_device;
}

}  // namespace ual::sim::detail
