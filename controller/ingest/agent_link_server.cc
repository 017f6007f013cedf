#include "controller/ingest/agent_link_server.h"

#include <spdlog/spdlog.h>

#include "common/errors/error.h"

namespace tidemark::controller {

AgentLinkServer::AgentLinkServer(zmq::context_t& context, LinkOptions options, SampleStore& store,
                                 BatchIngester& ingester, AgentPresence& presence,
                                 const Clock& clock, AgentRegistry* registry)
    : options_(std::move(options)),
      store_(store),
      ingester_(ingester),
      presence_(presence),
      clock_(clock),
      socket_(context, zmq::socket_type::router),
      log_(clock, 60'000),
      registry_(registry) {
  // Oversized frames are dropped by libzmq before they are buffered whole.
  socket_.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(options_.decode_limits.max_frame_bytes));
  socket_.set(zmq::sockopt::linger, 0);
  // Acks to an agent that went away are dropped, not queued without bound.
  socket_.set(zmq::sockopt::sndhwm, 10'000);
  socket_.set(zmq::sockopt::rcvhwm, 100'000);
  // libzmq's default listen backlog is 100: when a fleet (re)connects at once, the
  // kernel drops the connections beyond it and agents wait out SYN retransmits
  // (1, 2, 4, 8 ... s). The kernel caps this at net.core.somaxconn (4096 on Debian 12).
  socket_.set(zmq::sockopt::backlog, 4096);
  // No ZMQ heartbeats from this side: agents ping every 10 s (and libzmq answers
  // pings whatever this is set to), and libzmq 4.3 scans all of an I/O thread's
  // timers each time it re-arms a heartbeat timer, which at 10,000 agents took 28% of
  // the controller's CPU (bench/README.md, Soak). Dead agents are found by TCP
  // keepalive instead: idle 60 s, then 6 probes 10 s apart.
  socket_.set(zmq::sockopt::tcp_keepalive, 1);
  socket_.set(zmq::sockopt::tcp_keepalive_idle, 60);
  socket_.set(zmq::sockopt::tcp_keepalive_intvl, 10);
  socket_.set(zmq::sockopt::tcp_keepalive_cnt, 6);
  if (registry_ != nullptr) {
    socket_.set(zmq::sockopt::curve_server, true);
    socket_.set(zmq::sockopt::curve_secretkey, options_.curve_secret_key);
    // Any domain makes libzmq consult the ZAP handler for every connection.
    socket_.set(zmq::sockopt::zap_domain, "tidemark");
  }
  socket_.bind(options_.listen);
  bound_endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
}

std::string AgentLinkServer::peerAddress(const zmq::message_t& payload) {
  const char* address = zmq_msg_gets(payload.handle(), "Peer-Address");
  return address != nullptr ? address : "unknown";
}

bool AgentLinkServer::authorized(const zmq::message_t& payload, const std::string& host,
                                 std::string& reason) {
  if (registry_ == nullptr) return true;
  const char* key = zmq_msg_gets(payload.handle(), "User-Id");
  const std::string address = peerAddress(payload);
  if (key == nullptr || *key == '\0') {
    reason = "no client key on the connection";
    log_.warn("nokey", "dropped a message without a CURVE client key from " + address);
    return false;
  }
  switch (registry_->claim(key, host, address)) {
    case ClaimResult::kAccepted:
      return true;
    case ClaimResult::kPending:
      reason = "this agent's key is pending approval for host " + host +
               ": run 'tidemark agents accept " + host + "' on the controller";
      log_.warn(std::string("pending:") + key,
                fmt::format("agent key {} from {} asks to join as host {}: pending (tidemark "
                            "agents accept {})", key, address, host, host));
      return false;
    case ClaimResult::kConflict:
      reason = "host " + host + " is enrolled with another key; this agent is refused";
      log_.warn(std::string("conflict:") + key,
                fmt::format("refused a second agent for host {}: key {} from {} is not the "
                            "enrolled key (recorded as denied)", host, key, address));
      return false;
    case ClaimResult::kDenied:
      reason = "this agent's key is denied for host " + host;
      log_.warn(std::string("denied:") + key,
                fmt::format("refused denied key {} from {} for host {}", key, address, host));
      return false;
    case ClaimResult::kRejected:
      reason = "too many pending agents, or an unusable host id";
      log_.warn("rejected-claim", fmt::format("refused key {} from {} claiming host {}: pending "
                                              "list full or bad host id", key, address, host));
      return false;
  }
  return false;
}

void AgentLinkServer::handle(zmq::message_t& peer, const zmq::message_t& payload,
                             WriteSet& writes, std::vector<Reply>& replies) {
  const int64_t now_ms = clock_.wallMs();
  wire::AgentMessageData message;
  try {
    message = wire::decodeAgentMessage(payload.data(), payload.size(), options_.decode_limits);
  } catch (const WireError& e) {
    const std::string address = peerAddress(payload);
    log_.warn("wire:" + address,
              "dropped a malformed agent message from " + address + ": " + e.what());
    return;
  }
  if (auto* hello = std::get_if<wire::HelloData>(&message)) {
    if (auto problem = checkHostId(hello->host_id); !problem.empty()) {
      log_.warn("hello:" + problem, "refused a hello: " + problem);
      return;
    }
    if (std::string reason; !authorized(payload, hello->host_id, reason)) {
      replies.push_back({std::move(peer), wire::AckData{0, wire::AckStatus::kUnauthorized, 0, reason}});
      return;
    }
    presence_.seen(hello->host_id, clock_.monotonicMs(), hello->interval_ms);
    route(hello->host_id, peer);
    if (tuning_.on_hello) tuning_.on_hello(hello->host_id);
    spdlog::info("agent hello: host={} version={} epoch={:016x} interval_ms={}", hello->host_id,
                 hello->agent_version, hello->epoch, hello->interval_ms);
    replies.push_back({std::move(peer), ingester_.hello(writes, *hello, now_ms)});
    return;
  }
  const auto* batch_message = std::get_if<wire::MetricBatchData>(&message);
  if (batch_message == nullptr) {
    const std::string& host = wire::hostOf(message);
    if (auto problem = checkHostId(host); !problem.empty()) {
      log_.warn("tuning:" + problem, "dropped a tuning message: " + problem);
      return;
    }
    if (std::string reason; !authorized(payload, host, reason)) return;  // logged there
    route(host, peer);
    handleTuning(host, message);
    return;
  }
  const auto& batch = *batch_message;
  if (std::string reason; !authorized(payload, batch.host_id, reason)) {
    replies.push_back(
        {std::move(peer), wire::AckData{batch.sequence, wire::AckStatus::kUnauthorized, 0, reason}});
    return;
  }
  route(batch.host_id, peer);
  wire::AckData ack = ingester_.ingest(writes, batch, now_ms);
  if (ack.status == wire::AckStatus::kRejected || ack.status == wire::AckStatus::kResync ||
      ack.status == wire::AckStatus::kGap) {
    log_.warn(std::string(wire::ackStatusName(ack.status)) + ":" + batch.host_id,
              fmt::format("{} batch {} from host {}: {}", wire::ackStatusName(ack.status),
                          batch.sequence, batch.host_id,
                          ack.status == wire::AckStatus::kGap
                              ? "expected sequence " + std::to_string(ack.expected_sequence)
                              : ack.reason));
  }
  if (checkHostId(batch.host_id).empty()) {
    auto state = store_.hostForWrite(writes, batch.host_id);
    presence_.seen(batch.host_id, clock_.monotonicMs(), state.interval_ms);
  }
  replies.push_back({std::move(peer), std::move(ack)});
}

void AgentLinkServer::route(const std::string& host, const zmq::message_t& peer) {
  // Same-size identities reuse the string's buffer: no allocation per message.
  routes_[host].assign(peer.data<char>(), peer.size());
}

void AgentLinkServer::handleTuning(const std::string& host, const wire::AgentMessageData& message) {
  presence_.seen(host, clock_.monotonicMs(), 0);
  if (const auto* result = std::get_if<wire::TuningResultData>(&message)) {
    if (tuning_.on_result) tuning_.on_result(*result);
  } else if (const auto* report = std::get_if<wire::KnobReportData>(&message)) {
    if (tuning_.on_knob_report) tuning_.on_knob_report(*report);
  }
}

bool AgentLinkServer::sendCommand(const std::string& host, const wire::TuningCommandData& command) {
  const auto found = routes_.find(host);
  if (found == routes_.end()) return false;
  zmq::message_t peer(found->second.data(), found->second.size());
  zmq::message_t frame = wire::encodeControllerMessage(command);
  // ROUTER drops messages to an identity it no longer knows (ROUTER_MANDATORY is
  // off); the command is sent again after that host's next Hello.
  return socket_.send(peer, zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
         socket_.send(frame, zmq::send_flags::dontwait);
}

size_t AgentLinkServer::pollOnce(int timeout_ms) {
  zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms));
  if (registry_ != nullptr && clock_.monotonicMs() - registry_checked_ms_ >= 1000) {
    // Keys dropped into the pki dir by hand (or Ansible) take effect within a second.
    registry_->refreshIfChanged();
    registry_checked_ms_ = clock_.monotonicMs();
  }
  if ((item.revents & ZMQ_POLLIN) == 0) return 0;

  WriteSet writes = store_.beginWrite();
  std::vector<Reply> replies;
  size_t handled = 0;
  while (handled < options_.max_messages_per_commit) {
    zmq::message_t peer;
    if (!socket_.recv(peer, zmq::recv_flags::dontwait)) break;
    zmq::message_t payload;
    bool have_payload = peer.more() && socket_.recv(payload, zmq::recv_flags::none);
    bool extra_frames = have_payload && payload.more();
    while (socket_.get(zmq::sockopt::rcvmore)) {
      zmq::message_t discard;
      (void)socket_.recv(discard, zmq::recv_flags::none);
    }
    ++handled;
    if (!have_payload || extra_frames) {
      log_.warn("frames", "dropped an agent message that was not exactly one frame");
      continue;
    }
    handle(peer, payload, writes, replies);
  }

  if (std::string error = store_.commit(writes); !error.empty()) {
    // Nothing was stored, so nothing is acked: agents keep their batches and resend.
    spdlog::error("store write failed, {} agent messages not acknowledged: {}", handled, error);
    return handled;
  }
  for (auto& reply : replies) {
    zmq::message_t frame = wire::encodeControllerMessage(reply.message);
    if (!socket_.send(reply.peer, zmq::send_flags::sndmore | zmq::send_flags::dontwait) ||
        !socket_.send(frame, zmq::send_flags::dontwait)) {
      spdlog::debug("reply to a departed agent dropped");
    }
  }
  return handled;
}

}  // namespace tidemark::controller
