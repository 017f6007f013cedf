#include "controller/admin/admin_server.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <capnp/message.h>

#include <zmq_addon.hpp>

#include <filesystem>
#include <iterator>

#include "common/errors/error.h"
#include "controller/admin/admin_peer.h"
#include "common/transport/endpoint.h"
#include "common/wire/frame.h"

namespace tidemark::controller {

AdminServer::AdminServer(zmq::context_t& context, std::string socket_path, AdminHandler handler)
    : socket_path_(std::move(socket_path)),
      handler_(std::move(handler)),
      socket_(context, zmq::socket_type::router) {
  if (socket_path_.size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw ConfigError("--admin-socket: \"" + socket_path_ + "\" is longer than " +
                      std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                      " bytes, too long for a Unix socket");
  }
  std::error_code error;
  auto parent = std::filesystem::path(socket_path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, error);
  // A socket file left by a killed controller would make bind fail.
  struct stat st {};
  if (::lstat(socket_path_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(socket_path_.c_str());
  socket_.set(zmq::sockopt::linger, 0);
  socket_.bind(ipcEndpoint(socket_path_));
  ::chmod(socket_path_.c_str(), 0660);
  thread_ = std::thread([this] { run(); });
}

AdminServer::~AdminServer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  socket_.close();
  ::unlink(socket_path_.c_str());
}

void AdminServer::run() {
  // Replies to the CLI are ours to size. Requests are small except imports: the CLI
  // sends at most 64 Ki samples per request (16 bytes each plus series names, about
  // 1.2 MiB); 32 MiB leaves room for a series-heavy piece and bounds a hostile one.
  wire::DecodeLimits limits;
  limits.max_frame_bytes = 32u << 20;
  limits.traversal_limit_words = 8u << 20;
  while (!stopping_) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(200));
    if ((item.revents & ZMQ_POLLIN) == 0) continue;
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(socket_, std::back_inserter(frames));
    // REQ clients send [identity][empty delimiter][request].
    if (frames.size() != 3 || frames[1].size() != 0) {
      spdlog::warn("admin: dropped a request of {} frames (expected a REQ client)", frames.size());
      continue;
    }
    capnp::MallocMessageBuilder reply;
    auto response = reply.initRoot<schema::AdminResponse>();
    try {
      wire::FrameReader request(frames[2].data(), frames[2].size(), limits);
      // Who asked: the tuning verbs record it in their audit log.
      const char* address = zmq_msg_gets(frames[2].handle(), "Peer-Address");
      const AdminPeer peer = adminPeerFromAddress(address != nullptr ? address : "");
      handler_.handle(request.root<schema::AdminRequest>(), response, peer);
    } catch (const std::exception& e) {
      response.setError(std::string("bad admin request: ") + e.what());
    }
    zmq::message_t out = wire::toFrame(reply);
    socket_.send(frames[0], zmq::send_flags::sndmore);
    socket_.send(zmq::message_t(), zmq::send_flags::sndmore);
    socket_.send(out, zmq::send_flags::none);
  }
}

}  // namespace tidemark::controller
