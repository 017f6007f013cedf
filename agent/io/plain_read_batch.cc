#include "agent/io/plain_read_batch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "agent/io/file_reader.h"

namespace tidemark::agent {

int readWholeFile(const std::string& resolved, std::string& out) {
  out.clear();
  int fd;
  do {
    fd = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  // Files under /proc report size 0, so read until EOF rather than trusting fstat.
  size_t used = 0;
  for (;;) {
    if (out.size() < used + 4096) out.resize(std::max(out.capacity(), used + 4096));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      out.clear();
      return error;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  ::close(fd);
  return 0;
}

PlainReadBatch::PlainReadBatch(std::string_view root) : root_(normaliseRoot(root)) {}

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

void PlainReadBatch::submit() {
  for (size_t i = 0; i < pending_.size(); ++i) {
    const std::string& path = paths_[i];
    if (ReadSlot* read = pending_[i].read) {
      read->error = readWholeFile(path, read->data);
    } else if (StatSlot* stat = pending_[i].stat) {
      stat->error = ::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW,
                            STATX_SIZE | STATX_BLOCKS | STATX_MTIME, &stat->stat) == 0
                        ? 0
                        : errno;
    }
  }
  pending_.clear();
  used_paths_ = 0;
}

}  // namespace tidemark::agent
