#include "agent/io/plain_read_batch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agent/io/file_reader.h"
#include "agent/io/regenerated_file.h"

namespace tidemark::agent {
namespace {

// A new buffer's size, doubled whenever a read fills it. Most files read every pass
// are small (/proc/PID/stat: about 300 bytes) and a slot's buffer keeps the capacity
// its file needed, so hundreds of per-ship slots stay small.
constexpr size_t kReadChunkBytes = 1024;

// Reads `fd` from offset 0 to its end into `out`, reusing its capacity (grown only
// when a read fills it): 0 or an errno value. `until_zero`: a short read is not the
// end (procfs), only a read of 0 bytes is, or one that `shape` says is.
int preadAll(int fd, std::string& out, bool until_zero, const ReadSlot* shape = nullptr) {
  out.resize(std::max(out.capacity(), kReadChunkBytes));
  size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);
    const size_t asked = out.size() - used;
    const ssize_t n = ::pread(fd, out.data() + used, asked, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      out.clear();
      return error;
    }
    used += static_cast<size_t>(n);
    if (n == 0) break;
    if (static_cast<size_t>(n) < asked &&
        (!until_zero || (shape != nullptr && shortReadIsEnd(*shape, static_cast<size_t>(n)))))
      break;
  }
  out.resize(used);
  return 0;
}

}  // namespace

int readWholeFile(const std::string& resolved, std::string& out) {
  out.clear();
  int fd;
  do {
    fd = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  // Files under /proc report size 0, so read until EOF rather than trusting fstat.
  const int error = preadAll(fd, out, true);
  ::close(fd);
  return error;
}

PlainReadBatch::PlainReadBatch(std::string_view root, size_t max_cached_fds)
    : root_(normaliseRoot(root)), max_cached_fds_(max_cached_fds) {}

PlainReadBatch::~PlainReadBatch() {
  for (const auto& [path, cached] : fds_) ::close(cached.fd);
}

int PlainReadBatch::read(const std::string& path, ReadSlot& slot) {
  std::string& out = slot.data;
  if (auto it = fds_.find(std::string_view(path)); it != fds_.end()) {
    it->second.last_pass = pass_;
    const int error = preadAll(it->second.fd, out, it->second.confirm_eof, &slot);
    if (error != 0) {
      // A dead process's /proc/PID file answers ESRCH for good; a vanished sysfs
      // device, ENODEV. The next pass opens the path afresh, if it exists.
      ::close(it->second.fd);
      fds_.erase(it);
    }
    return error;
  }
  if (fds_.size() >= max_cached_fds_) return readWholeFile(path, out);
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    out.clear();
    return errno;
  }
  const RegeneratedFile kind = classifyOpenFile(fd);
  // Regular files are read until a read returns 0, as readWholeFile does.
  const int error =
      preadAll(fd, out, !kind.regenerated || kind.confirm_eof, kind.regenerated ? &slot : nullptr);
  // The same path queued twice in one pass opens twice; the second fd is not kept.
  const bool kept =
      error == 0 && kind.regenerated && fds_.emplace(path, CachedFd{fd, kind.confirm_eof, pass_}).second;
  if (!kept) ::close(fd);
  return error;
}

void PlainReadBatch::evictUnused() {
  // A path not read this pass (a ship that stopped) must not pin an fd forever.
  for (auto it = fds_.begin(); it != fds_.end();) {
    if (it->second.last_pass == pass_) {
      ++it;
      continue;
    }
    ::close(it->second.fd);
    it = fds_.erase(it);
  }
}

std::string& PlainReadBatch::nextPath(std::string_view path) {
  if (used_paths_ == paths_.size()) paths_.emplace_back();
  std::string& out = paths_[used_paths_++];
  out.assign(root_);
  if (path.empty() || path.front() != '/') out.push_back('/');
  out.append(path);
  return out;
}

void PlainReadBatch::queueRead(std::string_view path, ReadSlot& slot) {
  nextPath(path);
  pending_.push_back({&slot, nullptr});
}

void PlainReadBatch::queueStat(std::string_view path, StatSlot& slot) {
  nextPath(path);
  pending_.push_back({nullptr, &slot});
}

void PlainReadBatch::queueStatAt(int dirfd, std::string_view relative, StatSlot& slot) {
  if (used_paths_ == paths_.size()) paths_.emplace_back();
  paths_[used_paths_++].assign(relative);
  pending_.push_back({nullptr, &slot, dirfd});
}

void PlainReadBatch::submit() {
  if (pending_.empty()) return;  // an empty pass keeps every cached fd
  ++pass_;
  for (size_t i = 0; i < pending_.size(); ++i) {
    const std::string& path = paths_[i];
    if (ReadSlot* slot = pending_[i].read) {
      slot->error = read(path, *slot);
    } else if (StatSlot* stat = pending_[i].stat) {
      stat->error = statIntoSlot(pending_[i].dirfd, path, *stat);
    }
  }
  pending_.clear();
  used_paths_ = 0;
  evictUnused();
}

}  // namespace tidemark::agent
