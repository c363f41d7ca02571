// The compute side of the CLI: `ual devices` lists compute devices (and the JSON contract's compute_devices),
// `ual bench gemm` and `ual bench dispatch` run and report against their references, bad usage exits 2.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.hpp"

namespace {

using ual::testing::CliResult;

CliResult run_cli(const std::vector<std::string>& arguments) {
  // A private cache: `ual bench gemm --device auto` calibrates the selector on first use.
  return ual::testing::run_cli(arguments, {"XDG_CACHE_HOME=/tmp/ual-cli-compute-test-cache"});
}

TEST(CliCompute, DevicesJsonListsComputeDevices) {
  const CliResult result = run_cli({"devices", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output);
  ASSERT_TRUE(json.contains("compute_devices"));
  ASSERT_FALSE(json["compute_devices"].empty());
  const auto& cpu = json["compute_devices"][0];
  EXPECT_EQ(cpu["id"], "cpu:0");
  EXPECT_EQ(cpu["backend"], "cpu");
  EXPECT_EQ(cpu["hardware"], "cpu");
  for (const auto& device : json["compute_devices"])
    for (const char* key : {"id", "backend", "name", "hardware"}) EXPECT_TRUE(device.contains(key)) << key;
  ASSERT_TRUE(json.contains("compute_backends"));
  EXPECT_EQ(json["compute_backends"][0]["name"], "cpu");
}

TEST(CliCompute, RecordedTreesAndNoComputeHaveNoComputeDevices) {
  const CliResult result = run_cli({"devices", "--json", "--no-compute", "--no-runtimes"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  EXPECT_TRUE(nlohmann::json::parse(result.output)["compute_devices"].empty());
}

TEST(CliCompute, BenchGemmReportsTheDirectOneDnnReference) {
  const CliResult result = run_cli({"bench", "gemm", "--m", "64", "--n", "48", "--k", "32", "--threads", "1",
                                    "--repeats", "3", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_EQ(json["device"], "cpu:0");
  EXPECT_GT(json["gflops"]["median"].get<double>(), 0.0);
  ASSERT_TRUE(json["references"].is_array());
  EXPECT_EQ(json["references"][0]["available"], true);
  EXPECT_GT(json["references"][0]["ratio"].get<double>(), 0.0);
}

TEST(CliCompute, BenchGemmOnTheSelectorsChoiceAndInFp8) {
  const CliResult result = run_cli({"bench", "gemm", "--m", "32", "--n", "32", "--k", "32", "--dtype", "fp8_e4m3",
                                    "--device", "auto", "--repeats", "2", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_TRUE(json.contains("selection"));
  EXPECT_TRUE(json.contains("f32")) << "a non-f32 run is compared with our own f32 path";
}

TEST(CliCompute, BenchDispatchReportsOverhead) {
  const CliResult result = run_cli({"bench", "dispatch", "--calls", "200", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output);
  EXPECT_GT(json["api_seconds_per_call"].get<double>(), 0.0);
  EXPECT_GT(json["direct_seconds_per_call"].get<double>(), 0.0);
}

TEST(CliCompute, BadBenchUsage) {
  EXPECT_EQ(run_cli({"bench"}).exit_code, 2);
  EXPECT_EQ(run_cli({"bench", "gemm", "--dtype", "f64"}).exit_code, 2);
  EXPECT_EQ(run_cli({"bench", "gemm", "--m", "0"}).exit_code, 2);
  const CliResult missing = run_cli({"bench", "gemm", "--device", "cuda:3"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.error.find("no compute device 'cuda:3'"), std::string::npos) << missing.error;
  EXPECT_EQ(run_cli({"bench", "gemm", "--help"}).exit_code, 0);
}

}  // namespace
