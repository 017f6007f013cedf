// One thread of the fleet simulator: it owns a slice of the simulated agents (one
// DEALER socket each, all in one shared ZeroMQ context), and drives them like the
// real agent does: Hello first, then one MetricBatch per interval, series
// announced until the controller has acknowledged them, sequences 1, 2, 3, ...,
// oldest_pending, cumulative acks, and a resend of everything unacknowledged after
// the ack timeout. Readiness comes from epoll over every socket's ZMQ_FD, so a
// thread's cost follows the traffic, not the number of sockets.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "bench/fleet_sim/catalog.h"
#include "bench/fleet_sim/histogram.h"
#include "common/transport/curve_keys.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::fleet_sim {

struct SimConfig {
  std::string controller;          // tcp://HOST:PORT
  std::string controller_public;   // Z85; empty: plain TCP
  size_t agents = 100;
  size_t series = 300;
  int64_t interval_ms = 10'000;
  int64_t duration_ms = 120'000;
  int64_t drain_ms = 30'000;
  // The steady-state window is [warmup, duration): its rate and latencies are
  // reported apart from the start (handshakes, every series announced at once).
  int64_t warmup_ms = 0;
  // Agents join over this long: agent k connects in round k % (ramp / interval), so
  // every round adds a slice of the fleet spread over the whole interval. 0: all in round 0.
  int64_t ramp_ms = 0;
  int64_t ack_timeout_ms = 30'000;
  size_t threads = 2;
  std::vector<SeriesTemplate> catalog;
  std::vector<wire::SeriesAnnouncementData> announcements;  // id i <-> catalog[i]
};

// Who one simulated agent is; made before the threads start.
struct AgentIdentity {
  size_t index = 0;  // 0-based; the host is sim-(index+1)
  std::string host;
  CurveKeyPair keys;
  uint64_t epoch = 0;
  uint64_t seed = 0;
};

// Counters a worker publishes while it runs (read by the progress printer).
struct LiveCounters {
  std::atomic<uint64_t> connected{0};  // agents that received their first Welcome
  std::atomic<uint64_t> batches_collected{0};
  std::atomic<uint64_t> samples_collected{0};
  std::atomic<uint64_t> batches_sent{0};    // first sends
  std::atomic<uint64_t> batches_resent{0};  // sends after a timeout, gap or resync
  std::atomic<uint64_t> batches_acked{0};
  std::atomic<uint64_t> samples_acked{0};
  std::atomic<uint64_t> pending_batches{0};  // collected, not yet acked
  std::atomic<uint64_t> ack_timeouts{0};
};

// Everything a worker measured, merged by main at the end.
struct WorkerResult {
  Histogram ack_latency;          // first send -> ack, every batch
  Histogram ack_latency_steady;   // batches sent with ids only
  Histogram ack_latency_first;    // batches sent with series announcements
  Histogram connect_latency;      // connect() -> first Welcome
  Histogram handshake_latency;    // connect() -> socket writable (TCP + CURVE + ZAP done)
  Histogram ack_latency_window;   // batches first sent in [warmup, duration)
  uint64_t samples_acked_in_run = 0;  // acked before the end of --duration
  uint64_t samples_acked_in_window = 0;  // acked in [warmup, duration)
  uint64_t samples_rejected = 0;
  uint64_t acks[6] = {};  // by wire::AckStatus
  uint64_t welcomes = 0;
  uint64_t hellos_sent = 0;
  uint64_t malformed_replies = 0;
  uint64_t send_refused = 0;  // sends libzmq refused (not connected, or HWM)
  uint64_t agents_never_connected = 0;
  uint64_t agents_with_pending = 0;
};

// What one worker shares with the parent process: live counters for progress, the
// progress window's latencies, and the final result. Lives in shared memory
// (the simulator forks when one process cannot hold every agent's descriptors).
struct WorkerSlot {
  LiveCounters live;
  AtomicHistogram window;
  WorkerResult result;
  std::atomic<int> done{0};
};

class SimWorker {
 public:
  // `t0_us`: CLOCK_MONOTONIC microseconds at which round 0 starts.
  SimWorker(const SimConfig& config, void* context, std::vector<AgentIdentity> agents,
            int64_t t0_us, const std::atomic<bool>& stop, WorkerSlot& slot);
  ~SimWorker();

  // Runs the agents until the end of the duration plus the drain, then fills
  // slot.result and closes nothing (the destructor closes the sockets).
  void run();

 private:
  struct Pending {
    wire::AgentMessageData message;  // a MetricBatchData
    uint64_t sequence = 0;
    uint32_t samples = 0;
    int64_t first_sent_us = -1;
    int64_t sent_us = -1;  // -1: waiting to be (re)sent
    bool announced = false;  // its first send carried announcements
  };
  struct Agent {
    AgentIdentity id;
    void* socket = nullptr;
    int fd = -1;
    int64_t phase_us = 0;
    int64_t start_round = 0;  // the round of its first connect and collection
    int64_t connect_us = -1;
    bool welcomed = false;
    bool handshaken = false;
    bool hello_pending = true;
    bool series_confirmed = false;  // the controller acked a batch holding every series
    bool unsent = false;            // some work waits for the socket
    std::string last_refusal;
    uint64_t next_sequence = 1;
    std::deque<Pending> outbox;
    std::unique_ptr<HostValues> values;
  };

  void connect(Agent& agent, int64_t now_us);
  void collect(Agent& agent, int64_t now_us, int64_t wall_ms);
  // Drains replies, then sends what waits, until libzmq's state is re-read after
  // the last operation (ZMQ_FD is edge-like: every send/recv may consume its signal).
  void service(Agent& agent);
  size_t drain(Agent& agent);
  // True when a send happened or a reply is waiting (the caller drains again).
  bool sendPending(Agent& agent);
  // -1: refused (not connected or full), 0: sent, 1: sent and POLLIN seen.
  int trySend(Agent& agent, const wire::AgentMessageData& message, bool& saw_input);
  void handleAck(Agent& agent, const wire::AckData& ack);
  void acknowledgeThrough(Agent& agent, uint64_t sequence);
  void resendFrom(Agent& agent, uint64_t sequence);
  void sweep(int64_t now_us, bool full);

  const SimConfig& config_;
  void* context_;
  std::vector<Agent> agents_;
  int64_t t0_us_;
  int64_t warmup_us_;
  int64_t end_us_;
  const std::atomic<bool>& stop_;
  int epoll_fd_ = -1;
  LiveCounters& live_;
  WorkerResult& result_;
  AtomicHistogram& window_;
  std::vector<double> scratch_values_;
};

int64_t monotonicUs();
int64_t wallMs();

}  // namespace tidemark::fleet_sim
