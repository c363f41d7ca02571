#include "discovery/sysroot.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/text.hpp"

namespace ual::discovery {
namespace {

std::string relative_part(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path.empty() ? std::string(".") : std::string(path);
}

Error io_error(const std::string& where, int error_number) {
  const ErrorCode code = (error_number == ENOENT || error_number == ENOTDIR) ? ErrorCode::not_found : ErrorCode::io_error;
  return make_error(code, fmt::format("{}: {}", where, std::strerror(error_number)));
}

}  // namespace

Result<Sysroot> Sysroot::open(const std::string& root) {
  std::error_code error;
  const bool live = std::filesystem::equivalent(root, "/", error);
  const int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    const int saved = errno;
    return make_error(saved == ENOENT ? ErrorCode::not_found : ErrorCode::invalid_argument,
                      fmt::format("sysroot {}: {}", root, saved == ENOTDIR ? "not a directory" : std::strerror(saved)));
  }
  std::string normalized = root;
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  return Sysroot(fd, live ? std::string("/") : normalized, live);
}

Sysroot::Sysroot(Sysroot&& other) noexcept
    : root_fd_(std::exchange(other.root_fd_, -1)), root_(std::move(other.root_)), live_(other.live_) {}

Sysroot::~Sysroot() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

std::string Sysroot::host_path(std::string_view path) const {
  if (live_) return std::string(path);
  return root_ + "/" + relative_part(path);
}

int Sysroot::open_in_root(std::string_view path, int flags) const {
  const std::string relative = relative_part(path);
  if (live_) return ::openat(root_fd_, relative.c_str(), flags | O_CLOEXEC);
  // RESOLVE_IN_ROOT (Linux 5.6, openat2(2)) resolves absolute symlinks and ".." as if the tree were "/", so a
  // recorded tree can never make discovery read the host's files.
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, root_fd_, relative.c_str(), &how, sizeof how);
  // Pre-5.6 kernels answer ENOSYS, and older container seccomp profiles EPERM: fall back to plain resolution.
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return static_cast<int>(fd);
  return ::openat(root_fd_, relative.c_str(), flags | O_CLOEXEC);
}

Result<std::string> Sysroot::read_file(std::string_view path, std::size_t limit) const {
  // O_NONBLOCK: opening a FIFO for reading must not wait for a writer; fstat then refuses it.
  const int fd = open_in_root(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) return io_error(std::string(path), errno);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return make_error(ErrorCode::io_error, fmt::format("{}: not a regular file", path));
  }
  // sysfs reports 4096 and procfs 0 for any attribute, so st_size only ever refuses early; the read loop below
  // enforces the limit for files whose size the kernel does not know.
  if (static_cast<std::uint64_t>(info.st_size) > limit) {
    ::close(fd);
    return make_error(ErrorCode::parse_error, fmt::format("{}: larger than {} bytes, not read", path, limit));
  }
  std::string content;
  char buffer[16384];
  while (true) {
    const ssize_t count = ::read(fd, buffer, sizeof buffer);
    if (count < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      return io_error(std::string(path), saved);
    }
    if (count == 0) break;
    if (content.size() + static_cast<std::size_t>(count) > limit) {
      ::close(fd);
      return make_error(ErrorCode::parse_error, fmt::format("{}: larger than {} bytes, not read", path, limit));
    }
    content.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(fd);
  return content;
}

Result<std::string> Sysroot::read_attribute(std::string_view path) const {
  auto content = read_file(path, 4096);
  if (!content) return content.error();
  const std::string_view trimmed = text::trim(*content);
  if (!text::is_printable(trimmed))
    return make_error(ErrorCode::parse_error, fmt::format("{}: holds binary data", path));
  return std::string(trimmed);
}

Result<std::vector<std::string>> Sysroot::list_directory(std::string_view path, std::size_t limit) const {
  const int fd = open_in_root(path, O_RDONLY | O_DIRECTORY);
  if (fd < 0) return io_error(std::string(path), errno);
  DIR* directory = ::fdopendir(fd);
  if (!directory) {
    const int saved = errno;
    ::close(fd);
    return io_error(std::string(path), saved);
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(directory)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (names.size() >= limit) {
      ::closedir(directory);
      return make_error(ErrorCode::parse_error, fmt::format("{}: more than {} entries, not read", path, limit));
    }
    names.emplace_back(name);
  }
  ::closedir(directory);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> Sysroot::read_link(std::string_view path) const {
  // Open the link itself (O_PATH|O_NOFOLLOW) inside the root, then read its text.
  const int fd = open_in_root(path, O_PATH | O_NOFOLLOW);
  if (fd < 0) return io_error(std::string(path), errno);
  char target[4096];
  const ssize_t length = ::readlinkat(fd, "", target, sizeof target - 1);
  const int saved = errno;
  ::close(fd);
  if (length < 0) return saved == ENOENT || saved == EINVAL
                              ? make_error(ErrorCode::not_found, fmt::format("{}: not a symlink", path))
                              : io_error(std::string(path), saved);
  return std::string(target, static_cast<std::size_t>(length));
}

FileStatus Sysroot::status(std::string_view path) const {
  FileStatus result;
  const int fd = open_in_root(path, O_PATH);
  if (fd < 0) return result;
  struct stat info {};
  if (::fstat(fd, &info) == 0) {
    result.exists = true;
    result.is_directory = S_ISDIR(info.st_mode);
    result.mode = info.st_mode;
    result.owner = info.st_uid;
    result.group = info.st_gid;
  }
  ::close(fd);
  return result;
}

}  // namespace ual::discovery
