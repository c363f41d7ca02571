// to_json_text: a schedule as the CLI's --json prints it, with the graph's task and device ids.
#include <nlohmann/json.hpp>

#include "ual/sim_schedule.hpp"

namespace ual::sim {

std::string to_json_text(const TaskGraph& graph, const Schedule& schedule) {
  nlohmann::ordered_json tasks = nlohmann::ordered_json::array();
  for (const ScheduledTask& placed : schedule.tasks) {
    nlohmann::ordered_json entry;
    entry["id"] = placed.task < graph.tasks.size() ? graph.tasks[placed.task].id : std::string();
    entry["device"] = placed.device < graph.devices.size() ? graph.devices[placed.device].id : std::string();
    entry["start"] = placed.start;
    entry["finish"] = placed.finish;
    tasks.push_back(std::move(entry));
  }
  nlohmann::ordered_json document;
  document["algorithm"] = to_string(schedule.algorithm);
  document["makespan"] = schedule.makespan;
  document["schedule_length_ratio"] = schedule.schedule_length_ratio;
  document["speedup"] = schedule.speedup;
  document["tasks"] = std::move(tasks);
  return document.dump(2);
}

}  // namespace ual::sim
