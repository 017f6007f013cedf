// Tells whether a mount table (/proc/PID/mountinfo) changed since it was last read,
// so the filesystem collector reads and parses it only after a mount or unmount.
// The kernel flags a changed mount namespace to poll(2) on an open mountinfo file
// (POLLPRI); any other file (a fixture tree in tests) counts as changed every time.
#pragma once

#include <string>

namespace tidemark::agent {

class MountTableWatch {
 public:
  MountTableWatch() = default;
  ~MountTableWatch();
  MountTableWatch(const MountTableWatch&) = delete;
  MountTableWatch& operator=(const MountTableWatch&) = delete;

  // Watches the mountinfo file at `path` (a full path, already under the root),
  // dropping any earlier one. The next changed() says true.
  void watch(const std::string& path);

  // True at the first call after watch(), when the namespace's mounts changed since
  // the previous call, and always when `path` is not a procfs file or could not be
  // opened. One poll(2) with no wait.
  bool changed();

  // True while changes are told apart (the file is procfs and open).
  bool polling() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  bool first_ = true;
};

}  // namespace tidemark::agent
