// Shared by the FastFlowLM, serve and chat tests: the `flm` stand-in (tests/fixtures/standins/flm-server) on PATH in
// a temporary directory, one running on a free port, and checks that a process is gone.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "../../engines/process/supervised_server.hpp"
#include "fixture_paths.hpp"

namespace ual::testing {

inline std::string standin_script() { return source_path("tests/fixtures/standins/flm-server"); }

// A fresh directory holding `flm` -> the stand-in; removed with the object.
struct StandinDirectory {
  std::filesystem::path path;
  StandinDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ual-flm-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
    std::filesystem::create_symlink(standin_script(), path / "flm");
  }
  ~StandinDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string path_variable() const { return path.string() + ":" + std::getenv("PATH"); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline std::string read_text(const std::string& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Gone: no such process, or a zombie nobody has reaped yet (a container's PID 1 may never reap it).
inline bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return true;
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const std::size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && (stat[close + 2] == 'Z' || stat[close + 2] == 'X');
}

inline bool wait_until_gone(pid_t pid, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// Options that run `flm serve TAG --port PORT` (the stand-in) with its output kept out of the test log.
inline engines::SupervisedServerOptions standin_serve_options(int port, const std::string& tag = "llama3.2:1b") {
  engines::SupervisedServerOptions options;
  options.argv = {"/usr/bin/python3", standin_script(), "serve", tag, "--port", std::to_string(port)};
  options.name = "flm";
  options.port = port;
  options.readiness_path = "/v1/models";
  options.ready_timeout = std::chrono::seconds(20);
  options.poll_interval = std::chrono::milliseconds(50);
  options.stop_grace = std::chrono::seconds(3);
  options.log_fd = -1;
  return options;
}

// A ready stand-in server on a free port; stopped with the object.
struct RunningStandin {
  int port = 0;
  std::unique_ptr<engines::SupervisedServer> server;
  explicit RunningStandin(std::vector<std::pair<std::string, std::string>> environment = {}) {
    const auto free_port = engines::pick_free_port();
    if (!free_port) return;
    port = *free_port;
    auto options = standin_serve_options(port);
    options.environment = std::move(environment);
    auto started = engines::SupervisedServer::start(std::move(options));
    if (!started) return;
    server = std::move(*started);
    if (!server->wait_until_ready()) server.reset();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

}  // namespace ual::testing
