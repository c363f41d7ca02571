// The priorities the list schedulers order tasks by: Topcuoglu et al.'s upward and downward ranks (HEFT, CPOP) and
// Arabnejad & Barbosa's optimistic cost table (PEFT).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/schedule/task_graph_structure.hpp"

namespace ual::sim::detail {

// w̄_i: a task's cost averaged over the devices.
std::vector<double> mean_costs(const TaskGraph& graph);

// rank_u(n_i) = w̄_i + max over successors n_j of (c̄_ij + rank_u(n_j)); an exit task's rank is w̄_i. The edge's
// cost is the papers' c̄_ij (the communication time when the two tasks are on different devices).
std::vector<double> upward_ranks(const TaskGraph& graph, const TaskGraphStructure& structure);

// rank_d(n_i) = max over predecessors n_j of (rank_d(n_j) + w̄_j + c̄_ji); an entry task's rank is 0.
std::vector<double> downward_ranks(const TaskGraph& graph, const TaskGraphStructure& structure);

// OCT(t_i, p_k) = max over successors t_j of min over devices p_w of (OCT(t_j, p_w) + w(t_j, p_w) + c̄_ij), with
// c̄_ij = 0 when p_w = p_k; 0 for exit tasks. Indexed [task][device].
std::vector<std::vector<double>> optimistic_cost_table(const TaskGraph& graph, const TaskGraphStructure& structure);

// rank_oct(t_i): the mean of the task's OCT row.
std::vector<double> optimistic_ranks(const std::vector<std::vector<double>>& table);

// Priorities as integers that compare equal when the doubles differ only by rounding (relative 1e-9 of the largest
// priority): sums taken in a different order must not break the papers' ties (n3 and n4 of Topcuoglu's Fig. 2 both
// have rank 80), and the tie then goes to the lower task index.
std::vector<std::int64_t> priority_keys(const std::vector<double>& priorities);

}  // namespace ual::sim::detail
