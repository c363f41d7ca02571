#include "sim/schedule/ranks.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ual::sim::detail {

std::vector<double> mean_costs(const TaskGraph& graph) {
  std::vector<double> means(graph.tasks.size(), 0.0);
  for (std::size_t task = 0; task < graph.tasks.size(); ++task) {
    double sum = 0;
    for (double cost : graph.tasks[task].costs) sum += cost;
    means[task] = sum / static_cast<double>(graph.devices.size());
  }
  return means;
}

std::vector<double> upward_ranks(const TaskGraph& graph, const TaskGraphStructure& structure) {
  const std::vector<double> means = mean_costs(graph);
  std::vector<double> ranks(graph.tasks.size(), 0.0);
  for (auto it = structure.topological_order.rbegin(); it != structure.topological_order.rend(); ++it) {
    double longest_tail = 0;
    for (const Arc& arc : structure.successors[*it]) longest_tail = std::max(longest_tail, arc.cost + ranks[arc.task]);
    ranks[*it] = means[*it] + longest_tail;
  }
  return ranks;
}

std::vector<double> downward_ranks(const TaskGraph& graph, const TaskGraphStructure& structure) {
  const std::vector<double> means = mean_costs(graph);
  std::vector<double> ranks(graph.tasks.size(), 0.0);
  for (std::size_t task : structure.topological_order) {
    double longest_head = 0;
    for (const Arc& arc : structure.predecessors[task])
      longest_head = std::max(longest_head, ranks[arc.task] + means[arc.task] + arc.cost);
    ranks[task] = longest_head;
  }
  return ranks;
}

std::vector<std::vector<double>> optimistic_cost_table(const TaskGraph& graph, const TaskGraphStructure& structure) {
  const std::size_t devices = graph.devices.size();
  std::vector<std::vector<double>> table(graph.tasks.size(), std::vector<double>(devices, 0.0));
  for (auto it = structure.topological_order.rbegin(); it != structure.topological_order.rend(); ++it) {
    std::vector<double>& row = table[*it];
    for (const Arc& arc : structure.successors[*it]) {
      const std::vector<double>& successor_row = table[arc.task];
      const std::vector<double>& successor_costs = graph.tasks[arc.task].costs;
      // The successor's best finish over all devices, with the communication paid on every device...
      double remote = std::numeric_limits<double>::infinity();
      for (std::size_t device = 0; device < devices; ++device)
        remote = std::min(remote, successor_row[device] + successor_costs[device] + arc.cost);
      // ...except the one this task runs on, where the hand-over is free.
      for (std::size_t device = 0; device < devices; ++device)
        row[device] = std::max(row[device], std::min(remote, successor_row[device] + successor_costs[device]));
    }
  }
  return table;
}

std::vector<double> optimistic_ranks(const std::vector<std::vector<double>>& table) {
  std::vector<double> ranks(table.size(), 0.0);
  for (std::size_t task = 0; task < table.size(); ++task) {
    double sum = 0;
    for (double value : table[task]) sum += value;
    ranks[task] = table[task].empty() ? 0.0 : sum / static_cast<double>(table[task].size());
  }
  return ranks;
}

std::vector<std::int64_t> priority_keys(const std::vector<double>& priorities) {
  double largest = 0;
  for (double priority : priorities) largest = std::max(largest, std::abs(priority));
  std::vector<std::int64_t> keys(priorities.size(), 0);
  if (largest == 0) return keys;
  const double quantum = largest * 1e-9;
  for (std::size_t task = 0; task < priorities.size(); ++task)
    keys[task] = static_cast<std::int64_t>(std::llround(priorities[task] / quantum));
  return keys;
}

}  // namespace ual::sim::detail
