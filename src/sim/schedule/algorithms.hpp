// The three list schedulers, each in its own file; schedule.cpp validates the graph and picks one.
#pragma once

#include <vector>

#include "sim/schedule/task_graph_structure.hpp"

namespace ual::sim::detail {

// Each returns one ScheduledTask per graph task, in graph order. The graph must be valid.
std::vector<ScheduledTask> schedule_heft(const TaskGraph& graph, const TaskGraphStructure& structure);
std::vector<ScheduledTask> schedule_cpop(const TaskGraph& graph, const TaskGraphStructure& structure);
std::vector<ScheduledTask> schedule_peft(const TaskGraph& graph, const TaskGraphStructure& structure);

// CPOP's critical path: from the entry task of highest priority (rank_u + rank_d), each step to the successor of
// highest priority (ties: lower index) — every task on it has priority |CP| — and the device that runs the whole
// path in the least time (ties: lower index).
struct CriticalPath {
  std::vector<std::size_t> tasks;
  std::size_t device = 0;
};
CriticalPath cpop_critical_path(const TaskGraph& graph, const TaskGraphStructure& structure);

}  // namespace ual::sim::detail
