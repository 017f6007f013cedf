#include "controller/auth/zap_handler.h"

#include <spdlog/spdlog.h>
#include <zmq.h>

#include <zmq_addon.hpp>

#include <iterator>
#include <vector>

namespace tidemark::controller {

ZapHandler::ZapHandler(zmq::context_t& context, AgentRegistry& registry)
    : registry_(registry), socket_(context, zmq::socket_type::rep) {
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind("inproc://zeromq.zap.01");
  thread_ = std::thread([this] { run(); });
}

ZapHandler::~ZapHandler() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ZapHandler::run() {
  while (!stopping_) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(200));
    if ((item.revents & ZMQ_POLLIN) == 0) continue;
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(socket_, std::back_inserter(frames));
    // version, request id, domain, address, identity, mechanism, credentials...
    std::string request_id = frames.size() > 1 ? frames[1].to_string() : "";
    std::string status = "400";
    std::string text = "malformed ZAP request";
    std::string user_id;
    if (frames.size() >= 7 && frames[0].to_string_view() == "1.0") {
      const std::string address = frames[3].to_string();
      const auto mechanism = frames[5].to_string_view();
      if (mechanism != "CURVE" || frames[6].size() != 32) {
        text = "CURVE required";
      } else {
        char key[41] = {};
        zmq_z85_encode(key, static_cast<const uint8_t*>(frames[6].data()), 32);
        registry_.refreshIfChanged();
        if (registry_.isDenied(key)) {
          text = "key denied";
          spdlog::warn("refused a denied agent key {} from {}", key, address);
        } else {
          // Unknown keys get through the handshake so that their Hello can be
          // recorded as pending; ingest stores nothing from them.
          status = "200";
          text = "OK";
          user_id = key;
        }
      }
    }
    socket_.send(zmq::buffer(std::string_view("1.0")), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(request_id), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(status), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(text), zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(user_id), zmq::send_flags::sndmore);
    socket_.send(zmq::message_t(), zmq::send_flags::none);
  }
}

}  // namespace tidemark::controller
