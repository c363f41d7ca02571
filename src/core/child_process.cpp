#include "core/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace ual {
namespace {

struct Pipe {
  int read_end = -1;
  int write_end = -1;
  ~Pipe() { close_both(); }
  void close_both() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
    read_end = write_end = -1;
  }
};

bool make_pipe(Pipe& pipe) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  pipe.read_end = fds[0];
  pipe.write_end = fds[1];
  return true;
}

}  // namespace

Result<ChildOutput> run_child_process(const std::string& program, const std::vector<std::string>& arguments,
                                      const ChildOptions& options) {
  Pipe out_pipe, err_pipe;
  if (!make_pipe(out_pipe) || !make_pipe(err_pipe))
    return make_error(ErrorCode::io_error, fmt::format("{}: cannot create pipes: {}", program, std::strerror(errno)));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe.write_end, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe.write_end, STDERR_FILENO);
  // Own process group, so a timeout kills whatever the program started too.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);

  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(program.c_str()));
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int spawn_error = posix_spawnp(&pid, program.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0)
    return make_error(spawn_error == ENOENT ? ErrorCode::not_found : ErrorCode::unavailable,
                      fmt::format("{}: cannot be started: {}", program, std::strerror(spawn_error)));
  ::close(out_pipe.write_end);
  ::close(err_pipe.write_end);
  out_pipe.write_end = err_pipe.write_end = -1;

  ChildOutput output;
  std::array<pollfd, 2> fds{pollfd{out_pipe.read_end, POLLIN, 0}, pollfd{err_pipe.read_end, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&output.standard_output, &output.standard_error};
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool timed_out = false;
  int open_streams = 2;
  while (open_streams > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      timed_out = true;  // poll itself failed: stop the child rather than spin until the deadline
      break;
    }
    if (ready == 0) continue;  // loop re-checks the deadline
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buffer[4096];
      const ssize_t count = ::read(fds[i].fd, buffer, sizeof buffer);
      if (count > 0) {
        const std::size_t room = options.output_limit - std::min(options.output_limit, sinks[i]->size());
        sinks[i]->append(buffer, std::min(room, static_cast<std::size_t>(count)));
      } else if (count == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open_streams;
      }
    }
  }

  // A child may close its output and keep running: the deadline covers its exit too.
  int status = 0;
  while (!timed_out) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    ::usleep(2000);
  }
  if (timed_out) {
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (timed_out)
    return make_error(ErrorCode::unavailable,
                      fmt::format("{} did not finish within {} ms and was stopped", program, options.timeout.count()));
  output.exited_normally = WIFEXITED(status);
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  output.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return output;
}

}  // namespace ual
