// Runs an inference server (flm serve, vllm serve, llama-server, ...) as a supervised child: its own process group,
// killed with ual (PR_SET_PDEATHSIG), its output forwarded line by line with a prefix, ready once its HTTP readiness
// path answers 200, stopped with SIGTERM to the whole group and SIGKILL after a grace period, so no orphan remains.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ual/export.hpp"
#include "ual/result.hpp"

namespace ual::engines {

struct SupervisedServerOptions {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it holds a '/'
  std::vector<std::pair<std::string, std::string>> environment;  // set (or replaced) on top of ual's own
  std::string name;                // for messages: "flm" (default: argv[0]'s file name)
  std::string host = "127.0.0.1";  // where the readiness path is polled
  int port = 0;
  std::string readiness_path = "/v1/models";
  std::chrono::milliseconds ready_timeout{std::chrono::minutes(5)};  // model loads take minutes on first pull
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds progress_interval{std::chrono::seconds(5)};
  std::chrono::milliseconds stop_grace{std::chrono::seconds(10)};  // SIGTERM, then SIGKILL after this
  int stop_signal = 15;             // SIGTERM; flm itself exits cleanly on SIGINT (2) too
  int log_fd = 2;                   // the child's stdout and stderr lines go here, -1 to drop them
  std::string log_prefix;           // default "[<name>] "
  std::size_t kept_log_lines = 20;  // the last lines, quoted when the child fails
  // Called while waiting for readiness: "waiting for flm on 127.0.0.1:40123 (12 s)". Default: written to log_fd.
  std::function<void(const std::string&)> progress;
};

// How the child ended.
struct UAL_API ServerExit {
  bool exited_normally = false;
  int exit_code = -1;
  int signal = 0;
  std::string describe() const;  // "exited with code 3", "was killed by signal 9 (Killed)"
};

class UAL_API SupervisedServer {
 public:
  // Starts the child. Errors: the program is not on PATH or cannot be started. PR_SET_PDEATHSIG fires when the
  // thread that forked exits (not only the process), so call start() from a thread that outlives the server (ual
  // serve: the main thread).
  static Result<std::unique_ptr<SupervisedServer>> start(SupervisedServerOptions options);
  ~SupervisedServer();  // stop()
  SupervisedServer(const SupervisedServer&) = delete;
  SupervisedServer& operator=(const SupervisedServer&) = delete;

  // Polls http://host:port<readiness_path> until it answers 200. Errors (unavailable) say why: the child exited
  // first (with its code and last log lines), the timeout passed, or should_stop() turned true (a signal).
  Status wait_until_ready(const std::function<bool()>& should_stop = {});
  // Blocks until the child exits on its own (returns how) or should_stop() turns true (stops it, returns how it
  // ended). should_stop is polled every poll_interval.
  ServerExit wait(const std::function<bool()>& should_stop);
  // SIGTERM (stop_signal) to the process group, SIGKILL to the group after stop_grace, reaps the child, joins the
  // log reader. Idempotent.
  ServerExit stop();

  pid_t pid() const noexcept { return pid_; }
  bool running();                           // false once the child has exited
  std::vector<std::string> recent_log_lines() const;  // the last kept_log_lines lines
  std::string url() const;                  // http://host:port

 private:
  explicit SupervisedServer(SupervisedServerOptions options);
  struct Impl;
  SupervisedServerOptions options_;
  pid_t pid_ = -1;
  std::unique_ptr<Impl> impl_;
  bool has_exited();
  void kill_group(int signal) const;
  ServerExit reap();
  std::string early_exit_message();
};

// A port nobody listens on now: the kernel's pick for host:0. The port may be taken again before the server binds
// it; serve checks readiness against the child it started, so a race shows as the child failing to bind.
UAL_API Result<int> pick_free_port(const std::string& host = "127.0.0.1");
// ok when host:port can be bound now; otherwise an error naming the port and what to do.
UAL_API Status check_port_free(const std::string& host, int port);

}  // namespace ual::engines
