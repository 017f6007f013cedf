// One collection pass's reads and stats, queued by every collector and run together:
// one or a few io_uring submissions per sample of the whole host (uring_read_batch.h),
// or plain syscalls where io_uring is refused (plain_read_batch.h). Buffers live in the
// callers' slots and keep their capacity, so a steady-state pass allocates nothing.
#pragma once

#include <fcntl.h>
#include <linux/stat.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace tidemark::agent {

// Where a queued whole-file read lands.
struct ReadSlot {
  std::string data;  // the file's bytes after submit(); capacity kept between passes
  int error = 0;     // 0 or an errno value (ENOENT: the file or its process is gone)
  // Set by the caller for a procfs file, to spare the zero-byte read that otherwise
  // proves a short read was the end (a seq file's read stops where the next record
  // would overflow the kernel's buffer, at least a page, however much was asked):
  // * one_record: the kernel makes the file whole in one record (/proc/PID/stat,
  //   /proc/meminfo, sysctls), so a short read is its end;
  // * max_record_bytes: no record (line) of this seq file is longer, so a short read
  //   that left a page room for one more was its end.
  bool one_record = false;
  uint32_t max_record_bytes = 0;
};

// Where a queued statx lands: size, blocks (512-byte units), mtime and the link
// count (0: an fd's file was deleted or renamed over) are filled.
constexpr unsigned kStatSlotMask = STATX_SIZE | STATX_BLOCKS | STATX_MTIME | STATX_NLINK;
struct StatSlot {
  struct statx stat {};
  int error = 0;
};

// The statx flags a queued stat uses: links are not followed, and an empty path stats
// the dirfd itself.
inline int statSlotFlags(std::string_view path) {
  return AT_SYMLINK_NOFOLLOW | (path.empty() ? AT_EMPTY_PATH : 0);
}

// A queued stat done with a plain syscall: fills `slot.stat`, returns 0 or errno.
inline int statIntoSlot(int dirfd, const std::string& path, StatSlot& slot) {
  return ::statx(dirfd, path.c_str(), statSlotFlags(path), kStatSlotMask, &slot.stat) == 0 ? 0
                                                                                           : errno;
}

// A stat's modification time in nanoseconds: what change detection compares.
inline uint64_t mtimeNs(const struct statx& stat) {
  return static_cast<uint64_t>(stat.stx_mtime.tv_sec) * 1'000'000'000ull + stat.stx_mtime.tv_nsec;
}

class ReadBatch {
 public:
  virtual ~ReadBatch() = default;

  // Queues a read of the whole file at `path`, absolute as seen on the host and
  // resolved under the root. `slot` must stay valid until submit() returns; `path` is
  // copied (into reused storage).
  virtual void queueRead(std::string_view path, ReadSlot& slot) = 0;

  // Queues statx(2) of `path` without following a final symlink.
  virtual void queueStat(std::string_view path, StatSlot& slot) = 0;

  // Queues statx(2) of `relative` below the open folder `dirfd` (opened under the
  // root by the caller; O_PATH is enough), or of `dirfd` itself when `relative` is
  // empty (io_uring does that one at once, on the calling thread). Skips the walk
  // down from "/" that a long absolute path costs every pass.
  virtual void queueStatAt(int dirfd, std::string_view relative, StatSlot& slot) = 0;

  // Runs everything queued, fills the slots and empties the queue.
  virtual void submit() = 0;

  // The root every path is resolved under, without a trailing slash ("" for "/").
  virtual const std::string& root() const = 0;

  // "io_uring" or "plain": for the start line and the agent's own series.
  virtual std::string_view backend() const = 0;
};

using ReadBatchPtr = std::unique_ptr<ReadBatch>;

}  // namespace tidemark::agent
