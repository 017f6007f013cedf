#include "common/transport/admin_client.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <zmq.hpp>

#include "common/transport/endpoint.h"

namespace tidemark {

struct AdminClient::Impl {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::req};
  std::string path;
};

namespace {

// ZeroMQ retries a refused ipc connect silently; probe once with a plain socket so
// an unreachable controller is a clear error at once, not a timeout.
void probeUnixSocket(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw std::runtime_error("cannot reach the controller: no admin socket at " + path +
                             " (is tidemark-controller running? pick one with --socket or "
                             "TIDEMARK_SOCKET)");
  }
  if (!S_ISSOCK(st.st_mode)) throw std::runtime_error(path + " is not a Unix socket");
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket(AF_UNIX): ") + std::strerror(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof(address.sun_path)) {
    ::close(fd);
    throw std::runtime_error("admin socket path is too long for a Unix socket: " + path);
  }
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  int error = errno;
  ::close(fd);
  if (rc != 0) {
    throw std::runtime_error("cannot reach the controller at " + path + ": " +
                             std::strerror(error) +
                             (error == ECONNREFUSED ? " (stale socket: the controller is not running)"
                                                    : ""));
  }
}

}  // namespace

AdminClient::AdminClient(const std::string& socket_path, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  probeUnixSocket(socket_path);
  impl_->path = socket_path;
  impl_->socket.set(zmq::sockopt::linger, 0);
  impl_->socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
  impl_->socket.set(zmq::sockopt::sndtimeo, static_cast<int>(timeout.count()));
  impl_->socket.connect(ipcEndpoint(socket_path));
}

AdminClient::~AdminClient() = default;

void AdminClient::call(const std::function<void(schema::AdminRequest::Builder)>& fill,
                       const std::function<void(schema::AdminResponse::Reader)>& read) {
  capnp::MallocMessageBuilder builder;
  fill(builder.initRoot<schema::AdminRequest>());
  call(builder, read);
}

void AdminClient::call(capnp::MessageBuilder& built,
                       const std::function<void(schema::AdminResponse::Reader)>& read) {
  zmq::message_t request = wire::toFrame(built);
  if (!impl_->socket.send(request, zmq::send_flags::none)) {
    throw std::runtime_error("the controller at " + impl_->path + " did not take the request in time");
  }
  zmq::message_t reply;
  if (!impl_->socket.recv(reply, zmq::recv_flags::none)) {
    throw std::runtime_error("the controller at " + impl_->path + " did not answer in time");
  }
  // Replies to the CLI can be large (a long query), so allow more than agent traffic.
  wire::DecodeLimits limits;
  limits.max_frame_bytes = 1u << 30;
  limits.traversal_limit_words = 1u << 27;
  wire::FrameReader frame(reply.data(), reply.size(), limits);
  auto response = frame.root<schema::AdminResponse>();
  if (response.isError()) throw std::runtime_error(std::string(response.getError().cStr()));
  read(response);
}

}  // namespace tidemark
