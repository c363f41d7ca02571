// `ual serve` run as a user runs it, on the recorded Strix Halo laptop (an XDNA2 NPU with flm installed) with the flm
// stand-in first on PATH: the plan's FastFlowLM command, a served endpoint that answers chats, a clean stop on
// SIGTERM, no flm left behind when ual itself is killed, and clear failures.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../engines/fastflowlm/openai_client.hpp"
#include "core/child_process.hpp"
#include "test_fastflowlm_standin.hpp"

namespace ual::cli {
namespace {

const std::string strix_halo = testing::machine_path("strix-halo-laptop");

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct CliResult {
  int exit_code = -1;
  std::string output, error;
};

// `ual ARGS` with the stand-in directory first on PATH.
CliResult run_ual(const testing::StandinDirectory& directory, const std::vector<std::string>& arguments) {
  std::vector<std::string> command{"PATH=" + directory.path_variable(), UAL_CLI_PATH};
  command.insert(command.end(), arguments.begin(), arguments.end());
  const auto result = run_child_process("/usr/bin/env", command, ChildOptions{std::chrono::seconds(60), 1u << 20});
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return {};
  return {result->exit_status, result->standard_output, result->standard_error};
}

// `ual serve` supervised like any server: ready once the flm behind it answers on the chosen port.
struct ServeRun {
  int port = 0;
  std::string log_file;
  int log_fd = -1;
  std::unique_ptr<engines::SupervisedServer> ual;
  Status ready = ok_status();

  ServeRun(const testing::StandinDirectory& directory, std::vector<std::pair<std::string, std::string>> environment,
           std::vector<std::string> extra = {}) {
    port = *engines::pick_free_port();
    log_file = directory.file("serve.log");
    log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    engines::SupervisedServerOptions options;
    options.argv = {UAL_CLI_PATH, "serve", "--model", "llama-3.2-1b", "--sysroot", strix_halo,
                    "--port", std::to_string(port), "--ready-timeout", "20"};
    options.argv.insert(options.argv.end(), extra.begin(), extra.end());
    environment.emplace_back("PATH", directory.path_variable());
    options.environment = std::move(environment);
    options.name = "ual";
    options.port = port;
    options.ready_timeout = std::chrono::seconds(30);
    options.poll_interval = std::chrono::milliseconds(50);
    options.log_fd = log_fd;
    options.log_prefix = " ";
    auto started = engines::SupervisedServer::start(std::move(options));
    if (!started) {
      ready = started.error();
      return;
    }
    ual = std::move(*started);
    ready = ual->wait_until_ready();
  }
  ~ServeRun() {
    if (ual) ual->stop();
    if (log_fd >= 0) ::close(log_fd);
  }
  std::string log() const { return testing::read_text(log_file); }
};

std::pair<int, int> read_pids(const std::string& file) {
  int leader = 0, child = 0;
  std::istringstream(testing::read_text(file)) >> leader >> child;
  return {leader, child};
}

TEST(ServeCli, HelpAndBadUsage) {
  testing::StandinDirectory directory;
  const CliResult help = run_ual(directory, {"serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.output, "--ready-timeout")) << help.output;
  EXPECT_EQ(run_ual(directory, {"serve"}).exit_code, 2);
  EXPECT_EQ(run_ual(directory, {"serve", "--model", "llama-3.2-1b", "--port", "0"}).exit_code, 2);
}

TEST(ServeCli, DryRunPrintsThePlannedFlmCommand) {
  testing::StandinDirectory directory;
  const CliResult text = run_ual(directory, {"serve", "--model", "llama-3.2-1b", "--sysroot", strix_halo, "--port",
                                             "40123", "--dry-run"});
  ASSERT_EQ(text.exit_code, 0) << text.error;
  EXPECT_EQ(text.output, "flm serve llama3.2:1b --port 40123\n");
  const CliResult json = run_ual(directory, {"serve", "--model", "llama-3.2-1b", "--sysroot", strix_halo,
                                             "--dry-run", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.error;
  const auto parsed = nlohmann::json::parse(json.output, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << json.output;
  EXPECT_EQ(parsed["engine"], "fastflowlm");
  EXPECT_EQ(parsed["argv"][0], "flm");
  EXPECT_EQ(parsed["readiness_path"], "/v1/models");
  const int port = std::stoi(parsed["argv"][4].get<std::string>());
  EXPECT_GT(port, 0);
  EXPECT_EQ(parsed["endpoint"], "http://127.0.0.1:" + std::to_string(port) + "/v1");
}

TEST(ServeCli, ServesAnEndpointThatAnswersAndStopsCleanlyOnSigterm) {
  testing::StandinDirectory directory;
  ServeRun serve(directory, {{"FLM_STANDIN_PID_FILE", directory.file("pids")}, {"FLM_STANDIN_SPAWN_CHILD", "1"}});
  ASSERT_TRUE(serve.ready.ok()) << serve.ready.error().message << "\n" << serve.log();
  const auto [flm, flm_child] = read_pids(directory.file("pids"));
  ASSERT_GT(flm, 0);
  // ual printed the endpoint on stdout (merged into the log here) once flm answered.
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(serve.port) + "/v1";
  for (int attempt = 0; attempt < 100 && !contains(serve.log(), endpoint); ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(contains(serve.log(), " " + endpoint + "\n")) << serve.log();
  EXPECT_TRUE(contains(serve.log(), "[flm] [FLM]  Press Ctrl+C to stop.")) << serve.log();

  const fastflowlm::OpenAiClient client(*fastflowlm::parse_endpoint(endpoint));
  fastflowlm::ChatRequest request;
  request.messages = {{"user", "served by ual"}};
  const auto answer = client.chat(request);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->content, "lau yb devres");

  const engines::ServerExit exit = serve.ual->stop();  // SIGTERM to ual
  EXPECT_TRUE(exit.exited_normally) << exit.describe() << "\n" << serve.log();
  EXPECT_EQ(exit.exit_code, 0) << serve.log();
  EXPECT_TRUE(contains(serve.log(), "ual serve: stopped fastflowlm")) << serve.log();
  EXPECT_TRUE(testing::wait_until_gone(flm));
  EXPECT_TRUE(testing::wait_until_gone(flm_child));
}

TEST(ServeCli, KillingUalTakesFlmWithIt) {
  testing::StandinDirectory directory;
  ServeRun serve(directory, {{"FLM_STANDIN_PID_FILE", directory.file("pids")}});
  ASSERT_TRUE(serve.ready.ok()) << serve.ready.error().message << "\n" << serve.log();
  const auto [flm, unused] = read_pids(directory.file("pids"));
  ASSERT_GT(flm, 0);
  ::kill(serve.ual->pid(), SIGKILL);  // no handler runs: PR_SET_PDEATHSIG must end flm
  EXPECT_TRUE(testing::wait_until_gone(flm)) << "flm outlived a killed ual";
}

TEST(ServeCli, AnFlmThatExitsAtOnceFailsWithItsLastLines) {
  testing::StandinDirectory directory;
  ServeRun serve(directory, {{"FLM_STANDIN_MODE", "exit-at-once"}});
  ASSERT_FALSE(serve.ready.ok());
  const engines::ServerExit exit = serve.ual->stop();
  EXPECT_EQ(exit.exit_code, 1) << serve.log();
  EXPECT_TRUE(contains(serve.log(), "ual serve: flm exited with code 3 before it answered")) << serve.log();
  EXPECT_TRUE(contains(serve.log(), "Failed to load model")) << serve.log();
}

TEST(ServeCli, ATakenPortIsRefusedBeforeAnythingStarts) {
  testing::StandinDirectory directory;
  testing::RunningStandin other;
  ASSERT_TRUE(other.server);
  const CliResult result = run_ual(directory, {"serve", "--model", "llama-3.2-1b", "--sysroot", strix_halo, "--port",
                                               std::to_string(other.port)});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "is already taken")) << result.error;
}

TEST(ServeCli, NoReadyServerSaysWhatIsMissing) {
  testing::StandinDirectory directory;
  const CliResult result = run_ual(directory, {"serve", "--model", "llama-3.2-1b", "--sysroot",
                                               testing::machine_path("cpu-only-server"), "--engine", "fastflowlm"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.error, "fastflowlm")) << result.error;
  const CliResult unknown = run_ual(directory, {"serve", "--model", "no-such-model", "--sysroot", strix_halo});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.error, "no-such-model")) << unknown.error;
}

}  // namespace
}  // namespace ual::cli
