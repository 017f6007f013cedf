// Several fds behind one: an epoll fd that turns readable when any member does, for
// poll loops that take a single wake fd (the agent link waits on the stop signal
// and the tuning worker at once).
#pragma once

#include <vector>

namespace tidemark {

class WakeSet {
 public:
  WakeSet() = default;
  ~WakeSet();
  WakeSet(const WakeSet&) = delete;
  WakeSet& operator=(const WakeSet&) = delete;

  // Adds `fd` (ignored when negative). Throws std::runtime_error when epoll refuses it.
  void add(int fd);
  // -1 with no members; the only member itself with one; else the epoll fd.
  int fd() const;

 private:
  std::vector<int> members_;
  int epoll_fd_ = -1;
};

}  // namespace tidemark
