// The scheduler's view of a validated TaskGraph: successor/predecessor lists and a topological order, plus the
// names errors use for tasks and devices.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "ual/sim_schedule.hpp"

namespace ual::sim::detail {

struct Arc {
  std::size_t task = 0;  // the other end of the edge
  double cost = 0;
};

struct TaskGraphStructure {
  std::vector<std::vector<Arc>> successors;
  std::vector<std::vector<Arc>> predecessors;
  std::vector<std::size_t> topological_order;  // every task after all its predecessors
};

// `graph` must have passed validate_task_graph.
TaskGraphStructure build_structure(const TaskGraph& graph);

// The task's id, or "#3" (1-based) when it has none: for lists such as a cycle.
std::string task_label(const TaskGraph& graph, std::size_t task);
// `task "T3"`, or `task #3` (1-based) when the id is empty; the same for devices.
std::string describe_task(const TaskGraph& graph, std::size_t task);
std::string describe_device(const TaskGraph& graph, std::size_t device);

}  // namespace ual::sim::detail
