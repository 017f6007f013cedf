// An in-process stand-in for tidemark-controller's agent link: a real ZeroMQ
// ROUTER socket on a loopback port that decodes what agents send and replies with
// encoded controller messages. Also a loopback port that refuses connections.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/wire/agent_link_codec.h"

namespace tidemark::testing {

class FakeController {
 public:
  // Binds `endpoint` (a free loopback port by default). With `curve_secret_key`
  // (Z85) it is a CurveZMQ server holding that key.
  explicit FakeController(zmq::context_t& context, const std::string& endpoint = "tcp://127.0.0.1:*",
                          const std::string& curve_secret_key = {})
      : socket_(context, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    if (!curve_secret_key.empty()) {
      socket_.set(zmq::sockopt::curve_server, 1);
      socket_.set(zmq::sockopt::curve_secretkey, curve_secret_key);
    }
    socket_.bind(endpoint);
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
  }

  // A new controller on the endpoint of one just destroyed: libzmq closes the old
  // listening socket asynchronously, so binding is retried for a while.
  static std::unique_ptr<FakeController> bindAgain(zmq::context_t& context,
                                                   const std::string& endpoint,
                                                   const std::string& curve_secret_key = {}) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    for (;;) {
      try {
        return std::make_unique<FakeController>(context, endpoint, curve_secret_key);
      } catch (const zmq::error_t&) {
        if (std::chrono::steady_clock::now() >= deadline) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }

  // "tcp://127.0.0.1:PORT", for the agent to connect to.
  const std::string& endpoint() const { return endpoint_; }

  // Waits up to `timeout_ms` for a message, then takes whatever else is queued.
  // Appends to `received`; returns how many arrived.
  size_t receiveAll(int timeout_ms) {
    size_t count = 0;
    while (receiveOne(count == 0 ? timeout_ms : 0)) ++count;
    return count;
  }

  // Replies to the agent that sent the last message.
  void reply(const wire::ControllerMessageData& message) {
    zmq::message_t frame = wire::encodeControllerMessage(message);
    sendToPeer(frame);
  }

  void replyRaw(const std::string& bytes) {
    zmq::message_t frame(bytes.data(), bytes.size());
    sendToPeer(frame);
  }

  bool hasPeer() const { return !peer_.empty(); }

  std::vector<wire::AgentMessageData> received;

 private:
  bool receiveOne(int timeout_ms) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(timeout_ms));
    if ((item.revents & ZMQ_POLLIN) == 0) return false;
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(socket_, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
      return false;
    }
    if (parts.size() != 2) throw std::runtime_error("expected identity and one frame");
    peer_ = parts[0].to_string();
    received.push_back(wire::decodeAgentMessage(parts[1].data(), parts[1].size(), {}));
    return true;
  }

  void sendToPeer(zmq::message_t& frame) {
    if (peer_.empty()) throw std::logic_error("FakeController: no agent has written yet");
    zmq::message_t identity(peer_.data(), peer_.size());
    socket_.send(identity, zmq::send_flags::sndmore);
    socket_.send(frame, zmq::send_flags::none);
  }

  zmq::socket_t socket_;
  std::string endpoint_;
  std::string peer_;
};

// A loopback TCP port bound but not listening: connections to it are refused, and
// nobody else can take the port while the object lives.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ::close(fd_);
      throw std::runtime_error("bind failed");
    }
    endpoint_ = "tcp://127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  const std::string& endpoint() const { return endpoint_; }

 private:
  int fd_ = -1;
  std::string endpoint_;
};

}  // namespace tidemark::testing
