// `ual chat` against the flm stand-in: the answer streamed to stdout, --json with the usage, and clear failures
// (busy NPU queue, nothing listening, a malformed endpoint).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/child_process.hpp"
#include "test_fastflowlm_standin.hpp"

namespace ual::cli {
namespace {

struct CliResult {
  int exit_code = -1;
  std::string output, error;
};

CliResult run_chat(const std::vector<std::string>& arguments) {
  std::vector<std::string> command{"chat"};
  command.insert(command.end(), arguments.begin(), arguments.end());
  const auto result = run_child_process(UAL_CLI_PATH, command, ChildOptions{std::chrono::seconds(60), 1u << 20});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  return {result->exit_status, result->standard_output, result->standard_error};
}

class ChatCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { standin = new testing::RunningStandin(); }
  static void TearDownTestSuite() {
    delete standin;
    standin = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(standin != nullptr && standin->server) << "the flm stand-in did not start"; }
  static std::string endpoint() { return standin->url() + "/v1"; }
  static testing::RunningStandin* standin;
};
testing::RunningStandin* ChatCli::standin = nullptr;

TEST_F(ChatCli, StreamsTheAnswerToStdout) {
  const CliResult result = run_chat({"--endpoint", endpoint(), "--prompt", "stream me", "--system", "terse"});
  EXPECT_EQ(result.exit_code, 0) << result.error;
  EXPECT_EQ(result.output, "em maerts\n");
}

TEST_F(ChatCli, JsonCarriesTheMessageAndUsage) {
  const CliResult result =
      run_chat({"--endpoint", endpoint(), "--prompt", "0123456789", "--max-tokens", "2", "--model", "qwen3:8b",
                "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.error;
  const auto json = nlohmann::json::parse(result.output, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << result.output;
  EXPECT_EQ(json["message"]["content"], "98765432");
  EXPECT_EQ(json["message"]["role"], "assistant");
  EXPECT_EQ(json["finish_reason"], "length");
  EXPECT_EQ(json["model"], "qwen3:8b");
  EXPECT_EQ(json["usage"]["completion_tokens"], 2);
  EXPECT_EQ(json["usage"]["prompt_tokens"], 1);
}

TEST_F(ChatCli, ABusyServerIsAFailureThatSaysRetry) {
  const CliResult result = run_chat({"--endpoint", endpoint(), "--prompt", "!busy"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.error.find("is busy, retry later"), std::string::npos) << result.error;
}

TEST(ChatCliFailures, NothingListeningAndBadUsage) {
  const auto port = engines::pick_free_port();
  ASSERT_TRUE(port.ok());
  const CliResult refused = run_chat({"--endpoint", "http://127.0.0.1:" + std::to_string(*port), "--prompt", "hi"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.error.find("connection refused"), std::string::npos) << refused.error;
  EXPECT_EQ(run_chat({"--endpoint", "https://example.com:1", "--prompt", "hi"}).exit_code, 2);
  EXPECT_EQ(run_chat({"--endpoint", "http://127.0.0.1:1"}).exit_code, 2);
  const CliResult help = run_chat({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("--max-tokens"), std::string::npos);
}

}  // namespace
}  // namespace ual::cli
