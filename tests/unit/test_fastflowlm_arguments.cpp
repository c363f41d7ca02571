// `flm` argument lists against FastFlowLM 0.9.x's flag rules (vm_args.hpp), and against the stand-in that parses them
// the same way: what the builder emits, flm accepts; what flm rejects, the builder rejects first, naming the rule.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../../engines/fastflowlm/fastflowlm.hpp"
#include "core/child_process.hpp"
#include "test_fastflowlm_standin.hpp"

namespace ual::fastflowlm {
namespace {

using Arguments = std::vector<std::string>;

FlmInvocation invocation(std::string subcommand, std::string tag = "") {
  FlmInvocation result;
  result.subcommand = std::move(subcommand);
  result.model_tag = std::move(tag);
  return result;
}

std::string rule_error(const FlmInvocation& input) {
  const auto built = build_flm_arguments(input);
  EXPECT_FALSE(built.ok()) << "accepted: " << (built.ok() ? fmt::format("{}", fmt::join(*built, " ")) : "");
  if (built.ok()) return "";
  EXPECT_EQ(built.error().code, ErrorCode::invalid_argument);
  return built.error().message;
}

ChildOutput run_standin(const Arguments& arguments) {
  Arguments with_script{testing::standin_script()};
  with_script.insert(with_script.end(), arguments.begin(), arguments.end());
  const auto result = run_child_process("/usr/bin/python3", with_script, ChildOptions{std::chrono::seconds(30)});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  return result.ok() ? *result : ChildOutput{};
}

TEST(FastFlowLmArguments, ServeCarriesEveryServeFlagInTheRealSpelling) {
  FlmInvocation serve = invocation("serve", "llama3.2:1b");
  serve.host = "0.0.0.0";
  serve.port = 8000;
  serve.ctx_len = 8192;
  serve.pmode = "balanced";
  serve.q_len = 4;
  serve.socket = 12;
  serve.cors = false;
  serve.asr = true;
  serve.embed = true;
  const auto built = build_flm_arguments(serve);
  ASSERT_TRUE(built.ok()) << built.error().message;
  EXPECT_EQ(*built, (Arguments{"serve", "llama3.2:1b", "--host", "0.0.0.0", "--port", "8000", "--ctx-len", "8192",
                               "--pmode", "balanced", "--q-len", "4", "--socket", "12", "--cors", "0", "--asr", "1",
                               "--embed", "1"}));
}

TEST(FastFlowLmArguments, UnsetOptionsAreLeftToFlmsDefaults) {
  const auto built = build_flm_arguments(invocation("serve", "qwen3:8b"));
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, (Arguments{"serve", "qwen3:8b"}));
  const auto version = build_flm_arguments([] {
    FlmInvocation input = invocation("version");
    input.json = true;
    return input;
  }());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, (Arguments{"version", "--json"}));
}

TEST(FastFlowLmArguments, ServeOnlyFlagsAreRejectedElsewhere) {
  for (const std::string subcommand : {"run", "pull", "bench"}) {
    FlmInvocation input = invocation(subcommand, "llama3.2:1b");
    input.port = 8000;
    EXPECT_NE(rule_error(input).find("--port is only supported with flm serve"), std::string::npos);
    input = invocation(subcommand, "llama3.2:1b");
    input.q_len = 3;
    EXPECT_NE(rule_error(input).find("--q-len is only supported with flm serve"), std::string::npos);
    input = invocation(subcommand, "llama3.2:1b");
    input.socket = 3;
    EXPECT_NE(rule_error(input).find("--socket"), std::string::npos);
    input = invocation(subcommand, "llama3.2:1b");
    input.cors = true;
    EXPECT_NE(rule_error(input).find("--cors"), std::string::npos);
    input = invocation(subcommand, "llama3.2:1b");
    input.host = "127.0.0.1";
    EXPECT_NE(rule_error(input).find("--host"), std::string::npos);
  }
}

TEST(FastFlowLmArguments, ModelTagRules) {
  for (const std::string subcommand : {"run", "serve", "pull", "remove", "check"})
    EXPECT_NE(rule_error(invocation(subcommand)).find("needs a model tag"), std::string::npos) << subcommand;
  for (const std::string subcommand : {"list", "version", "port", "validate"})
    EXPECT_NE(rule_error(invocation(subcommand, "llama3.2:1b")).find("takes no model tag"), std::string::npos);
  EXPECT_NE(rule_error(invocation("run", "--port")).find("is not a model tag"), std::string::npos);
  EXPECT_NE(rule_error(invocation("start", "llama3.2:1b")).find("no subcommand 'start'"), std::string::npos);
}

TEST(FastFlowLmArguments, ValuesAreChecked) {
  FlmInvocation input = invocation("serve", "llama3.2:1b");
  input.pmode = "fast";
  EXPECT_NE(rule_error(input).find("powersaver"), std::string::npos);
  input = invocation("serve", "llama3.2:1b");
  input.port = 70000;
  EXPECT_NE(rule_error(input).find("outside 1..65535"), std::string::npos);
  input = invocation("serve", "llama3.2:1b");
  input.ctx_len = 0;
  EXPECT_NE(rule_error(input).find("--ctx-len must be positive"), std::string::npos);
  input = invocation("list");
  input.pmode = "turbo";
  EXPECT_NE(rule_error(input).find("--pmode applies only"), std::string::npos);
  input = invocation("serve", "llama3.2:1b");
  input.json = true;
  EXPECT_NE(rule_error(input).find("--json applies only"), std::string::npos);
  input = invocation("pull", "llama3.2:1b");
  input.asr = true;
  EXPECT_NE(rule_error(input).find("--asr and --embed"), std::string::npos);
}

// The stand-in parses like vm_args.hpp, so agreement here is agreement with the real parser's rules.
TEST(FastFlowLmArguments, TheParserAcceptsWhatTheBuilderEmits) {
  FlmInvocation run = invocation("run", "llama3.2:1b");
  run.ctx_len = 4096;
  run.pmode = "powersaver";
  run.asr = true;
  const auto built = build_flm_arguments(run);
  ASSERT_TRUE(built.ok());
  const ChildOutput output = run_standin(*built);
  EXPECT_EQ(output.exit_status, 0) << output.standard_error;
  FlmInvocation version = invocation("version");
  version.json = true;
  EXPECT_EQ(run_standin(*build_flm_arguments(version)).standard_output, "{ \"version\": \"0.9.24\" }\n");
}

TEST(FastFlowLmArguments, TheParserRejectsWhatTheBuilderRejects) {
  const ChildOutput port = run_standin({"run", "llama3.2:1b", "--port", "8000"});
  EXPECT_EQ(port.exit_status, 1);
  EXPECT_NE(port.standard_error.find("The port number option is only supported with the serve command!"),
            std::string::npos);
  const ChildOutput tag = run_standin({"pull"});
  EXPECT_EQ(tag.exit_status, 1);
  EXPECT_NE(tag.standard_error.find("Error: Model tag is required for command 'pull'"), std::string::npos);
  const ChildOutput unknown = run_standin({"serve", "llama9:1b"});
  EXPECT_EQ(unknown.exit_status, 1);
  EXPECT_NE(unknown.standard_output.find("Model not found: llama9:1b"), std::string::npos);
  const ChildOutput flag = run_standin({"serve", "llama3.2:1b", "--ctxlen", "5"});
  EXPECT_NE(flag.standard_error.find("unrecognised option '--ctxlen'"), std::string::npos);
}

}  // namespace
}  // namespace ual::fastflowlm
