// ReadBatch over plain open/read/statx calls, one at a time: the fallback when
// io_uring is refused, and the reference the io_uring batch is tested against.
// Like the io_uring batch, it keeps procfs/sysfs fds between passes (regenerated on
// every read), so a steady pass reads those with pread at offset 0, no open/close.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "agent/io/read_batch.h"

namespace tidemark::agent {

class PlainReadBatch final : public ReadBatch {
 public:
  // Past `max_cached_fds` open procfs/sysfs fds, further files are opened per pass.
  explicit PlainReadBatch(std::string_view root, size_t max_cached_fds = 512);
  ~PlainReadBatch() override;
  PlainReadBatch(const PlainReadBatch&) = delete;
  PlainReadBatch& operator=(const PlainReadBatch&) = delete;

  // ReadBatch
  void queueRead(std::string_view path, ReadSlot& slot) override;
  void queueStat(std::string_view path, StatSlot& slot) override;
  void queueStatAt(int dirfd, std::string_view relative, StatSlot& slot) override;
  void submit() override;
  const std::string& root() const override { return root_; }
  std::string_view backend() const override { return "plain"; }

  // Open fds kept for the next pass (for tests).
  size_t cachedFds() const { return fds_.size(); }

 private:
  struct Pending {
    ReadSlot* read = nullptr;
    StatSlot* stat = nullptr;
    int dirfd = -100;  // AT_FDCWD: the path is absolute
  };
  // Resolved paths in reused strings, so steady-state passes allocate nothing.
  std::string& nextPath(std::string_view path);

  struct CachedFd {
    int fd = -1;
    bool confirm_eof = false;
    uint64_t last_pass = 0;
  };
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  int read(const std::string& path, ReadSlot& slot);
  void evictUnused();

  std::string root_;
  size_t max_cached_fds_;
  uint64_t pass_ = 0;
  std::unordered_map<std::string, CachedFd, PathHash, std::equal_to<>> fds_;
  std::vector<Pending> pending_;
  std::vector<std::string> paths_;
  size_t used_paths_ = 0;
};

// Reads the whole file at the host path `resolved` into `out`, reusing its capacity:
// 0 or an errno value. Shared by both batches (io_uring retries short buffers with it).
int readWholeFile(const std::string& resolved, std::string& out);

}  // namespace tidemark::agent
