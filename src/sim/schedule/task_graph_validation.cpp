// validate_task_graph and the adjacency it guarantees: everything a scheduler may assume about a graph.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "sim/schedule/task_graph_structure.hpp"

namespace ual::sim {
namespace detail {

std::string task_label(const TaskGraph& graph, std::size_t task) {
  if (task < graph.tasks.size() && !graph.tasks[task].id.empty()) return graph.tasks[task].id;
  return fmt::format("#{}", task + 1);
}

std::string describe_task(const TaskGraph& graph, std::size_t task) {
  if (task < graph.tasks.size() && !graph.tasks[task].id.empty()) return fmt::format("task \"{}\"", graph.tasks[task].id);
  return fmt::format("task #{}", task + 1);
}

std::string describe_device(const TaskGraph& graph, std::size_t device) {
  if (device < graph.devices.size() && !graph.devices[device].id.empty())
    return fmt::format("device \"{}\"", graph.devices[device].id);
  return fmt::format("device #{}", device + 1);
}

namespace {

// Kahn's algorithm; the tasks it cannot order are the ones on or behind a cycle.
std::vector<std::size_t> topological_order(const std::vector<std::vector<Arc>>& successors,
                                           const std::vector<std::vector<Arc>>& predecessors) {
  std::vector<std::size_t> waiting(successors.size());
  std::vector<std::size_t> order;
  order.reserve(successors.size());
  for (std::size_t task = 0; task < successors.size(); ++task) {
    waiting[task] = predecessors[task].size();
    if (waiting[task] == 0) order.push_back(task);
  }
  for (std::size_t next = 0; next < order.size(); ++next)
    for (const Arc& arc : successors[order[next]])
      if (--waiting[arc.task] == 0) order.push_back(arc.task);
  return order;
}

// A cycle among the tasks Kahn's algorithm left: each of them has a predecessor that was left too, so walking
// predecessors must revisit a task; the walk from that task back to itself, reversed, is a cycle in edge direction.
std::vector<std::size_t> find_cycle(const std::vector<std::vector<Arc>>& predecessors,
                                    const std::vector<std::size_t>& order) {
  std::vector<bool> ordered(predecessors.size(), false);
  for (std::size_t task : order) ordered[task] = true;
  std::size_t start = 0;
  while (ordered[start]) ++start;
  std::vector<std::size_t> walk;
  std::vector<std::size_t> position(predecessors.size(), predecessors.size());
  std::size_t task = start;
  while (position[task] == predecessors.size()) {
    position[task] = walk.size();
    walk.push_back(task);
    for (const Arc& arc : predecessors[task]) {
      if (!ordered[arc.task]) {
        task = arc.task;
        break;
      }
    }
  }
  std::vector<std::size_t> cycle(walk.begin() + static_cast<std::ptrdiff_t>(position[task]), walk.end());
  std::reverse(cycle.begin(), cycle.end());
  // Start the report at the cycle's first task in file order, so that it reads the same however it was found.
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  return cycle;
}

bool valid_cost(double cost) { return std::isfinite(cost) && cost >= 0; }

}  // namespace

TaskGraphStructure build_structure(const TaskGraph& graph) {
  TaskGraphStructure structure;
  structure.successors.resize(graph.tasks.size());
  structure.predecessors.resize(graph.tasks.size());
  for (const TaskGraphEdge& edge : graph.edges) {
    structure.successors[edge.from].push_back({edge.to, edge.cost});
    structure.predecessors[edge.to].push_back({edge.from, edge.cost});
  }
  structure.topological_order = topological_order(structure.successors, structure.predecessors);
  return structure;
}

}  // namespace detail

Status validate_task_graph(const TaskGraph& graph) {
  using detail::describe_device;
  using detail::describe_task;
  if (graph.devices.empty()) return make_error(ErrorCode::invalid_argument, "the task graph has no devices");
  if (graph.tasks.empty()) return make_error(ErrorCode::invalid_argument, "the task graph has no tasks");
  for (std::size_t task = 0; task < graph.tasks.size(); ++task) {
    const std::vector<double>& costs = graph.tasks[task].costs;
    if (costs.size() != graph.devices.size())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("{} has {} costs, expected {} (one per device)", describe_task(graph, task),
                                    costs.size(), graph.devices.size()));
    for (std::size_t device = 0; device < costs.size(); ++device)
      if (!detail::valid_cost(costs[device]))
        return make_error(ErrorCode::invalid_argument,
                          fmt::format("{} has cost {} on {}: costs must be finite and non-negative",
                                      describe_task(graph, task), costs[device], describe_device(graph, device)));
  }
  std::set<std::pair<std::size_t, std::size_t>> seen;
  for (std::size_t index = 0; index < graph.edges.size(); ++index) {
    const TaskGraphEdge& edge = graph.edges[index];
    if (edge.from >= graph.tasks.size() || edge.to >= graph.tasks.size())
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("edge #{} ({} -> {}) refers to a task that does not exist (the graph has {})",
                                    index + 1, edge.from, edge.to, graph.tasks.size()));
    const std::string from = describe_task(graph, edge.from);
    const std::string to = describe_task(graph, edge.to);
    if (edge.from == edge.to)
      return make_error(ErrorCode::invalid_argument, fmt::format("edge from {} to itself (a self-loop)", from));
    if (!detail::valid_cost(edge.cost))
      return make_error(ErrorCode::invalid_argument,
                        fmt::format("edge {} -> {} has cost {}: costs must be finite and non-negative", from, to,
                                    edge.cost));
    if (!seen.emplace(edge.from, edge.to).second)
      return make_error(ErrorCode::invalid_argument, fmt::format("edge {} -> {} is given twice", from, to));
  }
  const detail::TaskGraphStructure structure = detail::build_structure(graph);
  if (structure.topological_order.size() != graph.tasks.size()) {
    const std::vector<std::size_t> cycle = detail::find_cycle(structure.predecessors, structure.topological_order);
    std::vector<std::string> names;
    for (std::size_t task : cycle) names.push_back(detail::task_label(graph, task));
    names.push_back(detail::task_label(graph, cycle.front()));
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("the task graph has a cycle: {}", fmt::join(names, " -> ")));
  }
  return ok_status();
}

}  // namespace ual::sim
