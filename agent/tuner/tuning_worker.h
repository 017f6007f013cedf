// Runs tuning on a thread of its own, so a maintenance job that takes hours never
// stalls collection: the agent loop submits commands and survey requests, and
// takes the results (woken through wakeFd()) to send them to the controller.
// Commands run one at a time, in the order they came.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/wire/agent_link_codec.h"

namespace tidemark::agent::tuner {

// What the worker drives: the Tuner in production, fakes in tests.
class TuningBackend {
 public:
  virtual ~TuningBackend() = default;
  // Applies or rolls back one change; never throws.
  virtual wire::TuningResultData execute(const wire::TuningCommandData& command) = 0;
  // Every knob's state now.
  virtual std::vector<wire::KnobStateData> survey() = 0;
  // The applied knobs whose drift flag changed since the last call.
  virtual std::vector<wire::KnobStateData> checkDrift() = 0;
  // False while no change is applied, when checkDrift() has nothing to look at.
  virtual bool hasApplied() { return true; }
};

// One thing for the controller: a command's result, or a full knob survey.
struct TuningOutput {
  std::optional<wire::TuningResultData> result;
  std::optional<std::vector<wire::KnobStateData>> knobs;
};

class TuningWorker {
 public:
  explicit TuningWorker(TuningBackend& backend);
  // Finishes the command in progress (a maintenance job is never cut off halfway:
  // that could leave a ship stopped), drops the queued ones (the controller sends
  // them again after the next Hello) and joins the thread. Reverts nothing.
  ~TuningWorker();
  TuningWorker(const TuningWorker&) = delete;
  TuningWorker& operator=(const TuningWorker&) = delete;

  void submit(wire::TuningCommandData command);
  // A full survey goes out after the work queued before it.
  void requestSurvey();
  // Re-reads the applied knobs; when a drift flag changed, a full survey follows.
  // Nothing is queued (the thread is not woken) while no change is applied.
  void requestDriftCheck();

  // Readable (an eventfd) while outputs wait in take().
  int wakeFd() const { return wake_fd_; }
  // The outputs posted so far; no system call when there are none (it is asked at
  // every exchange with the controller).
  std::vector<TuningOutput> take();
  // Commands queued or running.
  size_t pending() const;

 private:
  struct Job {
    enum class Kind { kCommand, kSurvey, kDriftCheck } kind = Kind::kSurvey;
    wire::TuningCommandData command;
  };
  void run();
  void post(TuningOutput output);
  void noteApplied() { drift_watched_.store(backend_.hasApplied(), std::memory_order_relaxed); }
  void enqueue(Job job);

  TuningBackend& backend_;
  int wake_fd_ = -1;
  mutable std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<Job> jobs_;
  std::vector<TuningOutput> outputs_;
  size_t commands_pending_ = 0;
  // Written by the worker after each command, read by requestDriftCheck(): a drift
  // check every collection would wake this thread for nothing on most hosts.
  std::atomic<bool> drift_watched_{true};
  // Set after post() made the eventfd readable, cleared by take() before reading it:
  // while it is false the eventfd is not readable, or is about to be followed by it.
  std::atomic<bool> outputs_posted_{false};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tidemark::agent::tuner
