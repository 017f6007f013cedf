#include "agent/tuner/tuning_worker.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tidemark::agent::tuner {

TuningWorker::TuningWorker(TuningBackend& backend)
    : backend_(backend), wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (wake_fd_ < 0) {
    throw std::runtime_error(std::string("tuning worker: eventfd: ") + std::strerror(errno));
  }
  thread_ = std::thread([this] { run(); });
}

TuningWorker::~TuningWorker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (!jobs_.empty()) {
      spdlog::info("agent stopping: {} queued tuning jobs dropped (the controller resends them)",
                   jobs_.size());
    }
    jobs_.clear();
  }
  work_ready_.notify_all();
  thread_.join();
  close(wake_fd_);
}

void TuningWorker::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (job.kind != Job::Kind::kCommand) {
      // One pending survey or drift check is enough: a second would read the same.
      const bool queued = std::any_of(jobs_.begin(), jobs_.end(),
                                      [&](const Job& other) { return other.kind == job.kind; });
      if (queued) return;
    } else {
      ++commands_pending_;
    }
    jobs_.push_back(std::move(job));
  }
  work_ready_.notify_one();
}

void TuningWorker::submit(wire::TuningCommandData command) {
  enqueue({Job::Kind::kCommand, std::move(command)});
}

void TuningWorker::requestSurvey() { enqueue({Job::Kind::kSurvey, {}}); }

void TuningWorker::requestDriftCheck() {
  if (!drift_watched_.load(std::memory_order_relaxed)) return;
  enqueue({Job::Kind::kDriftCheck, {}});
}

size_t TuningWorker::pending() const {
  std::lock_guard lock(mutex_);
  return commands_pending_;
}

std::vector<TuningOutput> TuningWorker::take() {
  if (!outputs_posted_.exchange(false, std::memory_order_acquire)) return {};
  uint64_t count = 0;
  (void)::read(wake_fd_, &count, sizeof count);  // resets the eventfd
  std::lock_guard lock(mutex_);
  std::vector<TuningOutput> taken;
  taken.swap(outputs_);
  return taken;
}

void TuningWorker::post(TuningOutput output) {
  {
    std::lock_guard lock(mutex_);
    outputs_.push_back(std::move(output));
  }
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
  outputs_posted_.store(true, std::memory_order_release);
}

void TuningWorker::run() {
  noteApplied();
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      switch (job.kind) {
        case Job::Kind::kCommand: {
          TuningOutput output;
          output.result = backend_.execute(job.command);
          noteApplied();
          post(std::move(output));
          // The controller sees the knob's new value (and any side effects) at once.
          post({std::nullopt, backend_.survey()});
          break;
        }
        case Job::Kind::kSurvey:
          post({std::nullopt, backend_.survey()});
          break;
        case Job::Kind::kDriftCheck:
          if (!backend_.checkDrift().empty()) post({std::nullopt, backend_.survey()});
          break;
      }
    } catch (const std::exception& e) {
      // The tuner is written not to throw; a survey that does loses its turn only.
      spdlog::error("tuning worker: {}", e.what());
    }
    if (job.kind == Job::Kind::kCommand) {
      std::lock_guard lock(mutex_);
      --commands_pending_;
    }
  }
}

}  // namespace tidemark::agent::tuner
