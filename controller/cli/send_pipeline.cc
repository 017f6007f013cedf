#include "controller/cli/send_pipeline.h"

#include <utility>

namespace tidemark::cli {

SendPipeline::SendPipeline(std::function<void(capnp::MallocMessageBuilder&)> deliver,
                           size_t depth)
    : deliver_(std::move(deliver)), depth_(depth == 0 ? 1 : depth), sender_([this] { run(); }) {}

SendPipeline::~SendPipeline() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  sender_.join();
}

void SendPipeline::rethrowFailure() {
  if (failure_) std::rethrow_exception(failure_);
}

void SendPipeline::push(Message message) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failure_ || queue_.size() < depth_; });
  rethrowFailure();
  queue_.push_back(std::move(message));
  lock.unlock();
  changed_.notify_all();
}

void SendPipeline::finish() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return failure_ || (queue_.empty() && !delivering_); });
  rethrowFailure();
}

void SendPipeline::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Message message = std::move(queue_.front());
    queue_.pop_front();
    delivering_ = true;
    lock.unlock();
    changed_.notify_all();  // room for the next message while this one is delivered
    std::exception_ptr failure;
    try {
      deliver_(*message);
    } catch (...) {
      failure = std::current_exception();
    }
    message.reset();
    lock.lock();
    delivering_ = false;
    if (failure) {
      failure_ = failure;
      queue_.clear();
      stopping_ = true;
    }
    changed_.notify_all();
    if (stopping_) return;
  }
}

}  // namespace tidemark::cli
