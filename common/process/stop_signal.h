// Turns SIGINT and SIGTERM into a flag the main loop polls. The signals are
// blocked in every thread and taken by one waiting thread, so no blocking call
// (zmq_poll, RocksDB) is ever interrupted with EINTR.
#pragma once

#include <atomic>
#include <thread>

namespace tidemark {

class StopSignal {
 public:
  // Must be constructed in main before any other thread starts.
  StopSignal();
  ~StopSignal();
  bool requested() const { return signal_.load() != 0; }
  // An eventfd that turns readable when a stop is requested: a loop that blocks in
  // poll() (the agent's, between collections) adds it to wake up at once.
  int wakeFd() const { return wake_fd_; }
  // The signal that asked to stop (SIGTERM, SIGINT), 0 while none has.
  int signal() const { return signal_.load(); }

 private:
  std::atomic<int> signal_{0};
  int wake_fd_ = -1;
  std::thread waiter_;
};

}  // namespace tidemark
