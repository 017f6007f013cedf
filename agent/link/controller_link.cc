#include "agent/link/controller_link.h"

namespace tidemark::agent {

ControllerLink::ControllerLink(zmq::context_t& context, const LinkOptions& options)
    : socket_(context, zmq::socket_type::dealer) {
  socket_.set(zmq::sockopt::immediate, 1);
  socket_.set(zmq::sockopt::linger, 0);
  socket_.set(zmq::sockopt::sndhwm, 1000);
  socket_.set(zmq::sockopt::reconnect_ivl, options.reconnect_ms);
  socket_.set(zmq::sockopt::reconnect_ivl_max, options.reconnect_max_ms);
  socket_.set(zmq::sockopt::heartbeat_ivl, options.heartbeat_ms);
  socket_.set(zmq::sockopt::heartbeat_timeout, options.heartbeat_timeout_ms);
  if (!options.controller_public_key.empty()) {
    // Pinning: the handshake fails against any server without this key.
    socket_.set(zmq::sockopt::curve_serverkey, options.controller_public_key);
    socket_.set(zmq::sockopt::curve_publickey, options.curve_public_key);
    socket_.set(zmq::sockopt::curve_secretkey, options.curve_secret_key);
  }
  socket_.connect(options.controller);
}

bool ControllerLink::send(const wire::AgentMessageData& message) {
  zmq::message_t frame = wire::encodeAgentMessage(message);
  return socket_.send(frame, zmq::send_flags::dontwait).has_value();
}

std::optional<wire::ControllerMessageData> ControllerLink::receive(int timeout_ms) {
  zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms));
  if ((item.revents & ZMQ_POLLIN) == 0) return std::nullopt;
  zmq::message_t frame;
  if (!socket_.recv(frame, zmq::recv_flags::dontwait)) return std::nullopt;
  return wire::decodeControllerMessage(frame.data(), frame.size());
}

}  // namespace tidemark::agent
