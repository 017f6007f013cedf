#include "common/process/stop_signal.h"

#include <pthread.h>
#include <signal.h>

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

StopSignal::StopSignal() {
  sigset_t set = stopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::thread([this, set] {
    int received = 0;
    while (sigwait(&set, &received) == 0) {
      if (received == SIGUSR2) return;
      signal_.store(received);
    }
  });
}

StopSignal::~StopSignal() {
  pthread_kill(waiter_.native_handle(), SIGUSR2);
  waiter_.join();
}

}  // namespace tidemark
