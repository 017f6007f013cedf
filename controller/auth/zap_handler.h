// The ZAP handler (ZeroMQ RFC 27) for the agent link. libzmq with CURVE but no ZAP
// handler accepts every client key and tells the application nothing about it;
// this handler refuses denied keys at the handshake and stamps every accepted
// connection with its client key as User-Id, so ingest can check, per message,
// which host that key may speak for (the allow-list can change at any time).
#pragma once

#include <atomic>
#include <thread>
#include <zmq.hpp>

#include "controller/auth/agent_registry.h"

namespace tidemark::controller {

class ZapHandler {
 public:
  // Binds inproc://zeromq.zap.01 in `context`; must exist before any CURVE server
  // socket of that context binds.
  ZapHandler(zmq::context_t& context, AgentRegistry& registry);
  ~ZapHandler();

 private:
  void run();

  AgentRegistry& registry_;
  zmq::socket_t socket_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace tidemark::controller
