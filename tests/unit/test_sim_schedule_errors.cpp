// Task graphs the scheduler must refuse, each with a message that names the file and the task, edge or device.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ual/sim_schedule.hpp"

namespace ual::sim {
namespace {

constexpr const char* two_devices = R"("devices": [{"id": "P1"}, {"id": "P2"}])";

// Expects parse_task_graph to fail with a message holding "graph.json: " and every fragment.
void expect_parse_error(const std::string& text, const std::vector<std::string>& fragments,
                        const OpCostFunction& op_cost = nullptr) {
  Result<TaskGraph> graph = parse_task_graph(text, "graph.json", op_cost);
  ASSERT_FALSE(graph.ok()) << text;
  EXPECT_EQ(graph.error().code, ErrorCode::invalid_argument);
  const std::string& message = graph.error().message;
  EXPECT_EQ(message.rfind("graph.json: ", 0), 0u) << message;
  for (const std::string& fragment : fragments) EXPECT_NE(message.find(fragment), std::string::npos) << message;
}

std::string graph_with(const std::string& tasks, const std::string& edges = "[]") {
  return std::string("{") + two_devices + R"(, "tasks": )" + tasks + R"(, "edges": )" + edges + "}";
}

constexpr const char* three_tasks = R"([{"id": "A", "costs": [1, 2]}, {"id": "B", "costs": [1, 2]},
                                        {"id": "C", "costs": [1, 2]}])";

TEST(TaskGraphScheduleErrors, NotJsonOrNotAGraph) {
  expect_parse_error("{\"devices\": [", {"not valid JSON", "line 1"});
  expect_parse_error("", {"not valid JSON"});
  expect_parse_error("[1, 2]", {"expected a JSON object"});
  expect_parse_error(R"({"tasks": [{"id": "A", "costs": [1]}]})", {"missing \"devices\""});
  expect_parse_error(R"({"devices": {}, "tasks": []})", {"\"devices\" must be an array"});
  expect_parse_error(R"({"devices": [], "tasks": [{"id": "A", "costs": []}]})", {"\"devices\" is empty"});
  expect_parse_error(std::string("{") + two_devices + R"(, "tasks": []})", {"\"tasks\" is empty"});
  expect_parse_error(std::string("{") + two_devices + "}", {"missing \"tasks\""});
  expect_parse_error(graph_with(three_tasks, "{}"), {"\"edges\" must be an array"});
}

TEST(TaskGraphScheduleErrors, MissingAndDuplicateIds) {
  expect_parse_error(R"({"devices": [{"name": "P1"}], "tasks": [{"id": "A", "costs": [1]}]})",
                     {"device #1 has no \"id\""});
  expect_parse_error(R"({"devices": [{"id": "P1"}, {"id": "P1"}], "tasks": [{"id": "A", "costs": [1, 1]}]})",
                     {"device id \"P1\" is used twice"});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1, 2]}, {"costs": [1, 2]}])"), {"task #2 has no \"id\""});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1, 2]}, {"id": "A", "costs": [3, 4]}])"),
                     {"task id \"A\" is used twice"});
  expect_parse_error(graph_with(R"([{"id": "", "costs": [1, 2]}])"), {"task #1 has no \"id\""});
}

TEST(TaskGraphScheduleErrors, BadEdges) {
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A", "to": "Z"}])"), {"edge #1", "unknown task \"Z\""});
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A"}])"), {"edge #1 has no \"to\""});
  expect_parse_error(graph_with(three_tasks, R"([{"from": "B", "to": "B"}])"), {"task \"B\" to itself", "self-loop"});
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A", "to": "B", "cost": -1}])"),
                     {"edge task \"A\" -> task \"B\"", "finite and non-negative"});
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A", "to": "B", "cost": "x"}])"), {"\"cost\" must be a number"});
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A", "to": "B"}, {"from": "A", "to": "B"}])"),
                     {"is given twice"});
}

TEST(TaskGraphScheduleErrors, CyclesNameTheirTasks) {
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A", "to": "B"}, {"from": "B", "to": "C"},
                                                 {"from": "C", "to": "B"}])"),
                     {"cycle", "B -> C -> B"});
  expect_parse_error(graph_with(three_tasks, R"([{"from": "A", "to": "B"}, {"from": "B", "to": "C"},
                                                 {"from": "C", "to": "A"}])"),
                     {"cycle", "A -> B -> C -> A"});
}

TEST(TaskGraphScheduleErrors, BadCosts) {
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1, 2, 3]}])"), {"task \"A\" has 3 costs, expected 2"});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1]}])"), {"task \"A\" has 1 costs, expected 2"});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1, -2]}])"), {"task \"A\"", "-2", "device \"P2\""});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1, 1e999]}])"), {"not valid JSON", "number overflow"});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": [1, "fast"]}])"), {"task \"A\"", "not a number"});
  expect_parse_error(graph_with(R"([{"id": "A", "costs": 3}])"), {"task \"A\"", "must be an array"});
  expect_parse_error(graph_with(R"([{"id": "A"}])"), {"task \"A\" has neither \"costs\" nor \"op\""});
}

TEST(TaskGraphScheduleErrors, OpTasks) {
  const OpCostFunction table = [](std::string_view op, std::string_view) -> Result<double> {
    if (op == "gemm 1x1x1 bf16") return 1e-6;
    if (op == "nan") return std::numeric_limits<double>::quiet_NaN();
    return make_error(ErrorCode::invalid_argument, std::string("cannot parse op \"") + std::string(op) + "\"");
  };
  const std::string hardware = R"("devices": [{"id": "gpu0", "hardware": "h100-sxm"}, {"id": "cpu0"}])";
  expect_parse_error(std::string("{") + hardware + R"(, "tasks": [{"id": "mm", "op": "gemm 1x1x1 bf16"}]})",
                     {"task \"mm\"", "device \"cpu0\" has no \"hardware\""}, table);
  const std::string with_hardware = R"("devices": [{"id": "gpu0", "hardware": "h100-sxm"}])";
  expect_parse_error(std::string("{") + with_hardware + R"(, "tasks": [{"id": "bad", "op": "frobnicate"}]})",
                     {"task \"bad\" on device \"gpu0\" (h100-sxm)", "cannot parse op \"frobnicate\""}, table);
  expect_parse_error(std::string("{") + with_hardware + R"(, "tasks": [{"id": "n", "op": "nan"}]})",
                     {"task \"n\"", "op cost model gave nan"}, table);
  expect_parse_error(std::string("{") + with_hardware + R"(, "tasks": [{"id": "mm", "op": "gemm 1x1x1 bf16"}]})",
                     {"task \"mm\"", "no op cost model"});
  expect_parse_error(std::string("{") + with_hardware + R"(, "tasks": [{"id": "mm", "op": 5}]})",
                     {"task \"mm\"", "\"op\" must be a non-empty string"}, table);
  Result<TaskGraph> fine =
      parse_task_graph(std::string("{") + with_hardware + R"(, "tasks": [{"id": "mm", "op": "gemm 1x1x1 bf16"}]})",
                       "graph.json", table);
  ASSERT_TRUE(fine.ok()) << fine.error().message;
  EXPECT_EQ(fine->tasks[0].costs, std::vector<double>{1e-6});
}

TEST(TaskGraphScheduleErrors, GraphsBuiltInCodeAreCheckedToo) {
  TaskGraph graph;
  EXPECT_NE(schedule_task_graph(graph, ScheduleAlgorithm::heft).error().message.find("no devices"), std::string::npos);
  graph.devices = {{"P1", ""}};
  EXPECT_NE(schedule_task_graph(graph, ScheduleAlgorithm::heft).error().message.find("no tasks"), std::string::npos);
  graph.tasks = {{"A", "", {std::numeric_limits<double>::quiet_NaN()}}, {"B", "", {1}}};
  EXPECT_NE(schedule_task_graph(graph, ScheduleAlgorithm::cpop).error().message.find("task \"A\" has cost nan"),
            std::string::npos);
  graph.tasks[0].costs = {std::numeric_limits<double>::infinity()};
  EXPECT_NE(schedule_task_graph(graph, ScheduleAlgorithm::peft).error().message.find("task \"A\" has cost inf"),
            std::string::npos);
  graph.tasks[0].costs = {1};
  graph.edges = {{0, 5, 1}};
  EXPECT_NE(schedule_task_graph(graph, ScheduleAlgorithm::heft).error().message.find("does not exist"),
            std::string::npos);
  graph.edges = {{0, 1, 1}, {1, 0, 1}};
  EXPECT_NE(schedule_task_graph(graph, ScheduleAlgorithm::heft).error().message.find("A -> B -> A"),
            std::string::npos);
  graph.edges = {{0, 1, 1}};
  EXPECT_TRUE(schedule_task_graph(graph, ScheduleAlgorithm::heft).ok());
}

TEST(TaskGraphScheduleErrors, BadRandomGraphParameters) {
  auto message = [](auto change) {
    RandomTaskGraphParameters parameters;
    change(parameters);
    Result<TaskGraph> graph = generate_random_task_graph(parameters);
    return graph.ok() ? std::string("accepted") : graph.error().message;
  };
  EXPECT_NE(message([](auto& p) { p.tasks = 0; }).find("tasks"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.shape = 0; }).find("shape"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.shape = std::nan(""); }).find("shape"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.out_degree = 0; }).find("out-degree"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.communication_to_computation_ratio = -1; }).find("CCR"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.heterogeneity = 2.5; }).find("beta"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.devices = 0; }).find("devices"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.average_cost = 0; }).find("average cost"), std::string::npos);
  EXPECT_NE(message([](auto& p) { p.average_cost = 1e308; }).find("unusable costs"), std::string::npos);
  EXPECT_EQ(message([](auto& p) { p.tasks = 1; }), "accepted");
  EXPECT_EQ(message([](auto& p) { p.shape = 1e9; }), "accepted");  // one wide level
}

}  // namespace
}  // namespace ual::sim
