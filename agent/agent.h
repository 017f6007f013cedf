// The agent loop: every interval, run the collectors into one batch, put it in the
// outbox (on disk, in the state dir) and send what the controller has not
// acknowledged; in between, handle acks. After a restart the outbox's batches go
// out again, in order, after the Hello; so do they after every reconnection. All on
// one thread: collectors, registry and outbox need no locks.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <vector>
#include <zmq.hpp>

#include "agent/agent_stats.h"
#include "agent/batch/batch_builder.h"
#include "agent/batch/series_registry.h"
#include "agent/collectors/collector.h"
#include "agent/io/read_batch.h"
#include "agent/link/controller_link.h"
#include "agent/outbox/outbox.h"
#include "agent/state/state_dir.h"
#include "agent/tuner/tuning_worker.h"
#include "common/time/clock.h"

namespace tidemark::agent {

struct AgentConfig {
  std::string host_id;
  int64_t interval_ms = 10'000;
  // Resend unacknowledged batches when the oldest has waited this long. Default: 3 intervals, at
  // least 10 s.
  int64_t ack_timeout_ms = 0;
  // How long stop() waits for the last acknowledgements. Default: 2 s.
  int64_t flush_timeout_ms = 2'000;
  // Bounds of the outbox, which lives in STATE_DIR/outbox.
  OutboxOptions outbox;
  wire::HelloData hello;  // host facts; ids and epoch are filled in by the agent
  // Hands freed heap pages back to the kernel (malloc_trim) this often. Start-up (facts,
  // the hello), the ships' process scans and pier walks free more than a steady pass
  // reuses, and glibc keeps such pages resident. The first trim after 40 collections
  // also pages out the program file's pages (program_pages.h). 0: never. Default: 30 s.
  int64_t memory_trim_interval_ms = 30'000;
};

class Agent {
 public:
  Agent(AgentConfig config, const Clock& clock, StateDir& state, SeriesRegistry& registry,
        ControllerLink& link, ReadBatch& batch, std::vector<CollectorPtr> collectors);

  // Runs until `stop()` returns true, then waits up to flush_timeout_ms for acks.
  // With `stop_fd` (an fd that turns readable when stop() would return true, e.g.
  // StopSignal::wakeFd()), the loop sleeps in poll() until the next collection or a
  // controller message; without it, it wakes every 200 ms to ask stop().
  void run(const std::function<bool()>& stop, int stop_fd = -1);

  // One collection into the outbox (exposed for tests and benchmarks).
  void collectOnce();
  // Sends unsent batches and handles replies for up to `timeout_ms` (less when
  // `wake_fd` >= 0 turns readable).
  void exchange(int timeout_ms, int wake_fd = -1);

  // Tuning commands from the controller go to `worker`; its results and knob surveys
  // go up the link (a survey after every Hello, and every `survey_interval_ms`).
  // Without one, commands are answered "refused: tuning is off on this agent".
  void attachTuning(tuner::TuningWorker& worker, int64_t survey_interval_ms);

  const AgentStats& stats() const { return stats_; }
  const Outbox& outbox() const { return outbox_; }

 private:
  void sendHello();
  void sendPending();
  void handle(const wire::ControllerMessageData& message);
  void handleAck(const wire::AckData& ack);
  void handleTuningCommand(const wire::TuningCommandData& command);
  // Queues the worker's results and surveys, then sends what the link takes, in order.
  void sendTuningOutputs();
  void writeSelfMetrics(SampleWriter& out);
  // Copies the outbox's lifetime counters into stats_.
  void syncCounts();

  AgentConfig config_;
  const Clock& clock_;
  StateDir& state_;
  SeriesRegistry& registry_;
  ControllerLink& link_;
  ReadBatch& batch_;
  std::vector<CollectorPtr> collectors_;
  BatchBuilder builder_;
  Outbox outbox_;
  AgentStats stats_;
  std::vector<uint8_t> announced_scratch_;
  std::vector<uint8_t> prepare_failed_;        // per collector, this collection
  std::vector<int64_t> collector_ms_scratch_;  // per collector: prepare + collect
  int64_t last_ack_ms_ = 0;
  bool warned_unreachable_ = false;
  bool hello_pending_ = true;
  uint64_t logged_unjournalled_ = 0;  // unjournalled samples already logged
  uint64_t link_connections_ = 0;     // the link's handshakes already acted on
  // How batches are encoded for the controller on this connection (its Welcome says).
  wire::EncodeOptions encode_options_;
  std::string last_refusal_;          // the controller's last "unauthorized" reason, logged once
  tuner::TuningWorker* tuning_ = nullptr;
  int64_t survey_interval_ms_ = 0;
  int64_t next_survey_ms_ = 0;
  // Tuning messages not yet taken by the link (kept across disconnections; a lost
  // result is recovered anyway: the controller resends the command after the next
  // Hello and the tuner answers from its journal).
  std::deque<wire::AgentMessageData> tuning_up_;
  // Once, at the first memory trim after this many collections.
  static constexpr uint64_t kStartUpCollections = 40;
  bool program_pages_released_ = false;
};

}  // namespace tidemark::agent
