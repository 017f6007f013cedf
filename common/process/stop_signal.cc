#include "common/process/stop_signal.h"

#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace tidemark {

namespace {

sigset_t stopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGUSR2);  // used only to wake the waiter at destruction
  return set;
}

}  // namespace

StopSignal::StopSignal() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  sigset_t set = stopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    int received = 0;
    while (sigwait(&set, &received) == 0) {
      if (received == SIGUSR2) return;
      signal_.store(received);
      if (wake_fd_ >= 0) (void)::eventfd_write(wake_fd_, 1);
    }
  });
}

StopSignal::~StopSignal() {
  pthread_kill(waiter_.native_handle(), SIGUSR2);
  waiter_.join();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

}  // namespace tidemark
