// Overlaps building requests with waiting for their replies: the caller builds
// request N+1 while a sender thread waits for the controller to store request N, so
// the CLI and the controller work at the same time (an import's pass 2).
#pragma once

#include <capnp/message.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace tidemark::cli {

class SendPipeline {
 public:
  using Message = std::unique_ptr<capnp::MallocMessageBuilder>;
  // `deliver` runs on the sender thread, once per message, in push order; an exception
  // from it stops the pipeline. At most `depth` built messages wait to be delivered.
  explicit SendPipeline(std::function<void(capnp::MallocMessageBuilder&)> deliver,
                        size_t depth = 1);
  // Stops the sender after the message it is delivering; queued messages are dropped.
  ~SendPipeline();
  SendPipeline(const SendPipeline&) = delete;
  SendPipeline& operator=(const SendPipeline&) = delete;

  // Blocks while `depth` messages wait. Rethrows the exception of a failed delivery
  // (nothing after it is delivered).
  void push(Message message);
  // Waits until every pushed message was delivered; rethrows a delivery's exception.
  void finish();

 private:
  void run();
  void rethrowFailure();  // with mutex_ held

  std::function<void(capnp::MallocMessageBuilder&)> deliver_;
  size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Message> queue_;
  bool delivering_ = false;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread sender_;
};

}  // namespace tidemark::cli
