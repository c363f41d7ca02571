// `ual plan` as a user runs it, on recorded machines: the ranked table, --json, and the exit codes of the contract
// (0 ok, 1 explained failure, 2 bad usage).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_runner.hpp"
#include "fixture_paths.hpp"

namespace ual {
namespace {

using testing::CliResult;
using testing::run_cli;

TEST(PlanCli, StrixHaloLaptopRanksFastFlowLmFirst) {
  const CliResult result =
      run_cli({"plan", "--model", "llama-3.2-3b", "--sysroot", testing::machine_path("strix-halo-laptop")});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  EXPECT_NE(result.output.find(" 1. fastflowlm on npu AMD XDNA2 NPU"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("server: flm serve llama3.2:3b --port 52625"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("Rejected"), std::string::npos);
}

TEST(PlanCli, JsonOnADgxListsTensorRtLlmAndVllmWithTheirCommands) {
  const CliResult result = run_cli({"plan", "--model", "llama-3.1-8b", "--objective", "throughput", "--port", "9000",
                                    "--sysroot", testing::machine_path("dgx-h100"), "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.output;
  EXPECT_EQ(json["objective"], "throughput");
  EXPECT_EQ(json["model"]["id"], "llama-3.1-8b");
  ASSERT_GE(json["strategies"].size(), 2u);
  EXPECT_EQ(json["strategies"][0]["engine"], "tensorrt-llm");
  EXPECT_NE(json["strategies"][0]["command"].get<std::string>().find("--port 9000"), std::string::npos);
  EXPECT_EQ(json["strategies"][0]["endpoint"], "http://127.0.0.1:9000");
  EXPECT_FALSE(json["strategies"][0]["ready"].get<bool>());
  EXPECT_FALSE(json["strategies"][0]["requires"].empty());
  EXPECT_TRUE(json["strategies"][0]["predicted"]["tokens_per_second"].is_number());
}

TEST(PlanCli, UnknownModelFailsWithTheReason) {
  const CliResult result = run_cli({"plan", "--model", "no-such-model-xyz", "--sysroot",
                                    testing::machine_path("cpu-only-server")});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.error.find("no-such-model-xyz"), std::string::npos) << result.error;
}

TEST(PlanCli, BadUsageExitsTwo) {
  EXPECT_EQ(run_cli({"plan"}).exit_code, 2);
  EXPECT_EQ(run_cli({"plan", "--model", "llama-3.2-1b", "--objective", "fastest"}).exit_code, 2);
  EXPECT_EQ(run_cli({"plan", "--model", "llama-3.2-1b", "--port", "70000"}).exit_code, 2);
}

TEST(PlanCli, ModelThatFitsNowhereExitsOne) {
  const CliResult result =
      run_cli({"plan", "--model", "megatron-1t", "--sysroot", testing::machine_path("phoenix-laptop")});
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.error.find("no way to run megatron-1t"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace ual
