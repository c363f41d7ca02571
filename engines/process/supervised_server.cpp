// The supervised server child: fork/exec into its own process group, output forwarding, readiness polling, and a
// stop that leaves nothing behind. The leader is observed with waitid(WNOWAIT) and reaped only after its group has
// been killed, so its pid (the group id) cannot be reused while ual still signals the group.
#include "engines/process/supervised_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

extern char** environ;

namespace ual::engines {
namespace {

using Clock = std::chrono::steady_clock;

std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : std::string();
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const std::size_t colon = rest.find(':');
    const std::string_view directory = rest.substr(0, colon);
    // An empty PATH entry means the current directory.
    const std::filesystem::path candidate =
        std::filesystem::path(directory.empty() ? std::string_view(".") : directory) / program;
    std::error_code error;
    if (access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate, error))
      return candidate.string();
    if (colon == std::string_view::npos) return std::string();
    rest.remove_prefix(colon + 1);
  }
}

std::vector<std::string> merged_environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> result;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view key = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& [name, value] : overrides) replaced = replaced || name == key;
    if (!replaced) result.emplace_back(text);
  }
  for (const auto& [name, value] : overrides) result.push_back(name + "=" + value);
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

void write_all(int fd, std::string_view text) {
  while (fd >= 0 && !text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

std::string poll_host(const std::string& host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

}  // namespace

std::string ServerExit::describe() const {
  if (exited_normally) return fmt::format("exited with code {}", exit_code);
  const char* name = ::strsignal(signal);
  return fmt::format("was killed by signal {} ({})", signal, name != nullptr ? name : "unknown");
}

// The log reader: one thread per child, reading the merged stdout/stderr pipe until EOF or until told to stop.
struct SupervisedServer::Impl {
  int output_fd = -1;
  std::thread reader;
  std::atomic<bool> stop_reading{false};
  std::atomic<bool> reached_eof{false};
  mutable std::mutex lines_mutex;
  std::deque<std::string> lines;
  bool exited = false;  // observed with waitid
  bool reaped = false;
  ServerExit exit;

  void read_loop(int log_fd, const std::string& prefix, std::size_t kept) {
    std::string pending;
    char buffer[4096];
    const auto emit = [&](std::string line) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      write_all(log_fd, prefix + line + "\n");
      std::lock_guard lock(lines_mutex);
      lines.push_back(std::move(line));
      while (lines.size() > kept) lines.pop_front();
    };
    while (true) {
      pollfd descriptor{output_fd, POLLIN, 0};
      const int ready = ::poll(&descriptor, 1, 100);
      if (ready < 0 && errno != EINTR) break;
      if (ready <= 0) {
        if (stop_reading) break;
        continue;
      }
      const ssize_t count = ::read(output_fd, buffer, sizeof buffer);
      if (count < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (count <= 0) {
        reached_eof = true;
        break;
      }
      pending.append(buffer, static_cast<std::size_t>(count));
      for (std::size_t newline; (newline = pending.find('\n')) != std::string::npos;) {
        emit(pending.substr(0, newline));
        pending.erase(0, newline + 1);
      }
    }
    if (!pending.empty()) emit(pending);
  }
};

SupervisedServer::SupervisedServer(SupervisedServerOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {}

SupervisedServer::~SupervisedServer() { stop(); }

Result<std::unique_ptr<SupervisedServer>> SupervisedServer::start(SupervisedServerOptions options) {
  if (options.argv.empty() || options.argv.front().empty())
    return make_error(ErrorCode::invalid_argument, "no program to start (empty command)");
  if (options.name.empty()) options.name = std::filesystem::path(options.argv.front()).filename().string();
  if (options.log_prefix.empty()) options.log_prefix = "[" + options.name + "] ";
  const std::string program = find_program(options.argv.front());
  if (program.empty())
    return make_error(ErrorCode::not_found,
                      fmt::format("{} is not installed: no executable '{}' on PATH", options.name, options.argv.front()));

  // Everything the child needs is prepared here: between fork and exec only async-signal-safe calls are allowed.
  std::vector<std::string> arguments = options.argv;
  std::vector<std::string> environment = merged_environment(options.environment);
  std::vector<char*> argv = pointers(arguments);
  std::vector<char*> envp = pointers(environment);
  int output[2], exec_error[2];
  if (::pipe2(output, O_CLOEXEC) != 0) return make_error(ErrorCode::io_error, "cannot create a pipe for the server");
  if (::pipe2(exec_error, O_CLOEXEC) != 0) {
    ::close(output[0]);
    ::close(output[1]);
    return make_error(ErrorCode::io_error, "cannot create a pipe for the server");
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive ual, even when ual itself is SIGKILLed
    if (::getppid() != parent) ::_exit(127);
    sigset_t all;
    ::sigemptyset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int signal_number : {SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT}) ::signal(signal_number, SIG_DFL);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    ::dup2(output[1], 1);
    ::dup2(output[1], 2);
    ::execve(program.c_str(), argv.data(), envp.data());
    const int error = errno;
    [[maybe_unused]] const ssize_t ignored = ::write(exec_error[1], &error, sizeof error);
    ::_exit(127);
  }
  if (null_fd >= 0) ::close(null_fd);
  ::close(output[1]);
  ::close(exec_error[1]);
  if (pid < 0) {
    ::close(output[0]);
    ::close(exec_error[0]);
    return make_error(ErrorCode::io_error, fmt::format("cannot start {}: fork failed ({})", options.name,
                                                       std::strerror(errno)));
  }
  ::setpgid(pid, pid);  // also from the parent, so the group exists before any signal is sent to it
  int child_errno = 0;
  ssize_t got;
  do got = ::read(exec_error[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  ::close(exec_error[0]);

  std::unique_ptr<SupervisedServer> server(new SupervisedServer(std::move(options)));
  server->pid_ = pid;
  server->impl_->output_fd = output[0];
  if (got > 0) {
    ::close(output[0]);
    server->impl_->output_fd = -1;
    server->reap();
    return make_error(ErrorCode::unavailable, fmt::format("cannot start {} ({}): {}", server->options_.name, program,
                                                          std::strerror(child_errno)));
  }
  Impl* impl = server->impl_.get();
  const SupervisedServerOptions& settings = server->options_;
  impl->reader = std::thread([impl, log_fd = settings.log_fd, prefix = settings.log_prefix,
                              kept = settings.kept_log_lines] { impl->read_loop(log_fd, prefix, kept); });
  return server;
}

std::string SupervisedServer::url() const {
  const std::string host = poll_host(options_.host);
  return host.find(':') != std::string::npos ? fmt::format("http://[{}]:{}", host, options_.port)
                                              : fmt::format("http://{}:{}", host, options_.port);
}

bool SupervisedServer::has_exited() {
  if (impl_->exited || pid_ <= 0) return true;
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_)
    impl_->exited = true;
  return impl_->exited;
}

bool SupervisedServer::running() { return !has_exited(); }

void SupervisedServer::kill_group(int signal_number) const {
  if (pid_ <= 0 || impl_->reaped) return;
  ::kill(-pid_, signal_number);
  ::kill(pid_, signal_number);  // in case the child had not reached setpgid yet
}

ServerExit SupervisedServer::reap() {
  if (impl_->reaped || pid_ <= 0) return impl_->exit;
  int status = 0;
  pid_t result;
  do result = ::waitpid(pid_, &status, 0);
  while (result < 0 && errno == EINTR);
  impl_->reaped = impl_->exited = true;
  if (result == pid_) {
    impl_->exit.exited_normally = WIFEXITED(status);
    impl_->exit.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    impl_->exit.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }
  return impl_->exit;
}

ServerExit SupervisedServer::stop() {
  if (pid_ > 0 && !impl_->reaped) {
    if (!has_exited()) {
      kill_group(options_.stop_signal);
      const auto deadline = Clock::now() + options_.stop_grace;
      while (!has_exited() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill_group(SIGKILL);  // the leader if it outlived the grace period, and whatever it left in its group
    reap();
  }
  if (impl_->reader.joinable()) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(500);
    while (!impl_->reached_eof && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    impl_->stop_reading = true;
    impl_->reader.join();
  }
  if (impl_->output_fd >= 0) {
    ::close(impl_->output_fd);
    impl_->output_fd = -1;
  }
  return impl_->exit;
}

std::vector<std::string> SupervisedServer::recent_log_lines() const {
  std::lock_guard lock(impl_->lines_mutex);
  return {impl_->lines.begin(), impl_->lines.end()};
}

std::string SupervisedServer::early_exit_message() {
  const ServerExit exit = stop();  // kills what it left behind, drains its output
  std::string message = fmt::format("{} {} before it answered {}{}", options_.name, exit.describe(), url(),
                                    options_.readiness_path);
  const std::vector<std::string> lines = recent_log_lines();
  if (lines.empty()) return message + " (it printed nothing)";
  message += "; its last lines:";
  for (const std::string& line : lines) message += "\n  " + line;
  return message;
}

Status SupervisedServer::wait_until_ready(const std::function<bool()>& should_stop) {
  const auto started = Clock::now();
  auto next_progress = started + options_.progress_interval;
  const std::string host = poll_host(options_.host);
  while (true) {
    if (has_exited()) return make_error(ErrorCode::unavailable, early_exit_message());
    if (should_stop && should_stop()) {
      stop();
      return make_error(ErrorCode::unavailable, fmt::format("stopped {} before it was ready", options_.name));
    }
    // flm binds its port before it loads the model and answers only after, so a poll may hang until its timeout;
    // each poll ends by the deadline.
    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        started + options_.ready_timeout - Clock::now());
    const auto poll_timeout = std::clamp(remaining, std::chrono::milliseconds(100), std::chrono::milliseconds(2000));
    httplib::Client client(host, options_.port);
    client.set_connection_timeout(poll_timeout.count() / 1000, (poll_timeout.count() % 1000) * 1000);
    client.set_read_timeout(poll_timeout.count() / 1000, (poll_timeout.count() % 1000) * 1000);
    client.set_keep_alive(false);
    const auto answer = client.Get(options_.readiness_path);
    // An answer from a server whose child has died is someone else's server on the same port.
    if (answer && answer->status == 200 && !has_exited()) return ok_status();
    const auto now = Clock::now();
    const auto waited = std::chrono::duration_cast<std::chrono::seconds>(now - started).count();
    if (now >= next_progress) {
      const std::string line = fmt::format("waiting for {} on {}:{} ({} s)", options_.name, host, options_.port, waited);
      if (options_.progress) options_.progress(line);
      else write_all(options_.log_fd, line + "\n");
      next_progress = now + options_.progress_interval;
    }
    if (now - started >= options_.ready_timeout) {
      const std::string last = answer ? fmt::format("its last answer was HTTP {}", answer->status)
                                       : fmt::format("it did not answer ({})", httplib::to_string(answer.error()));
      stop();
      return make_error(ErrorCode::unavailable,
                        fmt::format("{} did not become ready on {}{} within {} s ({}); it was stopped", options_.name,
                                    url(), options_.readiness_path, waited, last));
    }
    std::this_thread::sleep_for(options_.poll_interval);
  }
}

ServerExit SupervisedServer::wait(const std::function<bool()>& should_stop) {
  while (!has_exited()) {
    if (should_stop && should_stop()) return stop();
    std::this_thread::sleep_for(options_.poll_interval);
  }
  return stop();
}

}  // namespace ual::engines
