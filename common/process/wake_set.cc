#include "common/process/wake_set.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tidemark {

WakeSet::~WakeSet() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void WakeSet::add(int fd) {
  if (fd < 0) return;
  if (epoll_fd_ < 0) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  }
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: readable for as long as a member is
  event.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    throw std::runtime_error("epoll_ctl(ADD, fd " + std::to_string(fd) + "): " + std::strerror(errno));
  }
  members_.push_back(fd);
}

int WakeSet::fd() const {
  if (members_.empty()) return -1;
  if (members_.size() == 1) return members_.front();
  return epoll_fd_;
}

}  // namespace tidemark
