// Every file discovery reads goes through a Sysroot, so a recorded tree under tests/fixtures/ is a real machine to
// the code. Paths are absolute as on the machine ("/proc/cpuinfo"); in a tree, symlinks resolve inside the tree.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ual/result.hpp"

namespace ual::discovery {

struct FileStatus {
  bool exists = false;
  bool is_directory = false;
  mode_t mode = 0;
  uid_t owner = 0;
  gid_t group = 0;
};

class Sysroot {
 public:
  static Result<Sysroot> open(const std::string& root);  // fails when root is not a readable directory
  Sysroot(Sysroot&& other) noexcept;
  Sysroot& operator=(Sysroot&&) = delete;
  Sysroot(const Sysroot&) = delete;
  ~Sysroot();

  bool is_live() const noexcept { return live_; }  // "/" itself: dlopen and processes are allowed
  const std::string& root() const noexcept { return root_; }

  // Reads a regular file (procfs and sysfs files included) of at most `limit` bytes. FIFOs, devices and
  // directories are refused rather than opened, so a malformed tree can never block discovery.
  Result<std::string> read_file(std::string_view path, std::size_t limit = 64 * 1024) const;
  // read_file, trimmed, and refused when it holds control bytes (binary garbage in an attribute).
  Result<std::string> read_attribute(std::string_view path) const;
  // Entry names in a directory, sorted; "." and ".." left out.
  Result<std::vector<std::string>> list_directory(std::string_view path, std::size_t limit = 65536) const;
  // The target text of a symlink (not resolved).
  Result<std::string> read_link(std::string_view path) const;
  FileStatus status(std::string_view path) const;  // follows symlinks
  bool exists(std::string_view path) const { return status(path).exists; }

  // Where a path lives on the host: for messages and for dlopen of a file found in the live root.
  std::string host_path(std::string_view path) const;

 private:
  Sysroot(int root_fd, std::string root, bool live) : root_fd_(root_fd), root_(std::move(root)), live_(live) {}
  int open_in_root(std::string_view path, int flags) const;  // -1 with errno set on failure

  int root_fd_ = -1;
  std::string root_;
  bool live_ = false;
};

}  // namespace ual::discovery
