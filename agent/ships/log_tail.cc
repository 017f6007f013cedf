#include "agent/ships/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace tidemark::agent {
namespace {

// A line longer than this is cut, so a log without newlines cannot grow pending_ forever.
constexpr size_t kMaxLineBytes = 64 * 1024;

}  // namespace

LogTail::~LogTail() { closeFile(); }

void LogTail::closeFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int LogTail::poll(const std::function<void(std::string_view line)>& on_line) {
  struct stat at_path {};
  if (::stat(path_.c_str(), &at_path) != 0) {
    const int error = errno;
    closeFile();
    return error;
  }
  const bool replaced = fd_ >= 0 && (at_path.st_ino != inode_ || at_path.st_dev != device_);
  if (fd_ < 0 || replaced) {
    closeFile();
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return errno;
    struct stat opened {};
    if (::fstat(fd_, &opened) != 0) {
      const int error = errno;
      closeFile();
      return error;
    }
    // A different file than last time (rotation), or the first open: read it from its start.
    if (inode_ != 0 && (opened.st_ino != inode_ || opened.st_dev != device_)) {
      ++restarts_;
      offset_ = 0;
      pending_.clear();
    }
    inode_ = opened.st_ino;
    device_ = opened.st_dev;
  }
  struct stat now {};
  if (::fstat(fd_, &now) != 0) return errno;
  if (static_cast<uint64_t>(now.st_size) < offset_) {
    // Truncated in place (copytruncate rotation, or `> log`).
    ++restarts_;
    offset_ = 0;
    pending_.clear();
  }
  size_t budget = max_bytes_per_poll_;
  buffer_.resize(64 * 1024);
  while (budget > 0 && offset_ < static_cast<uint64_t>(now.st_size)) {
    const size_t want = std::min(buffer_.size(), budget);
    const ssize_t got = ::pread(fd_, buffer_.data(), want, static_cast<off_t>(offset_));
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) break;
    offset_ += static_cast<uint64_t>(got);
    budget -= static_cast<size_t>(got);
    std::string_view chunk(buffer_.data(), static_cast<size_t>(got));
    while (!chunk.empty()) {
      const size_t newline = chunk.find('\n');
      if (newline == std::string_view::npos) {
        pending_.append(chunk.substr(0, kMaxLineBytes - std::min(kMaxLineBytes, pending_.size())));
        break;
      }
      if (pending_.empty()) {
        on_line(chunk.substr(0, newline));
      } else {
        pending_.append(chunk.substr(
            0, std::min(newline, kMaxLineBytes - std::min(kMaxLineBytes, pending_.size()))));
        on_line(pending_);
        pending_.clear();
      }
      chunk.remove_prefix(newline + 1);
    }
  }
  return 0;
}

}  // namespace tidemark::agent
