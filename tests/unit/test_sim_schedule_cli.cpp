// `ual sim schedule` run as a user runs it: the paper's example gives the paper's makespans, seeded random graphs
// repeat, bad usage exits 2 and a bad graph exits 1, each with "ual sim schedule: <reason>" on stderr.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/child_process.hpp"
#include "fixture_paths.hpp"

namespace ual::sim {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string output;
  std::string error;
};

CliResult run_schedule(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {"sim", "schedule"});
  const auto result = run_child_process(UAL_CLI_PATH, arguments, ChildOptions{std::chrono::seconds(120), 4u << 20});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  EXPECT_TRUE(result->exited_normally) << "signal " << result->signal;
  return {result->exit_status, result->standard_output, result->standard_error};
}

const std::string fig2 = testing::source_path("tests/fixtures/task_graphs/topcuoglu_2002_fig2.json");

TEST(TaskGraphScheduleCli, PaperExampleAsJsonAndTable) {
  const CliResult heft = run_schedule({fig2, "--json"});
  ASSERT_EQ(heft.exit_code, 0) << heft.error;
  const auto document = nlohmann::json::parse(heft.output, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << heft.output;
  EXPECT_EQ(document["algorithm"], "heft");
  EXPECT_EQ(document["makespan"], 80.0);
  ASSERT_EQ(document["tasks"].size(), 10u);
  EXPECT_EQ(document["tasks"][0]["id"], "n1");
  EXPECT_EQ(document["tasks"][0]["device"], "P3");
  const CliResult cpop = run_schedule({fig2, "--algorithm", "cpop"});
  ASSERT_EQ(cpop.exit_code, 0) << cpop.error;
  EXPECT_NE(cpop.output.find("cpop: makespan 86,"), std::string::npos) << cpop.output;
  EXPECT_NE(cpop.output.find("n10"), std::string::npos);
}

TEST(TaskGraphScheduleCli, SeededRandomGraphsRepeat) {
  const std::vector<std::string> arguments = {"--random", "--tasks", "60", "--shape", "0.5", "--out-degree", "2",
                                              "--ccr", "5", "--beta", "1", "--devices", "3", "--seed", "9",
                                              "--algorithm", "peft", "--json"};
  const CliResult first = run_schedule(arguments);
  ASSERT_EQ(first.exit_code, 0) << first.error;
  EXPECT_EQ(run_schedule(arguments).output, first.output);
  const auto document = nlohmann::json::parse(first.output, nullptr, false);
  ASSERT_FALSE(document.is_discarded());
  EXPECT_EQ(document["tasks"].size(), 60u);
  EXPECT_GE(document["schedule_length_ratio"].get<double>(), 1.0);
}

TEST(TaskGraphScheduleCli, BadUsageExits2) {
  for (const std::vector<std::string>& arguments :
       std::vector<std::vector<std::string>>{{}, {fig2, "--random"}, {"--tasks", "10"}, {fig2, "--algorithm", "x"},
                                             {"--random", "--shape", "0"}, {"--random", "--beta", "3"}}) {
    const CliResult result = run_schedule(arguments);
    EXPECT_EQ(result.exit_code, 2) << result.output << result.error;
    EXPECT_FALSE(result.error.empty());
  }
  EXPECT_NE(run_schedule({}).error.find("ual sim schedule: give a DAG JSON file or --random"), std::string::npos);
}

TEST(TaskGraphScheduleCli, BadGraphsExit1) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("ual-schedule-cycle-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << R"({"devices": [{"id": "P1"}], "tasks": [{"id": "x", "costs": [1]}, {"id": "y", "costs": [1]}],
                             "edges": [{"from": "x", "to": "y"}, {"from": "y", "to": "x"}]})";
  const CliResult cycle = run_schedule({file.string()});
  std::filesystem::remove(file);
  EXPECT_EQ(cycle.exit_code, 1);
  EXPECT_NE(cycle.error.find("ual sim schedule: "), std::string::npos) << cycle.error;
  EXPECT_NE(cycle.error.find("cycle: x -> y -> x"), std::string::npos) << cycle.error;
  const CliResult missing = run_schedule({"/nonexistent/graph.json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.error.find("/nonexistent/graph.json"), std::string::npos) << missing.error;
}

}  // namespace
}  // namespace ual::sim
