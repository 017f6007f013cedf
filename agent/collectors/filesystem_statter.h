// How the filesystem collector asks for a mount's usage: through an interface, so
// tests can fake it and production can bound statvfs, which blocks for as long as a
// hung NFS server or FUSE daemon does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace tidemark::agent {

struct FilesystemUsage {
  uint64_t size_bytes = 0;
  uint64_t free_bytes = 0;   // including the blocks reserved for root
  uint64_t avail_bytes = 0;  // what an unprivileged user may still write
  uint64_t files = 0;
  uint64_t files_free = 0;
  bool readonly = false;  // ST_RDONLY: the superblock is read-only
  int64_t type = 0;       // statfs(2)'s f_type (EXT4_SUPER_MAGIC, NFS_SUPER_MAGIC, ...)
};

// Whether a statfs(2) f_type names a filesystem whose usage is read from in-memory
// counters of a local superblock (ext2/3/4, xfs, tmpfs, ramfs): such a statfs never
// waits on a server or a daemon, so it needs no timeout thread.
bool isLocalSuperblockType(int64_t type);

class FilesystemStatter {
 public:
  virtual ~FilesystemStatter() = default;
  // Fills `out` with the usage of the filesystem holding `path`. Returns 0 or an
  // errno value (ETIMEDOUT when the filesystem did not answer in time).
  virtual int statfs(const std::string& path, FilesystemUsage& out) = 0;
};

// Calls statfs(2) directly, on the caller's thread; may block indefinitely.
class StatvfsStatter final : public FilesystemStatter {
 public:
  int statfs(const std::string& path, FilesystemUsage& out) override;
};

// Runs another statter on a worker thread and stops waiting after `timeout_ms`,
// returning ETIMEDOUT. The stuck call cannot be cancelled, so its worker is left to
// finish on its own and a fresh one serves later calls; until the stuck call
// returns, its path answers ETIMEDOUT at once instead of being statted again, and
// at most `max_stuck` workers may be stuck before every call answers EBUSY. One
// caller at a time.
class TimeoutStatter final : public FilesystemStatter {
 public:
  explicit TimeoutStatter(
      int64_t timeout_ms,
      std::shared_ptr<FilesystemStatter> inner = std::make_shared<StatvfsStatter>(),
      size_t max_stuck = 4);
  ~TimeoutStatter() override;
  TimeoutStatter(const TimeoutStatter&) = delete;
  TimeoutStatter& operator=(const TimeoutStatter&) = delete;

  int statfs(const std::string& path, FilesystemUsage& out) override;

  // How many calls are still stuck in the inner statter (for the agent's own metrics).
  size_t stuckCount() const;

 private:
  struct Shared;
  struct Worker;
  static void runWorker(std::shared_ptr<Shared> shared, std::shared_ptr<Worker> worker);

  int64_t timeout_ms_;
  size_t max_stuck_;
  std::shared_ptr<Shared> shared_;   // also owned by every worker, stuck ones included
  std::shared_ptr<Worker> current_;  // the idle worker that serves the next call, if any
};

}  // namespace tidemark::agent
