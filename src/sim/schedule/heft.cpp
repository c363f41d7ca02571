// HEFT (Topcuoglu, Hariri & Wu 2002, section 4.1): decreasing upward rank, earliest finish time with insertion.
#include "sim/schedule/algorithms.hpp"
#include "sim/schedule/list_scheduling.hpp"
#include "sim/schedule/ranks.hpp"

namespace ual::sim::detail {

std::vector<ScheduledTask> schedule_heft(const TaskGraph& graph, const TaskGraphStructure& structure) {
  const std::size_t devices = graph.devices.size();
  return list_schedule(graph, structure, upward_ranks(graph, structure),
                       [devices](std::size_t task, const PartialSchedule& schedule) {
                         return earliest_finish_device(task, schedule, devices);
                       });
}

}  // namespace ual::sim::detail
