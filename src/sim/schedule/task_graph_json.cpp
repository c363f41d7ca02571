// parse_task_graph: the DAG JSON format documented in ual/sim_schedule.hpp, into a validated TaskGraph.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "sim/schedule/task_graph_structure.hpp"

namespace ual::sim {
namespace {

using json = nlohmann::json;

class TaskGraphParser {
 public:
  TaskGraphParser(std::string_view origin, const OpCostFunction& op_cost) : origin_(origin), op_cost_(op_cost) {}

  Result<TaskGraph> parse(std::string_view text) {
    json document;
    try {
      document = json::parse(text.begin(), text.end());
    } catch (const json::exception& error) {  // a syntax error, or a number too large for a double
      // nlohmann's message begins with "[json.exception.parse_error.101] ": keep what follows.
      std::string message = error.what();
      if (const auto end = message.find("] "); message.starts_with("[json.exception") && end != std::string::npos)
        message.erase(0, end + 2);
      return fail(fmt::format("not valid JSON ({})", message));
    }
    if (!document.is_object()) return fail("expected a JSON object with \"devices\", \"tasks\" and \"edges\"");
    if (Status status = parse_devices(document); !status) return status.error();
    if (Status status = parse_tasks(document); !status) return status.error();
    if (Status status = parse_edges(document); !status) return status.error();
    if (Status valid = validate_task_graph(graph_); !valid) return fail(valid.error().message);
    return std::move(graph_);
  }

 private:
  Error fail(const std::string& message) const {
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: {}", origin_, message));
  }

  // An array member that must be there and hold at least one entry.
  Result<const json*> required_array(const json& document, const char* key) const {
    const auto member = document.find(key);
    if (member == document.end()) return fail(fmt::format("missing \"{}\"", key));
    if (!member->is_array()) return fail(fmt::format("\"{}\" must be an array", key));
    if (member->empty()) return fail(fmt::format("\"{}\" is empty: the graph needs at least one", key));
    return &*member;
  }

  // The entry's "id": a non-empty string, not seen before in `ids`.
  Result<std::string> unique_id(const json& entry, const char* kind, std::size_t index,
                                std::map<std::string, std::size_t>& ids) const {
    if (!entry.is_object()) return fail(fmt::format("{} #{} must be an object", kind, index + 1));
    const auto id = entry.find("id");
    if (id == entry.end() || !id->is_string() || id->get<std::string>().empty())
      return fail(fmt::format("{} #{} has no \"id\" (a non-empty string)", kind, index + 1));
    std::string name = id->get<std::string>();
    if (!ids.emplace(name, index).second) return fail(fmt::format("{} id \"{}\" is used twice", kind, name));
    return name;
  }

  Status parse_devices(const json& document) {
    Result<const json*> devices = required_array(document, "devices");
    if (!devices) return devices.error();
    for (std::size_t index = 0; index < (*devices)->size(); ++index) {
      const json& entry = (**devices)[index];
      Result<std::string> id = unique_id(entry, "device", index, device_ids_);
      if (!id) return id.error();
      TaskGraphDevice device{std::move(*id), {}};
      if (const auto hardware = entry.find("hardware"); hardware != entry.end()) {
        if (!hardware->is_string())
          return fail(fmt::format("device \"{}\": \"hardware\" must be a string (a catalog id)", device.id));
        device.hardware = hardware->get<std::string>();
      }
      graph_.devices.push_back(std::move(device));
    }
    return ok_status();
  }

  Status parse_tasks(const json& document) {
    Result<const json*> tasks = required_array(document, "tasks");
    if (!tasks) return tasks.error();
    for (std::size_t index = 0; index < (*tasks)->size(); ++index) {
      const json& entry = (**tasks)[index];
      Result<std::string> id = unique_id(entry, "task", index, task_ids_);
      if (!id) return id.error();
      TaskGraphTask task{std::move(*id), {}, {}};
      if (const auto op = entry.find("op"); op != entry.end()) {
        if (!op->is_string() || op->get<std::string>().empty())
          return fail(fmt::format("task \"{}\": \"op\" must be a non-empty string", task.id));
        task.op = op->get<std::string>();
      }
      if (const auto costs = entry.find("costs"); costs != entry.end()) {
        if (Status status = read_costs(*costs, task); !status) return status;
      } else if (!task.op.empty()) {
        if (Status status = estimate_costs(task); !status) return status;
      } else {
        return fail(fmt::format("task \"{}\" has neither \"costs\" nor \"op\"", task.id));
      }
      graph_.tasks.push_back(std::move(task));
    }
    return ok_status();
  }

  Status read_costs(const json& costs, TaskGraphTask& task) const {
    if (!costs.is_array()) return fail(fmt::format("task \"{}\": \"costs\" must be an array of numbers", task.id));
    if (costs.size() != graph_.devices.size())
      return fail(fmt::format("task \"{}\" has {} costs, expected {} (one per device, in device order)", task.id,
                              costs.size(), graph_.devices.size()));
    for (std::size_t device = 0; device < costs.size(); ++device) {
      if (!costs[device].is_number())
        return fail(fmt::format("task \"{}\": cost on device \"{}\" is not a number", task.id,
                                graph_.devices[device].id));
      task.costs.push_back(costs[device].get<double>());
    }
    return ok_status();  // range checks (negative, infinite) are validate_task_graph's
  }

  // Each (op, hardware) pair is estimated once: large graphs repeat the same few ops.
  Status estimate_costs(TaskGraphTask& task) {
    if (!op_cost_) return fail(fmt::format("task \"{}\" is given as an op, but no op cost model is available", task.id));
    for (const TaskGraphDevice& device : graph_.devices) {
      if (device.hardware.empty())
        return fail(fmt::format("task \"{}\" is given as op \"{}\", but device \"{}\" has no \"hardware\" to cost it on",
                                task.id, task.op, device.id));
      auto known = op_costs_.find({task.op, device.hardware});
      if (known == op_costs_.end()) {
        Result<double> seconds = op_cost_(task.op, device.hardware);
        if (!seconds)
          return fail(fmt::format("task \"{}\" on device \"{}\" ({}): {}", task.id, device.id, device.hardware,
                                  seconds.error().message));
        if (!std::isfinite(*seconds) || *seconds < 0)
          return fail(fmt::format("task \"{}\" on device \"{}\" ({}): the op cost model gave {} seconds", task.id,
                                  device.id, device.hardware, *seconds));
        known = op_costs_.emplace(std::make_pair(task.op, device.hardware), *seconds).first;
      }
      task.costs.push_back(known->second);
    }
    return ok_status();
  }

  Result<std::size_t> task_reference(const json& edge, const char* key, std::size_t index) const {
    const auto member = edge.find(key);
    if (member == edge.end() || !member->is_string())
      return fail(fmt::format("edge #{} has no \"{}\" (a task id)", index + 1, key));
    const auto task = task_ids_.find(member->get<std::string>());
    if (task == task_ids_.end())
      return fail(fmt::format("edge #{} \"{}\": unknown task \"{}\"", index + 1, key, member->get<std::string>()));
    return task->second;
  }

  Status parse_edges(const json& document) {
    const auto edges = document.find("edges");
    if (edges == document.end()) return ok_status();  // independent tasks
    if (!edges->is_array()) return fail("\"edges\" must be an array");
    for (std::size_t index = 0; index < edges->size(); ++index) {
      const json& entry = (*edges)[index];
      if (!entry.is_object()) return fail(fmt::format("edge #{} must be an object", index + 1));
      Result<std::size_t> from = task_reference(entry, "from", index);
      if (!from) return from.error();
      Result<std::size_t> to = task_reference(entry, "to", index);
      if (!to) return to.error();
      TaskGraphEdge edge{*from, *to, 0.0};
      if (const auto cost = entry.find("cost"); cost != entry.end()) {
        if (!cost->is_number())
          return fail(fmt::format("edge \"{}\" -> \"{}\": \"cost\" must be a number", graph_.tasks[*from].id,
                                  graph_.tasks[*to].id));
        edge.cost = cost->get<double>();
      }
      graph_.edges.push_back(edge);
    }
    return ok_status();
  }

  std::string_view origin_;
  const OpCostFunction& op_cost_;
  TaskGraph graph_;
  std::map<std::string, std::size_t> device_ids_;
  std::map<std::string, std::size_t> task_ids_;
  std::map<std::pair<std::string, std::string>, double> op_costs_;
};

}  // namespace

Result<TaskGraph> parse_task_graph(std::string_view json_text, std::string_view origin,
                                   const OpCostFunction& op_cost) {
  try {
    return TaskGraphParser(origin, op_cost).parse(json_text);
  } catch (const nlohmann::json::exception& error) {  // every access is type-checked first; this is a backstop
    return make_error(ErrorCode::invalid_argument, fmt::format("{}: {}", origin, error.what()));
  }
}

}  // namespace ual::sim
