// The supervised server: ready when its readiness path answers, early exits and silence reported with the child's
// last lines, taken ports named, and a stop that leaves no process of the group behind.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include "test_fastflowlm_standin.hpp"

namespace ual::engines {
namespace {

using testing::standin_serve_options;

int free_port() {
  const auto port = pick_free_port();
  EXPECT_TRUE(port.ok());
  return port.ok() ? *port : 0;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(FastFlowLmSupervisor, BecomesReadyAndForwardsItsOutputWithAPrefix) {
  testing::StandinDirectory directory;
  const std::string log_file = directory.file("log");
  const int log_fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(log_fd, 0);
  auto options = standin_serve_options(free_port());
  options.log_fd = log_fd;
  auto server = SupervisedServer::start(options);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const Status ready = (*server)->wait_until_ready();
  ASSERT_TRUE(ready.ok()) << ready.error().message;
  EXPECT_TRUE((*server)->running());
  const pid_t pid = (*server)->pid();
  const ServerExit exit = (*server)->stop();
  ::close(log_fd);
  EXPECT_EQ(exit.signal, SIGTERM) << exit.describe();
  EXPECT_TRUE(testing::process_gone(pid));
  const std::string log = testing::read_text(log_file);
  EXPECT_TRUE(contains(log, "[flm] [FLM]  Press Ctrl+C to stop.\n")) << log;
  EXPECT_TRUE(contains(log, "[flm] [LOG]  GET /v1/models")) << log;
}

TEST(FastFlowLmSupervisor, AnEarlyExitIsReportedWithItsCodeAndLastLines) {
  auto options = standin_serve_options(free_port());
  options.environment = {{"FLM_STANDIN_MODE", "exit-at-once"}};
  auto server = SupervisedServer::start(options);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const Status ready = (*server)->wait_until_ready();
  ASSERT_FALSE(ready.ok());
  EXPECT_TRUE(contains(ready.error().message, "flm exited with code 3 before it answered")) << ready.error().message;
  EXPECT_TRUE(contains(ready.error().message, "Failed to load model: no NPU device found")) << ready.error().message;
  EXPECT_FALSE((*server)->running());
}

TEST(FastFlowLmSupervisor, ANeverReadyServerTimesOutAndIsStopped) {
  auto options = standin_serve_options(free_port());
  options.environment = {{"FLM_STANDIN_MODE", "never-ready"}};
  options.ready_timeout = std::chrono::milliseconds(1500);
  options.progress_interval = std::chrono::milliseconds(500);
  std::vector<std::string> progress;
  options.progress = [&](const std::string& line) { progress.push_back(line); };
  auto server = SupervisedServer::start(options);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const pid_t pid = (*server)->pid();
  const auto started = std::chrono::steady_clock::now();
  const Status ready = (*server)->wait_until_ready();
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(ready.ok());
  EXPECT_TRUE(contains(ready.error().message, "did not become ready on http://127.0.0.1:")) << ready.error().message;
  EXPECT_LT(waited, std::chrono::seconds(8));
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(contains(progress.front(), "waiting for flm on 127.0.0.1:" + std::to_string(options.port)))
      << progress.front();
  EXPECT_TRUE(testing::process_gone(pid));
}

TEST(FastFlowLmSupervisor, ATakenPortIsNamed) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(fd, 4), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  const int port = ntohs(address.sin_port);

  const Status free = check_port_free("127.0.0.1", port);
  ASSERT_FALSE(free.ok());
  EXPECT_TRUE(contains(free.error().message, "port " + std::to_string(port) + " on 127.0.0.1 is already taken"));
  // A server started there anyway fails to bind, and the supervisor says so instead of trusting the other listener.
  auto server = SupervisedServer::start(standin_serve_options(port));
  ASSERT_TRUE(server.ok());
  const Status ready = (*server)->wait_until_ready();
  ::close(fd);
  ASSERT_FALSE(ready.ok());
  EXPECT_TRUE(contains(ready.error().message, "exited with code 1")) << ready.error().message;
  EXPECT_TRUE(contains(ready.error().message, "Address already in use")) << ready.error().message;
  EXPECT_TRUE(check_port_free("127.0.0.1", port).ok());
  EXPECT_FALSE(check_port_free("127.0.0.1", 0).ok());
}

TEST(FastFlowLmSupervisor, StopKillsTheWholeProcessGroup) {
  testing::StandinDirectory directory;
  auto options = standin_serve_options(free_port());
  options.environment = {{"FLM_STANDIN_SPAWN_CHILD", "1"}, {"FLM_STANDIN_PID_FILE", directory.file("pids")}};
  auto server = SupervisedServer::start(options);
  ASSERT_TRUE(server.ok()) << server.error().message;
  ASSERT_TRUE((*server)->wait_until_ready().ok());
  int leader = 0, grandchild = 0;
  std::istringstream(testing::read_text(directory.file("pids"))) >> leader >> grandchild;
  ASSERT_EQ(leader, (*server)->pid());
  ASSERT_GT(grandchild, 0);
  EXPECT_EQ(::getpgid(grandchild), leader);
  EXPECT_FALSE(testing::process_gone(grandchild));
  (*server)->stop();
  EXPECT_TRUE(testing::process_gone(leader));
  EXPECT_TRUE(testing::wait_until_gone(grandchild)) << "the server's child outlived the stop";
}

TEST(FastFlowLmSupervisor, AChildIgnoringSigtermIsKilledAfterTheGracePeriod) {
  auto options = standin_serve_options(free_port());
  options.environment = {{"FLM_STANDIN_IGNORE_SIGTERM", "1"}};
  options.stop_grace = std::chrono::milliseconds(300);
  auto server = SupervisedServer::start(options);
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE((*server)->wait_until_ready().ok());
  const pid_t pid = (*server)->pid();
  const ServerExit exit = (*server)->stop();
  EXPECT_EQ(exit.signal, SIGKILL) << exit.describe();
  EXPECT_EQ(exit.describe(), "was killed by signal 9 (Killed)");
  EXPECT_TRUE(testing::process_gone(pid));
}

TEST(FastFlowLmSupervisor, WaitReturnsWhenTheChildExitsOnItsOwn) {
  SupervisedServerOptions options;
  options.argv = {"sh", "-c", "echo bye; exit 5"};
  options.log_fd = -1;
  auto server = SupervisedServer::start(options);
  ASSERT_TRUE(server.ok()) << server.error().message;
  const ServerExit exit = (*server)->wait([] { return false; });
  EXPECT_TRUE(exit.exited_normally);
  EXPECT_EQ(exit.exit_code, 5);
  EXPECT_EQ((*server)->recent_log_lines(), std::vector<std::string>{"bye"});
}

TEST(FastFlowLmSupervisor, AMissingProgramIsNotInstalled) {
  SupervisedServerOptions options;
  options.argv = {"flm-that-does-not-exist", "serve"};
  const auto server = SupervisedServer::start(options);
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.error().code, ErrorCode::not_found);
  EXPECT_TRUE(contains(server.error().message, "no executable 'flm-that-does-not-exist' on PATH"));
}

TEST(FastFlowLmSupervisor, FreePortsCanBeBound) {
  const auto port = pick_free_port("127.0.0.1");
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_GT(*port, 0);
  EXPECT_TRUE(check_port_free("127.0.0.1", *port).ok());
}

}  // namespace
}  // namespace ual::engines
