// generate_random_task_graph: Topcuoglu et al.'s random DAGs (section 5.1). The paper fixes the parameters' means
// but not every draw; the choices left open are stated beside the code that makes them.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "ual/sim_schedule.hpp"

namespace ual::sim {
namespace {

// std::mt19937_64 is specified bit for bit; the standard distributions are not, so the draws are written out here
// to give the same graph for a seed with every standard library.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  int uniform_int(int low, int high) {  // [low, high]
    const auto span = static_cast<std::uint64_t>(high - low) + 1;
    return low + static_cast<int>(engine_() % span);  // bias below 2^-40 for the spans used here
  }

 private:
  std::mt19937_64 engine_;
};

constexpr int max_tasks = 100000;
constexpr int max_devices = 1024;

Status check(const RandomTaskGraphParameters& p) {
  auto bad = [](const std::string& message) { return make_error(ErrorCode::invalid_argument, message); };
  if (p.tasks < 1 || p.tasks > max_tasks)
    return bad(fmt::format("random task graph: tasks must be 1 to {}, got {}", max_tasks, p.tasks));
  if (!std::isfinite(p.shape) || p.shape <= 0)
    return bad(fmt::format("random task graph: shape (alpha) must be positive, got {}", p.shape));
  if (p.out_degree < 1) return bad(fmt::format("random task graph: out-degree must be at least 1, got {}", p.out_degree));
  if (!std::isfinite(p.communication_to_computation_ratio) || p.communication_to_computation_ratio < 0)
    return bad(fmt::format("random task graph: CCR must be finite and non-negative, got {}",
                           p.communication_to_computation_ratio));
  if (!std::isfinite(p.heterogeneity) || p.heterogeneity < 0 || p.heterogeneity > 2)
    return bad(fmt::format("random task graph: heterogeneity (beta) must be in [0, 2] so costs stay non-negative, got {}",
                           p.heterogeneity));
  if (p.devices < 1 || p.devices > max_devices)
    return bad(fmt::format("random task graph: devices must be 1 to {}, got {}", max_devices, p.devices));
  if (!std::isfinite(p.average_cost) || p.average_cost <= 0)
    return bad(fmt::format("random task graph: average cost must be positive, got {}", p.average_cost));
  return ok_status();
}

// Level widths drawn uniformly around alpha*sqrt(v) until v tasks are placed (the last level takes what is left):
// the mean width is alpha*sqrt(v) as in the paper, and the depth then averages sqrt(v)/alpha.
std::vector<std::vector<std::size_t>> draw_levels(const RandomTaskGraphParameters& p, Random& random) {
  const double mean_width = p.shape * std::sqrt(static_cast<double>(p.tasks));
  const int widest = static_cast<int>(std::clamp(std::round(2 * mean_width) - 1, 1.0, static_cast<double>(p.tasks)));
  std::vector<std::vector<std::size_t>> levels;
  std::size_t next = 0;
  while (next < static_cast<std::size_t>(p.tasks)) {
    const auto width = std::min<std::size_t>(static_cast<std::size_t>(random.uniform_int(1, widest)),
                                             static_cast<std::size_t>(p.tasks) - next);
    std::vector<std::size_t> level;
    for (std::size_t i = 0; i < width; ++i) level.push_back(next++);
    levels.push_back(std::move(level));
  }
  return levels;
}

// Each task above the last level gets 1..out_degree successors, drawn from the next level and, when that level is
// narrower than the out-degree drawn, from the levels below it; a task left without a predecessor gets one from
// the level above, so that only the first level holds entry tasks.
std::vector<std::pair<std::size_t, std::size_t>> draw_edges(const RandomTaskGraphParameters& p,
                                                            const std::vector<std::vector<std::size_t>>& levels,
                                                            Random& random) {
  std::set<std::pair<std::size_t, std::size_t>> edges;
  std::vector<bool> has_predecessor(static_cast<std::size_t>(p.tasks), false);
  for (std::size_t level = 0; level + 1 < levels.size(); ++level) {
    for (std::size_t task : levels[level]) {
      std::size_t below = 0;
      for (std::size_t other = level + 1; other < levels.size(); ++other) below += levels[other].size();
      const auto degree = std::min<std::size_t>(static_cast<std::size_t>(random.uniform_int(1, p.out_degree)), below);
      std::vector<std::size_t> candidates;
      for (std::size_t other = level + 1; other < levels.size() && candidates.size() < degree; ++other)
        candidates.insert(candidates.end(), levels[other].begin(), levels[other].end());
      // A partial Fisher-Yates shuffle picks `degree` distinct successors.
      for (std::size_t i = 0; i < degree; ++i) {
        const auto pick = i + static_cast<std::size_t>(random.uniform_int(0, static_cast<int>(candidates.size() - i - 1)));
        std::swap(candidates[i], candidates[pick]);
        edges.emplace(task, candidates[i]);
        has_predecessor[candidates[i]] = true;
      }
    }
  }
  for (std::size_t level = 1; level < levels.size(); ++level)
    for (std::size_t task : levels[level])
      if (!has_predecessor[task]) {
        const std::vector<std::size_t>& above = levels[level - 1];
        edges.emplace(above[static_cast<std::size_t>(random.uniform_int(0, static_cast<int>(above.size()) - 1))], task);
      }
  return {edges.begin(), edges.end()};
}

}  // namespace

Result<TaskGraph> generate_random_task_graph(const RandomTaskGraphParameters& parameters) {
  if (Status valid = check(parameters); !valid) return valid.error();
  Random random(parameters.seed);
  TaskGraph graph;
  for (int device = 0; device < parameters.devices; ++device)
    graph.devices.push_back({fmt::format("P{}", device + 1), {}});
  const std::vector<std::vector<std::size_t>> levels = draw_levels(parameters, random);
  // The paper: a task's mean cost w̄_i is uniform in [0, 2 w_DAG], its cost on each device uniform in
  // [w̄_i (1 - beta/2), w̄_i (1 + beta/2)].
  const double half_range = parameters.heterogeneity / 2;
  for (int task = 0; task < parameters.tasks; ++task) {
    const double mean = random.uniform(0, 2 * parameters.average_cost);
    TaskGraphTask entry{fmt::format("T{}", task + 1), {}, {}};
    for (int device = 0; device < parameters.devices; ++device)
      entry.costs.push_back(random.uniform(mean * (1 - half_range), mean * (1 + half_range)));
    graph.tasks.push_back(std::move(entry));
  }
  // Edge costs uniform in [0, 2 CCR w_DAG]: their mean over the graph is CCR times the mean computation cost.
  const double widest_edge = 2 * parameters.communication_to_computation_ratio * parameters.average_cost;
  for (const auto& [from, to] : draw_edges(parameters, levels, random))
    graph.edges.push_back({from, to, random.uniform(0, widest_edge)});
  // Costs near the double range overflow to infinity: refuse them here rather than hand out an unschedulable graph.
  if (Status valid = validate_task_graph(graph); !valid)
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("random task graph: the parameters give unusable costs ({})", valid.error().message));
  return graph;
}

}  // namespace ual::sim
