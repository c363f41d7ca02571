// PEFT (Arabnejad & Barbosa 2014): tasks by rank_oct (the mean of their optimistic cost table row), each on the
// device minimizing O_EFT = EFT + OCT, so a device that is fast now but slow for the task's successors loses.
#include <vector>

#include "sim/schedule/algorithms.hpp"
#include "sim/schedule/list_scheduling.hpp"
#include "sim/schedule/ranks.hpp"

namespace ual::sim::detail {

std::vector<ScheduledTask> schedule_peft(const TaskGraph& graph, const TaskGraphStructure& structure) {
  const std::vector<std::vector<double>> table = optimistic_cost_table(graph, structure);
  const std::size_t devices = graph.devices.size();
  return list_schedule(graph, structure, optimistic_ranks(table),
                       [&table, devices](std::size_t task, const PartialSchedule& schedule) {
                         std::size_t best_device = 0;
                         double best = schedule.earliest_finish(task, 0) + table[task][0];
                         for (std::size_t device = 1; device < devices; ++device) {
                           const double optimistic_finish = schedule.earliest_finish(task, device) + table[task][device];
                           if (optimistic_finish < best) {
                             best = optimistic_finish;
                             best_device = device;
                           }
                         }
                         return best_device;
                       });
}

}  // namespace ual::sim::detail
