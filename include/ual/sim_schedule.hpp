// Task-graph scheduling: places a DAG of tasks on heterogeneous devices with HEFT, CPOP (Topcuoglu, Hariri & Wu,
// IEEE TPDS 2002) or PEFT (Arabnejad & Barbosa, IEEE TPDS 2014), and generates the papers' random DAGs to compare them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::sim {

// ---------------------------------------------------------------------------------------------------------------
// Task graphs
// ---------------------------------------------------------------------------------------------------------------

struct TaskGraphDevice {
  std::string id;        // "P1", "gpu0"
  std::string hardware;  // a hardware catalog id ("h100-sxm"); empty when the costs are given per task
};

struct TaskGraphTask {
  std::string id;
  std::string op;             // "gemm 4096x4096x4096 bf16"; empty when the costs were given directly
  std::vector<double> costs;  // costs[d]: run time on device d (seconds, or the abstract units of the papers)
};

// `cost` is the communication time paid only when the two tasks run on different devices (the papers' model: data
// stays where it is produced, a same-device hand-over is free).
struct TaskGraphEdge {
  std::size_t from = 0;
  std::size_t to = 0;
  double cost = 0;
};

struct TaskGraph {
  std::vector<TaskGraphDevice> devices;
  std::vector<TaskGraphTask> tasks;
  std::vector<TaskGraphEdge> edges;  // indices into tasks
};

// The run time of an op on one hardware model (ual::sim::estimate_op_seconds in a real run, a table in tests).
using OpCostFunction = std::function<Result<double>(std::string_view op, std::string_view hardware_id)>;

// Parses a task graph written as JSON; `origin` (a file name) names it in errors:
//
//   {"devices": [{"id": "P1"}, {"id": "gpu0", "hardware": "h100-sxm"}],
//    "tasks": [{"id": "T1", "costs": [14, 16]}, {"id": "T2", "op": "gemm 4096x4096x4096 bf16"}],
//    "edges": [{"from": "T1", "to": "T2", "cost": 18}]}
//
// devices: non-empty, unique ids; "hardware" is needed only by tasks given as an op.
// tasks: non-empty, unique ids; each has "costs" (one finite, non-negative number per device, in device order) or
//   "op" (costs then come from op_cost for each device's hardware; "costs" wins when both are given).
// edges: optional; "from"/"to" name tasks, "cost" (default 0) is finite and non-negative; no self-loops, duplicate
//   edges or cycles (a cycle is reported with the tasks on it). Several entry and exit tasks are fine.
// Unknown keys are ignored, so a file may carry notes.
UAL_API Result<TaskGraph> parse_task_graph(std::string_view json_text, std::string_view origin,
                                           const OpCostFunction& op_cost);

// What schedule_task_graph checks before it schedules (also applied by parse_task_graph): at least one device and
// one task, costs of the right length, finite and non-negative, edges between existing tasks, acyclic.
UAL_API Status validate_task_graph(const TaskGraph& graph);

// ---------------------------------------------------------------------------------------------------------------
// Scheduling
// ---------------------------------------------------------------------------------------------------------------

// heft: tasks by decreasing upward rank, each on the device giving its earliest finish time.
// cpop: tasks by upward + downward rank; the critical path's tasks all go to the one device that runs that path
//       fastest, the others to their earliest-finish device.
// peft: tasks by their mean optimistic cost table entry, each on the device minimizing finish time + OCT.
// All three use the insertion policy: a task may fill an idle gap between two tasks already on a device.
enum class ScheduleAlgorithm { heft, cpop, peft };

UAL_API const char* to_string(ScheduleAlgorithm algorithm) noexcept;
UAL_API Result<ScheduleAlgorithm> parse_schedule_algorithm(std::string_view name);  // "heft", "cpop", "peft"

struct ScheduledTask {
  std::size_t task = 0;
  std::size_t device = 0;
  double start = 0;
  double finish = 0;
};

struct Schedule {
  ScheduleAlgorithm algorithm = ScheduleAlgorithm::heft;
  std::vector<ScheduledTask> tasks;  // tasks[i] places graph.tasks[i]
  double makespan = 0;
  // Topcuoglu et al.'s metrics. SLR: makespan / the sum of min-over-devices costs along the path that maximizes that
  // sum (a lower bound of any schedule, so SLR >= 1). Speedup: the best single-device sequential time / makespan.
  // Both are 0 when their denominator is 0 (a graph whose tasks cost nothing).
  double schedule_length_ratio = 0;
  double speedup = 0;
};

UAL_API Result<Schedule> schedule_task_graph(const TaskGraph& graph, ScheduleAlgorithm algorithm);

// ---------------------------------------------------------------------------------------------------------------
// Random task graphs (Topcuoglu et al. 2002, section 5.1)
// ---------------------------------------------------------------------------------------------------------------

struct RandomTaskGraphParameters {
  int tasks = 100;                                  // v
  double shape = 1.0;                               // alpha: depth ~ sqrt(v)/alpha levels, width ~ alpha*sqrt(v)
  int out_degree = 3;                               // each task has 1..out_degree successors (not on the last level)
  double communication_to_computation_ratio = 1.0;  // CCR: mean edge cost / mean task cost
  double heterogeneity = 0.5;                       // beta in [0, 2]: costs spread +-beta/2 around the task's mean
  int devices = 4;
  double average_cost = 50;                         // w_DAG: the graph's mean computation cost
  std::uint64_t seed = 1;                           // the same parameters and seed give the same graph everywhere
};

UAL_API Result<TaskGraph> generate_random_task_graph(const RandomTaskGraphParameters& parameters);

// The schedule as JSON (the CLI's --json): {"algorithm", "makespan", "schedule_length_ratio", "speedup",
// "tasks": [{"id", "device", "start", "finish"}]} with task and device ids, tasks in graph order.
UAL_API std::string to_json_text(const TaskGraph& graph, const Schedule& schedule);

}  // namespace ual::sim
