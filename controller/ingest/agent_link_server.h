// The controller's end of the agent link: a ROUTER socket that drains whatever
// arrived, applies it in one group commit, and only then sends the acks, so an ack
// always means "durable". One misbehaving agent costs one log line and its own
// messages; the loop never blocks on a peer.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <zmq.hpp>

#include "common/logging/throttled_log.h"
#include "controller/auth/agent_registry.h"
#include "common/time/clock.h"
#include "common/wire/frame.h"
#include "controller/ingest/agent_presence.h"
#include "controller/ingest/batch_ingester.h"

namespace tidemark::controller {

struct LinkOptions {
  // Endpoint to bind, "tcp://HOST:PORT" ("*" as PORT picks a free one). Required.
  std::string listen;
  // Most messages applied in one group commit. Default: 512.
  size_t max_messages_per_commit = 512;
  // Limits applied to every agent frame before it is decoded.
  wire::DecodeLimits decode_limits;
  // The controller's CURVE secret key (Z85); required with a registry.
  std::string curve_secret_key;
};

// Where tuning messages from agents go (the controller's TuningService); unset
// hooks drop them.
struct TuningHooks {
  std::function<void(const wire::TuningResultData&)> on_result;
  std::function<void(const wire::KnobReportData&)> on_knob_report;
  // After an authorized Hello: the host's agent is (back) on the line.
  std::function<void(const std::string& host)> on_hello;
};

class AgentLinkServer {
 public:
  // Binds the socket; throws zmq::error_t naming the endpoint when it cannot.
  // With a registry, the socket is a CURVE server with `curve_secret_key` and every
  // message must come from a key accepted for the host it names; without one
  // (--insecure) it is plain TCP.
  AgentLinkServer(zmq::context_t& context, LinkOptions options, SampleStore& store,
                  BatchIngester& ingester, AgentPresence& presence, const Clock& clock,
                  AgentRegistry* registry = nullptr);

  // The endpoint actually bound (with the real port when "*" was asked for).
  const std::string& boundEndpoint() const { return bound_endpoint_; }

  // Waits up to `timeout_ms` for messages, applies everything that arrived in one
  // commit and sends the replies. Returns the number of agent messages handled.
  size_t pollOnce(int timeout_ms);

  void setTuningHooks(TuningHooks hooks) { tuning_ = std::move(hooks); }

  // Sends a tuning command to the agent of `host` on the connection its last
  // authorized message came from. False when no agent of that host has spoken since
  // this controller started, or the send would block. Ingest thread only.
  bool sendCommand(const std::string& host, const wire::TuningCommandData& command);

 private:
  struct Reply {
    zmq::message_t peer;
    wire::ControllerMessageData message;
  };
  // Decodes one message and adds its effect to `writes`; appends the reply (if any).
  void handle(zmq::message_t& peer, const zmq::message_t& payload, WriteSet& writes,
              std::vector<Reply>& replies);
  // With a registry: whether the message's key may speak for `host`. When not,
  // logs (throttled) and explains why in `reason`.
  bool authorized(const zmq::message_t& payload, const std::string& host, std::string& reason);
  // The peer's IP address from the connection's metadata ("unknown" when absent).
  static std::string peerAddress(const zmq::message_t& payload);
  // Remembers the ROUTER identity `peer` speaks for `host` on.
  void route(const std::string& host, const zmq::message_t& peer);
  void handleTuning(const std::string& host, const wire::AgentMessageData& message);

  LinkOptions options_;
  SampleStore& store_;
  BatchIngester& ingester_;
  AgentPresence& presence_;
  const Clock& clock_;
  zmq::socket_t socket_;
  std::string bound_endpoint_;
  ThrottledLog log_;
  AgentRegistry* registry_;
  int64_t registry_checked_ms_ = 0;
  TuningHooks tuning_;
  std::unordered_map<std::string, std::string> routes_;  // host -> ROUTER identity
};

}  // namespace tidemark::controller
