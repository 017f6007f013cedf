#include "agent/link/controller_link.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

namespace tidemark::agent {

namespace {

constexpr int kMonitoredEvents = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_RETRIED |
                                 ZMQ_EVENT_CLOSED | ZMQ_EVENT_DISCONNECTED |
                                 ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;

std::string nextMonitorEndpoint() {
  static std::atomic<uint64_t> counter{0};
  return "inproc://tidemark-link-monitor-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

}  // namespace

ControllerLink::ControllerLink(zmq::context_t& context, const LinkOptions& options,
                               Backoff::Random random)
    : context_(context),
      options_(options),
      backoff_(BackoffOptions{options.reconnect_ms, options.reconnect_max_ms}, std::move(random)) {
  open();
}

ControllerLink::~ControllerLink() { closeSocket(); }

void ControllerLink::open() {
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  // Queue only on a live connection: with none, send() fails at once and the
  // batch waits in the outbox, which is bounded, counted and on disk.
  socket.set(zmq::sockopt::immediate, 1);
  // Never wait at close: whatever libzmq still holds is in the outbox too and is
  // sent again on the next connection.
  socket.set(zmq::sockopt::linger, 0);
  // About 1000 batches in flight: a backlog replay after an outage goes out as fast
  // as the controller reads it, and the rest waits in the outbox, not in libzmq.
  socket.set(zmq::sockopt::sndhwm, 1000);
  // -1: libzmq never reconnects by itself. Reconnects are ours, with jitter.
  socket.set(zmq::sockopt::reconnect_ivl, -1);
  socket.set(zmq::sockopt::connect_timeout, options_.connect_timeout_ms);
  // A controller that vanished without a FIN (power cut, partition) is noticed
  // after the heartbeat timeout rather than never; the interval keeps NAT and
  // firewall state alive on an idle link.
  socket.set(zmq::sockopt::heartbeat_ivl, options_.heartbeat_ms);
  socket.set(zmq::sockopt::heartbeat_timeout, options_.heartbeat_timeout_ms);
  if (!options_.controller_public_key.empty()) {
    // Pinning, on every new socket: the handshake fails against any server without this key.
    socket.set(zmq::sockopt::curve_serverkey, options_.controller_public_key);
    socket.set(zmq::sockopt::curve_publickey, options_.curve_public_key);
    socket.set(zmq::sockopt::curve_secretkey, options_.curve_secret_key);
  }
  const std::string endpoint = nextMonitorEndpoint();
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), kMonitoredEvents) != 0) {
    throw zmq::error_t();
  }
  zmq::socket_t monitor(context_, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  monitor.connect(endpoint);
  socket.connect(options_.controller);
  socket_fd_ = socket.get(zmq::sockopt::fd);
  monitor_fd_ = monitor.get(zmq::sockopt::fd);
  socket_ = std::move(socket);
  monitor_ = std::move(monitor);
  monitor_read_ = false;
  ++sockets_;
}

void ControllerLink::closeSocket() {
  if (socket_) zmq_socket_monitor(socket_->handle(), nullptr, 0);
  monitor_.reset();
  socket_.reset();
  connected_ = false;
}

void ControllerLink::connectionLost(const char* what) {
  if (!socket_) return;  // already waiting to reconnect
  const bool was_connected = connected_;
  closeSocket();
  const int64_t delay_ms = backoff_.next();
  reconnect_at_ = Steady::now() + std::chrono::milliseconds(delay_ms);
  if (was_connected && !loss_logged_) {
    spdlog::info("lost the connection to the controller at {} ({}); reconnecting in {} ms",
                 options_.controller, what, delay_ms);
    loss_logged_ = true;
  } else {
    spdlog::debug("controller at {}: {}; retry {} in {} ms", options_.controller, what,
                  backoff_.attempt(), delay_ms);
  }
}

void ControllerLink::handleEvent(uint16_t event, uint32_t value) {
  switch (event) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
      connected_ = true;
      ++connections_;
      if (ever_connected_ && loss_logged_) {
        spdlog::info("connected to the controller at {} again", options_.controller);
      }
      ever_connected_ = true;
      loss_logged_ = key_warned_ = auth_warned_ = protocol_warned_ = false;
      backoff_.reset();
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
      // With CURVE, the client learns nothing more than a dropped connection when
      // the server could not decrypt its HELLO: the server holds another key.
      if (!options_.controller_public_key.empty()) {
        if (!key_warned_) {
          spdlog::warn("controller at {} did not prove the pinned key {} (--controller-pub): the "
                       "CURVE handshake failed, so it holds another key (or it closed the "
                       "connection mid-handshake); nothing is sent, retrying with backoff",
                       options_.controller, options_.controller_public_key);
          key_warned_ = true;
        }
      } else if (!protocol_warned_) {
        spdlog::warn("handshake with the controller at {} failed: {}; retrying with backoff",
                     options_.controller, std::strerror(static_cast<int>(value)));
        protocol_warned_ = true;
      }
      connectionLost("handshake failed");
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
      if (!protocol_warned_) {
        spdlog::warn("handshake with the controller at {} failed: ZMTP protocol error {:#x} "
                     "(is one side --insecure and the other not?); retrying with backoff",
                     options_.controller, value);
        protocol_warned_ = true;
      }
      connectionLost("handshake failed");
      break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
      if (!auth_warned_) {
        spdlog::warn("controller at {} refused this agent's key at the handshake (status {}): "
                     "the key is denied or revoked there; retrying with backoff",
                     options_.controller, value);
        auth_warned_ = true;
      }
      connectionLost("key refused");
      break;
    case ZMQ_EVENT_DISCONNECTED:
      connectionLost("disconnected");
      break;
    case ZMQ_EVENT_CLOSED:  // a connect attempt failed (refused, timed out)
    case ZMQ_EVENT_CONNECT_RETRIED:
      connectionLost("cannot connect");
      break;
    default:
      break;
  }
}

void ControllerLink::service() {
  while (monitor_) {
    zmq::message_t header;
    if (!monitor_->recv(header, zmq::recv_flags::dontwait)) break;
    std::string endpoint;
    if (header.more()) {
      zmq::message_t address;
      (void)monitor_->recv(address, zmq::recv_flags::none);
      endpoint = address.to_string();
    }
    if (header.size() < 6) continue;
    uint16_t event = 0;
    uint32_t value = 0;
    std::memcpy(&event, header.data(), 2);
    std::memcpy(&value, static_cast<const char*>(header.data()) + 2, 4);
    handleEvent(event, value);  // may close the socket and monitor
  }
  if (monitor_) monitor_read_ = true;
  if (!socket_ && Steady::now() >= reconnect_at_) open();
}

bool ControllerLink::send(const wire::AgentMessageData& message,
                          const wire::EncodeOptions& options) {
  service();
  if (!socket_) return false;
  zmq::message_t frame = wire::encodeAgentMessage(message, options);
  return socket_->send(frame, zmq::send_flags::dontwait).has_value();
}

std::optional<wire::ControllerMessageData> ControllerLink::receive(int timeout_ms, int wake_fd) {
  const auto deadline = Steady::now() + std::chrono::milliseconds(std::max(timeout_ms, 0));
  // The monitor is read when the poll says it has an event, not on every call: each
  // look into a ZeroMQ socket costs a syscall or two.
  bool monitor_ready = !socket_ || !monitor_read_;
  for (;;) {
    if (monitor_ready) {
      service();
      monitor_ready = false;
    }
    if (socket_) {
      zmq::message_t frame;
      if (socket_->recv(frame, zmq::recv_flags::dontwait)) {
        return wire::decodeControllerMessage(frame.data(), frame.size());
      }
    }
    const auto now = Steady::now();
    if (now >= deadline) return std::nullopt;
    auto wait = deadline - now;
    if (!socket_) {
      // Nothing to poll while waiting to reconnect: sleep until then, the deadline
      // or a wake-up.
      const auto until = std::min<Steady::duration>(wait, reconnect_at_ - now);
      struct pollfd wake {wake_fd, POLLIN, 0};
      const int ready = ::poll(&wake, wake_fd >= 0 ? 1 : 0,
                               static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(
                                                    std::max<Steady::duration>(until, {}))
                                                    .count()));
      if (ready > 0) return std::nullopt;
      monitor_ready = true;  // time to reconnect, maybe
      continue;
    }
    // The sockets' ZMQ_FDs are polled directly, not through zmq_poll, which would look
    // into each socket twice more (a poll and a getpid each). A ZMQ_FD only signals
    // commands that arrived after the socket's last look at its mailbox (and a pipe
    // never read from sends none): the recv above was the socket's last look, and the
    // monitor is read to the end once at the start and whenever its fd is readable.
    struct pollfd fds[] = {{socket_fd_, POLLIN, 0}, {monitor_fd_, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int ready =
        ::poll(fds, wake_fd >= 0 ? 3 : 2,
               static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
    if (ready < 0 && errno != EINTR) throw zmq::error_t();
    monitor_ready = (fds[1].revents & POLLIN) != 0;
    if (wake_fd >= 0 && (fds[2].revents & POLLIN)) {
      if (monitor_ready) service();
      return std::nullopt;
    }
  }
}

}  // namespace tidemark::agent
