// The agent's end of the agent link: one DEALER socket to the controller. Sends
// never block: with no connection up, a send fails and the batch stays in the
// outbox (ZMQ_IMMEDIATE), instead of piling up inside libzmq where it could be
// neither bounded nor counted.
#pragma once

#include <optional>
#include <string>
#include <zmq.hpp>

#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

struct LinkOptions {
  // "tcp://HOST:PORT" of the controller. Required.
  std::string controller;
  // First reconnect delay; libzmq doubles it up to the maximum. Default: 1 s.
  int reconnect_ms = 1'000;
  // Longest reconnect delay. Default: 30 s.
  int reconnect_max_ms = 30'000;
  // Heartbeat interval and timeout that declare a silent controller dead.
  int heartbeat_ms = 10'000;
  int heartbeat_timeout_ms = 30'000;
  // CurveZMQ: this agent's key pair and the controller's pinned public key (Z85).
  // All empty: plain TCP (--insecure).
  std::string curve_public_key;
  std::string curve_secret_key;
  std::string controller_public_key;
};

class ControllerLink {
 public:
  ControllerLink(zmq::context_t& context, const LinkOptions& options);

  // False when the message could not be queued now (no connection, or full).
  bool send(const wire::AgentMessageData& message);

  // Waits up to `timeout_ms` for a message from the controller. Throws WireError
  // for a malformed one.
  std::optional<wire::ControllerMessageData> receive(int timeout_ms);

 private:
  zmq::socket_t socket_;
};

}  // namespace tidemark::agent
