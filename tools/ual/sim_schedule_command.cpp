// `ual sim schedule`: place a task graph (a DAG JSON file, or a random graph of Topcuoglu et al.'s generator) on
// heterogeneous devices with HEFT, CPOP or PEFT, and report the schedule, its makespan, SLR and speedup.
#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "sim_cli.hpp"
#include "ual/sim.hpp"
#include "ual/sim_schedule.hpp"

namespace ual::cli {
namespace {

constexpr const char* command_name = "sim schedule";

struct ScheduleCommand {
  std::string file;
  std::string algorithm = "heft";
  bool json = false;
  bool random = false;
  sim::RandomTaskGraphParameters parameters;
};

Result<std::string> read_text(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream) return make_error(ErrorCode::not_found, fmt::format("cannot open {}", path));
  std::ostringstream content;
  content << stream.rdbuf();
  if (stream.bad()) return make_error(ErrorCode::io_error, fmt::format("cannot read {}", path));
  return content.str();
}

void print_table(const sim::TaskGraph& graph, const sim::Schedule& schedule) {
  std::vector<sim::ScheduledTask> by_start = schedule.tasks;
  std::stable_sort(by_start.begin(), by_start.end(), [](const sim::ScheduledTask& a, const sim::ScheduledTask& b) {
    return a.start != b.start ? a.start < b.start : a.device < b.device;
  });
  std::size_t task_width = 4, device_width = 6;
  for (const sim::TaskGraphTask& task : graph.tasks) task_width = std::max(task_width, task.id.size());
  for (const sim::TaskGraphDevice& device : graph.devices) device_width = std::max(device_width, device.id.size());
  fmt::print("{:<{}}  {:<{}}  {:>12}  {:>12}\n", "TASK", task_width, "DEVICE", device_width, "START", "FINISH");
  for (const sim::ScheduledTask& placed : by_start)
    fmt::print("{:<{}}  {:<{}}  {:>12.6g}  {:>12.6g}\n", graph.tasks[placed.task].id, task_width,
               graph.devices[placed.device].id, device_width, placed.start, placed.finish);
  fmt::print("\n{}: makespan {:.6g}, schedule length ratio {:.4f}, speedup {:.4f} ({} tasks on {} devices)\n",
             sim::to_string(schedule.algorithm), schedule.makespan, schedule.schedule_length_ratio, schedule.speedup,
             graph.tasks.size(), graph.devices.size());
}

int run_schedule(const ScheduleCommand& command) {
  auto algorithm = sim::parse_schedule_algorithm(command.algorithm);
  if (!algorithm) return report_usage_error(command_name, algorithm.error().message);
  if (command.random == !command.file.empty())
    return report_usage_error(command_name, "give a DAG JSON file or --random (not both)");
  Result<sim::TaskGraph> graph = make_error(ErrorCode::internal, "no graph");
  if (command.random) {
    graph = sim::generate_random_task_graph(command.parameters);
    if (!graph) return report_usage_error(command_name, graph.error().message);
  } else {
    auto text = read_text(command.file);
    if (!text) return report_failure(command_name, text.error().message);
    graph = sim::parse_task_graph(*text, command.file, sim::estimate_op_seconds);
    if (!graph) return report_failure(command_name, graph.error().message);
  }
  auto schedule = sim::schedule_task_graph(*graph, *algorithm);
  if (!schedule) return report_failure(command_name, schedule.error().message);
  if (command.json)
    fmt::print("{}\n", sim::to_json_text(*graph, *schedule));
  else
    print_table(*graph, *schedule);
  return 0;
}

}  // namespace

void add_sim_schedule_command(CLI::App& sim, Action& action) {
  auto command = std::make_shared<ScheduleCommand>();
  CLI::App* app = sim.add_subcommand(
      "schedule", "Schedule a task graph on heterogeneous devices (HEFT, CPOP, PEFT): makespan, SLR, speedup");
  app->footer(
      "DAG JSON: {\"devices\": [{\"id\": \"gpu0\", \"hardware\": \"h100-sxm\"}, ...],\n"
      "           \"tasks\": [{\"id\": \"T1\", \"costs\": [14, 16]} or {\"id\": \"T2\", \"op\": \"gemm 4096x4096x4096 "
      "bf16\"}, ...],\n"
      "           \"edges\": [{\"from\": \"T1\", \"to\": \"T2\", \"cost\": 18}, ...]}\n"
      "costs: one run time per device; op: priced on each device's hardware by the HopperSim cost model.");
  CLI::Option* file = app->add_option("dag", command->file, "Task graph JSON file");
  app->add_option("--algorithm", command->algorithm, "heft, cpop or peft")
      ->check(CLI::IsMember({"heft", "cpop", "peft"}))
      ->capture_default_str();
  app->add_flag("--json", command->json, "Machine-readable output");
  CLI::Option* random = app->add_flag("--random", command->random,
                                      "Schedule a random graph (Topcuoglu et al. 2002) instead of a file");
  random->excludes(file);
  sim::RandomTaskGraphParameters& p = command->parameters;
  const std::vector<CLI::Option*> random_options = {
      app->add_option("--tasks", p.tasks, "Random graph: tasks (v)")->capture_default_str(),
      app->add_option("--shape", p.shape, "Random graph: shape alpha (depth sqrt(v)/alpha, width alpha*sqrt(v))")
          ->capture_default_str(),
      app->add_option("--out-degree", p.out_degree, "Random graph: most successors per task")->capture_default_str(),
      app->add_option("--ccr", p.communication_to_computation_ratio,
                      "Random graph: communication to computation ratio")
          ->capture_default_str(),
      app->add_option("--beta", p.heterogeneity, "Random graph: heterogeneity, costs within +-beta/2 of a task's mean")
          ->capture_default_str(),
      app->add_option("--devices", p.devices, "Random graph: devices")->capture_default_str(),
      app->add_option("--seed", p.seed, "Random graph: seed (same seed, same graph)")->capture_default_str(),
  };
  for (CLI::Option* option : random_options) option->needs(random);
  app->callback([command, &action] { action = [command] { return run_schedule(*command); }; });
}

}  // namespace ual::cli
