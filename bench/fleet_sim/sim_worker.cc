#include "bench/fleet_sim/sim_worker.h"

#include <sys/epoll.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace tidemark::fleet_sim {

int64_t monotonicUs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

int64_t wallMs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

namespace {

void setInt(void* socket, int option, int value, const char* name) {
  if (zmq_setsockopt(socket, option, &value, sizeof value) != 0) {
    throw std::runtime_error(std::string("zmq_setsockopt ") + name + ": " + zmq_strerror(zmq_errno()));
  }
}

void setKey(void* socket, int option, const std::string& z85, const char* name) {
  if (zmq_setsockopt(socket, option, z85.data(), z85.size()) != 0) {
    throw std::runtime_error(std::string("zmq_setsockopt ") + name + ": " + zmq_strerror(zmq_errno()));
  }
}

int socketEvents(void* socket) {
  int events = 0;
  size_t size = sizeof events;
  if (zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size) != 0) return 0;
  return events;
}

}  // namespace

SimWorker::SimWorker(const SimConfig& config, void* context, std::vector<AgentIdentity> agents,
                     int64_t t0_us, const std::atomic<bool>& stop, WorkerSlot& slot)
    : config_(config),
      context_(context),
      t0_us_(t0_us),
      warmup_us_(t0_us + std::min(config.warmup_ms, config.duration_ms) * 1000),
      end_us_(t0_us + config.duration_ms * 1000),
      stop_(stop),
      live_(slot.live),
      result_(slot.result),
      window_(slot.window) {
  agents_.resize(agents.size());
  for (size_t i = 0; i < agents.size(); ++i) {
    Agent& a = agents_[i];
    a.id = std::move(agents[i]);
    // Agent k of N sends at k/N of the interval: send times spread uniformly.
    a.phase_us = static_cast<int64_t>(static_cast<double>(a.id.index) /
                                      static_cast<double>(config_.agents) *
                                      static_cast<double>(config_.interval_ms) * 1000.0);
    const int64_t ramp_rounds = std::max<int64_t>(1, config_.ramp_ms / config_.interval_ms);
    a.start_round = static_cast<int64_t>(a.id.index) % ramp_rounds;
  }
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
}

SimWorker::~SimWorker() {
  for (auto& a : agents_) {
    if (a.socket != nullptr) zmq_close(a.socket);
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void SimWorker::connect(Agent& a, int64_t now_us) {
  a.socket = zmq_socket(context_, ZMQ_DEALER);
  if (a.socket == nullptr) {
    const int error = zmq_errno();
    throw std::runtime_error(
        "cannot open the socket of " + a.id.host + ": " + zmq_strerror(error) +
        (error == EMFILE ? " (too many sockets or open files: ZMQ_MAX_SOCKETS or RLIMIT_NOFILE "
                           "is too low for this many agents)"
                         : ""));
  }
  // The same options as the real agent's link (agent/link/controller_link.cc).
  setInt(a.socket, ZMQ_IMMEDIATE, 1, "ZMQ_IMMEDIATE");
  setInt(a.socket, ZMQ_LINGER, 0, "ZMQ_LINGER");
  setInt(a.socket, ZMQ_SNDHWM, 1000, "ZMQ_SNDHWM");
  setInt(a.socket, ZMQ_RECONNECT_IVL, 1000, "ZMQ_RECONNECT_IVL");
  setInt(a.socket, ZMQ_RECONNECT_IVL_MAX, 30'000, "ZMQ_RECONNECT_IVL_MAX");
  setInt(a.socket, ZMQ_HEARTBEAT_IVL, 10'000, "ZMQ_HEARTBEAT_IVL");
  setInt(a.socket, ZMQ_HEARTBEAT_TIMEOUT, 30'000, "ZMQ_HEARTBEAT_TIMEOUT");
  if (!config_.controller_public.empty()) {
    // Pinned: the handshake fails against any server without this key.
    setKey(a.socket, ZMQ_CURVE_SERVERKEY, config_.controller_public, "ZMQ_CURVE_SERVERKEY");
    setKey(a.socket, ZMQ_CURVE_PUBLICKEY, a.id.keys.public_key, "ZMQ_CURVE_PUBLICKEY");
    setKey(a.socket, ZMQ_CURVE_SECRETKEY, a.id.keys.secret_key, "ZMQ_CURVE_SECRETKEY");
  }
  if (zmq_connect(a.socket, config_.controller.c_str()) != 0) {
    throw std::runtime_error("cannot connect to " + config_.controller + ": " +
                             zmq_strerror(zmq_errno()));
  }
  size_t size = sizeof a.fd;
  if (zmq_getsockopt(a.socket, ZMQ_FD, &a.fd, &size) != 0) {
    throw std::runtime_error(std::string("ZMQ_FD: ") + zmq_strerror(zmq_errno()));
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = &a;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, a.fd, &event) != 0) {
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
  }
  a.connect_us = now_us;
  a.values = std::make_unique<HostValues>(config_.catalog, a.id.seed);
}

void SimWorker::collect(Agent& a, int64_t now_us, int64_t wall_ms) {
  a.values->advance(config_.catalog, static_cast<double>(config_.interval_ms) / 1000.0,
                    scratch_values_);
  wire::MetricBatchData batch;
  batch.host_id = a.id.host;
  batch.epoch = a.id.epoch;
  batch.sequence = a.next_sequence++;
  const size_t n = config_.catalog.size();
  batch.series_ids.resize(n);
  for (size_t i = 0; i < n; ++i) batch.series_ids[i] = static_cast<uint32_t>(i);
  batch.timestamp_ms = wall_ms;  // one collection: one time, as the agent keeps it
  batch.values = scratch_values_;
  Pending pending;
  pending.sequence = batch.sequence;
  pending.samples = static_cast<uint32_t>(n);
  pending.message = std::move(batch);
  a.outbox.push_back(std::move(pending));
  a.unsent = true;
  live_.batches_collected.fetch_add(1, std::memory_order_relaxed);
  live_.samples_collected.fetch_add(n, std::memory_order_relaxed);
  live_.pending_batches.fetch_add(1, std::memory_order_relaxed);
  (void)now_us;
}

int SimWorker::trySend(Agent& a, const wire::AgentMessageData& message, bool& saw_input) {
  const int events = socketEvents(a.socket);
  if (events & ZMQ_POLLIN) saw_input = true;
  // ZMQ_IMMEDIATE: no POLLOUT until the connection (and CURVE handshake) is up.
  if ((events & ZMQ_POLLOUT) == 0) return -1;
  // The simulated agents only ever talk to this build's controller, which reads
  // batches with one time for all samples (a real agent waits for its Welcome).
  zmq::message_t frame = wire::encodeAgentMessage(message, {.uniform_timestamps = true});
  if (zmq_msg_send(frame.handle(), a.socket, ZMQ_DONTWAIT) < 0) {
    ++result_.send_refused;
    return -1;
  }
  return 0;
}

bool SimWorker::sendPending(Agent& a) {
  if (a.socket == nullptr) return false;
  bool recheck = false;
  a.unsent = true;
  if (a.hello_pending) {
    wire::HelloData hello;
    hello.host_id = a.id.host;
    hello.agent_version = TIDEMARK_VERSION "-fleet-sim";
    char boot_id[40];
    std::snprintf(boot_id, sizeof boot_id, "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(a.id.seed & 0xffffffffffffULL));
    hello.boot_id = boot_id;
    hello.epoch = a.id.epoch;
    hello.interval_ms = static_cast<uint32_t>(config_.interval_ms);
    hello.facts = {{"kernel", "6.1.0-18-amd64"},
                   {"cpu_count", "16"},
                   {"memory_bytes", "68719476736"},
                   {"simulated", "tidemark-fleet-sim"}};
    if (trySend(a, hello, recheck) < 0) return recheck;
    if (!a.handshaken) {
      // ZMQ_IMMEDIATE: the first send succeeds once the CURVE handshake is through.
      a.handshaken = true;
      result_.handshake_latency.record(monotonicUs() - a.connect_us);
    }
    a.hello_pending = false;
    ++result_.hellos_sent;
    recheck = true;
  }
  const uint64_t oldest = a.outbox.empty() ? a.next_sequence : a.outbox.front().sequence;
  for (auto& p : a.outbox) {
    if (p.sent_us >= 0) continue;
    auto& batch = std::get<wire::MetricBatchData>(p.message);
    // Every batch holds every series: announce them all until one batch is acked.
    const bool announce = !a.series_confirmed;
    if (announce) batch.announcements = config_.announcements;
    batch.oldest_pending = oldest;
    const int sent = trySend(a, p.message, recheck);
    batch.announcements.clear();
    batch.announcements.shrink_to_fit();
    if (sent < 0) return recheck;
    recheck = true;
    const int64_t now = monotonicUs();
    if (p.first_sent_us < 0) {
      p.first_sent_us = now;
      p.announced = announce;
      live_.batches_sent.fetch_add(1, std::memory_order_relaxed);
    } else {
      live_.batches_resent.fetch_add(1, std::memory_order_relaxed);
    }
    p.sent_us = now;
  }
  a.unsent = false;
  return recheck;
}

size_t SimWorker::drain(Agent& a) {
  size_t received = 0;
  while (socketEvents(a.socket) & ZMQ_POLLIN) {
    zmq::message_t frame;
    if (zmq_msg_recv(frame.handle(), a.socket, ZMQ_DONTWAIT) < 0) break;
    ++received;
    wire::ControllerMessageData reply;
    try {
      reply = wire::decodeControllerMessage(frame.data(), frame.size());
    } catch (const std::exception& e) {
      if (result_.malformed_replies++ == 0) {
        std::fprintf(stderr, "fleet-sim: %s: malformed reply from the controller: %s\n",
                     a.id.host.c_str(), e.what());
      }
      continue;
    }
    if (const auto* ack = std::get_if<wire::AckData>(&reply)) {
      handleAck(a, *ack);
    } else {
      ++result_.welcomes;
      if (!a.welcomed) {
        a.welcomed = true;
        result_.connect_latency.record(monotonicUs() - a.connect_us);
        live_.connected.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  return received;
}

void SimWorker::service(Agent& a) {
  if (a.socket == nullptr) return;
  // Ends with a ZMQ_EVENTS read that saw no input and no operation after it, so
  // the socket's ZMQ_FD will signal the next event.
  for (int round = 0; round < 64; ++round) {
    drain(a);
    if (!sendPending(a)) return;
  }
}

void SimWorker::acknowledgeThrough(Agent& a, uint64_t sequence) {
  const int64_t now = monotonicUs();
  while (!a.outbox.empty() && a.outbox.front().sequence <= sequence) {
    const Pending& p = a.outbox.front();
    if (p.first_sent_us >= 0) {
      const int64_t latency = now - p.first_sent_us;
      result_.ack_latency.record(latency);
      (p.announced ? result_.ack_latency_first : result_.ack_latency_steady).record(latency);
      window_.record(latency);
      if (p.first_sent_us >= warmup_us_ && p.first_sent_us < end_us_) {
        result_.ack_latency_window.record(latency);
      }
    }
    live_.batches_acked.fetch_add(1, std::memory_order_relaxed);
    live_.samples_acked.fetch_add(p.samples, std::memory_order_relaxed);
    live_.pending_batches.fetch_sub(1, std::memory_order_relaxed);
    if (now < end_us_) result_.samples_acked_in_run += p.samples;
    if (now >= warmup_us_ && now < end_us_) result_.samples_acked_in_window += p.samples;
    a.series_confirmed = true;  // the batch held every series
    a.outbox.pop_front();
  }
}

void SimWorker::resendFrom(Agent& a, uint64_t sequence) {
  for (auto& p : a.outbox) {
    if (p.sequence >= sequence) {
      p.sent_us = -1;
      a.unsent = true;
    }
  }
}

void SimWorker::handleAck(Agent& a, const wire::AckData& ack) {
  ++result_.acks[static_cast<int>(ack.status)];
  switch (ack.status) {
    case wire::AckStatus::kStored:
    case wire::AckStatus::kDuplicate:
      if (!a.last_refusal.empty()) {
        // Accepted now: the refused Hello goes out again, as the real agent does.
        a.last_refusal.clear();
        a.hello_pending = true;
        a.unsent = true;
      }
      acknowledgeThrough(a, ack.sequence);
      break;
    case wire::AckStatus::kGap:
      if (ack.expected_sequence == 0) break;
      acknowledgeThrough(a, ack.expected_sequence - 1);
      resendFrom(a, ack.expected_sequence);
      break;
    case wire::AckStatus::kResync:
      a.series_confirmed = false;
      a.hello_pending = true;
      resendFrom(a, 0);
      break;
    case wire::AckStatus::kUnauthorized:
      if (a.last_refusal.empty() && result_.acks[static_cast<int>(ack.status)] == 1) {
        std::fprintf(stderr, "fleet-sim: %s refused by the controller: %s (batches kept)\n",
                     a.id.host.c_str(), ack.reason.c_str());
      }
      a.last_refusal = ack.reason.empty() ? "unauthorized" : ack.reason;
      break;
    case wire::AckStatus::kRejected:
      if (result_.samples_rejected == 0) {
        std::fprintf(stderr, "fleet-sim: %s batch %llu rejected: %s\n", a.id.host.c_str(),
                     static_cast<unsigned long long>(ack.sequence), ack.reason.c_str());
      }
      for (auto it = a.outbox.begin(); it != a.outbox.end(); ++it) {
        if (it->sequence == ack.sequence) {
          result_.samples_rejected += it->samples;
          live_.pending_batches.fetch_sub(1, std::memory_order_relaxed);
          a.outbox.erase(it);
          break;
        }
      }
      break;
  }
}

void SimWorker::sweep(int64_t now_us, bool full) {
  const int64_t timeout_us = config_.ack_timeout_ms * 1000;
  for (auto& a : agents_) {
    if (a.socket == nullptr) continue;
    if (!a.outbox.empty()) {
      const Pending& oldest = a.outbox.front();
      if (oldest.sent_us >= 0 && now_us - oldest.sent_us >= timeout_us) {
        // As the real agent: the controller restarted, the connection dropped or
        // acks were lost; send the Hello and everything unacknowledged again, in order.
        resendFrom(a, 0);
        a.hello_pending = true;
        live_.ack_timeouts.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (a.unsent || full) service(a);
  }
}

void SimWorker::run() {
  const int64_t interval_us = config_.interval_ms * 1000;
  size_t cursor = 0;
  int64_t round = 0;
  auto due = [&] { return t0_us_ + round * interval_us + agents_[cursor].phase_us; };
  bool draining = false;
  int64_t drain_deadline = 0;
  int64_t next_sweep = 0;
  int64_t next_full_sweep = 0;
  epoll_event events[256];
  for (;;) {
    int64_t now = monotonicUs();
    if (!draining && (now >= end_us_ || stop_.load(std::memory_order_relaxed))) {
      draining = true;
      drain_deadline = now + config_.drain_ms * 1000;
    }
    if (!draining) {
      const int64_t wall = wallMs();
      while (!agents_.empty() && due() <= now && due() < end_us_) {
        Agent& a = agents_[cursor];
        if (round >= a.start_round) {
          if (a.socket == nullptr) connect(a, now);
          collect(a, now, wall);
          service(a);
        }
        if (++cursor == agents_.size()) {
          cursor = 0;
          ++round;
        }
      }
    } else if (live_.pending_batches.load(std::memory_order_relaxed) == 0 || now >= drain_deadline) {
      break;
    }
    if (now >= next_sweep) {
      const bool full = now >= next_full_sweep;
      sweep(now, full);
      next_sweep = now + 100'000;
      if (full) next_full_sweep = now + 1'000'000;
    }
    int64_t wait_us = 10'000;
    if (!draining && !agents_.empty() && due() < end_us_) {
      wait_us = std::clamp<int64_t>(due() - monotonicUs(), 0, 10'000);
    }
    const int n = epoll_wait(epoll_fd_, events, 256, static_cast<int>((wait_us + 999) / 1000));
    for (int i = 0; i < n; ++i) service(*static_cast<Agent*>(events[i].data.ptr));
  }
  for (auto& a : agents_) {
    if (a.socket != nullptr && !a.welcomed) ++result_.agents_never_connected;
    if (!a.outbox.empty()) ++result_.agents_with_pending;
  }
}

}  // namespace tidemark::fleet_sim
