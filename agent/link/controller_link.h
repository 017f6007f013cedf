// The agent's end of the agent link: one DEALER socket to the controller. Sends
// never block: with no connection up, a send fails and the batch stays in the
// outbox (ZMQ_IMMEDIATE), instead of piling up inside libzmq where it could be
// neither bounded nor counted.
//
// Reconnecting is done here, not by libzmq (whose interval has no jitter: a
// thousand agents would come back in the same second after a controller restart).
// A socket monitor reports the connection's fate; when it drops, fails to connect
// or fails its handshake, the socket is closed and a new one is connected after a
// full-jitter exponential backoff (backoff.h), which restarts from the base after
// each successful handshake.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <zmq.hpp>

#include "agent/link/backoff.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

struct LinkOptions {
  // "tcp://HOST:PORT" of the controller. Required.
  std::string controller;
  // Reconnect backoff: the first retry waits up to reconnect_ms, each further one
  // up to twice as long, at most reconnect_max_ms. Default: 1 s and 60 s.
  int reconnect_ms = 1'000;
  int reconnect_max_ms = 60'000;
  // Heartbeat interval and timeout that declare a silent controller dead.
  int heartbeat_ms = 10'000;
  int heartbeat_timeout_ms = 30'000;
  // A TCP connect that takes longer (a host that drops SYNs) fails and is retried
  // with backoff, instead of waiting for the kernel's two minutes. Default: 10 s.
  int connect_timeout_ms = 10'000;
  // CurveZMQ: this agent's key pair and the controller's pinned public key (Z85).
  // All empty: plain TCP (--insecure).
  std::string curve_public_key;
  std::string curve_secret_key;
  std::string controller_public_key;
};

class ControllerLink {
 public:
  // Connects at once; `random` feeds the backoff's jitter (null: seeded from the OS).
  ControllerLink(zmq::context_t& context, const LinkOptions& options, Backoff::Random random = {});
  ~ControllerLink();
  ControllerLink(const ControllerLink&) = delete;
  ControllerLink& operator=(const ControllerLink&) = delete;

  // False when the message could not be queued now (no connection, or full).
  bool send(const wire::AgentMessageData& message, const wire::EncodeOptions& options = {});

  // Waits up to `timeout_ms` for a message from the controller, or until `wake_fd`
  // (when >= 0) turns readable. Throws WireError for a malformed message.
  std::optional<wire::ControllerMessageData> receive(int timeout_ms, int wake_fd = -1);

  // Handshakes completed so far: grows by one with every new connection, which is
  // the agent's cue to send its Hello and everything unacknowledged again.
  uint64_t connections() const { return connections_; }
  // True from a completed handshake until the connection is lost.
  bool connected() const { return connected_; }
  // Sockets connected so far, the first one included.
  uint64_t sockets() const { return sockets_; }
  // Failed attempts since the last successful handshake.
  int failedAttempts() const { return backoff_.attempt(); }

 private:
  using Steady = std::chrono::steady_clock;

  void open();
  void closeSocket();
  // Reads the monitor's events; opens a new socket once the backoff delay is over.
  void service();
  void handleEvent(uint16_t event, uint32_t value);
  void connectionLost(const char* what);

  zmq::context_t& context_;
  LinkOptions options_;
  Backoff backoff_;
  std::optional<zmq::socket_t> socket_;
  std::optional<zmq::socket_t> monitor_;
  int socket_fd_ = -1;         // ZMQ_FD of socket_: readable when commands wait in its mailbox
  int monitor_fd_ = -1;        // ZMQ_FD of monitor_
  bool monitor_read_ = false;  // monitor_ read to the end at least once
  Steady::time_point reconnect_at_{};
  bool connected_ = false;
  bool ever_connected_ = false;
  bool loss_logged_ = false;
  // Handshake problems are logged once each until the next successful handshake.
  bool key_warned_ = false;
  bool auth_warned_ = false;
  bool protocol_warned_ = false;
  uint64_t connections_ = 0;
  uint64_t sockets_ = 0;
};

}  // namespace tidemark::agent
