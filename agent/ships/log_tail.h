// Follows a growing text log (a ship's output, the agent's maintenance log) by
// reading only what was appended since the last poll. Truncation (size below the
// offset) and rotation (a new inode at the path) restart from the beginning, so
// the file is never re-read whole. Plain pread: neither FileReader nor ReadBatch
// reads from an offset, and one log per ship is cheap next to a /proc scan.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tidemark::agent {

class LogTail {
 public:
  // `path` is the file as opened (already resolved under the root). At most
  // `max_bytes_per_poll` are read per poll; the rest waits for the next one, so a
  // multi-GB log costs a bounded amount per interval.
  explicit LogTail(std::string path, size_t max_bytes_per_poll = 4 << 20)
      : path_(std::move(path)), max_bytes_per_poll_(max_bytes_per_poll) {}
  ~LogTail();
  LogTail(const LogTail&) = delete;
  LogTail& operator=(const LogTail&) = delete;

  // Calls `on_line` for every complete line appended since the last poll (without
  // '\n'; a partial last line waits for its end). Returns 0, or an errno value when
  // the file cannot be opened or read (ENOENT until it exists).
  int poll(const std::function<void(std::string_view line)>& on_line);

  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }
  // How many times the file was found truncated or replaced.
  uint64_t restarts() const { return restarts_; }

 private:
  void closeFile();

  std::string path_;
  size_t max_bytes_per_poll_;
  int fd_ = -1;
  ino_t inode_ = 0;
  dev_t device_ = 0;
  uint64_t offset_ = 0;
  uint64_t restarts_ = 0;
  std::string pending_;  // an unfinished last line
  std::string buffer_;
};

}  // namespace tidemark::agent
