#include "agent/collectors/mount_table_watch.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace tidemark::agent {

MountTableWatch::~MountTableWatch() {
  if (fd_ >= 0) ::close(fd_);
}

void MountTableWatch::watch(const std::string& path) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  first_ = true;
  struct statfs filesystem {};
  if (fd_ >= 0 && (::fstatfs(fd_, &filesystem) != 0 || filesystem.f_type != PROC_SUPER_MAGIC)) {
    ::close(fd_);
    fd_ = -1;
  }
}

bool MountTableWatch::changed() {
  if (fd_ < 0) return true;
  // Polling also takes the namespace's event count as seen, so a change is told once.
  struct pollfd entry {fd_, POLLPRI, 0};
  const int ready = ::poll(&entry, 1, 0);
  const bool moved = ready < 0 || (entry.revents & (POLLPRI | POLLERR)) != 0;
  if (first_) {
    first_ = false;
    return true;
  }
  return moved;
}

}  // namespace tidemark::agent
