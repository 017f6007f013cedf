// Test-only: an HTTP/1.1 server on plain sockets on 127.0.0.1 that answers each
// request with the next scripted response (the last one repeats) and records what
// it received. One connection at a time, closed after each answer.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tidemark::controller::remote_write::testing {

struct FakeResponse {
  int status = 200;
  std::string headers;  // extra header lines, each ending in \r\n
  std::string body;
};

struct FakeRequest {
  std::string head;  // request line and headers
  std::string body;
};

class FakeHttpServer {
 public:
  explicit FakeHttpServer(std::vector<FakeResponse> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 16) != 0) {
      throw std::runtime_error("fake server: cannot listen");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/api/v1/write"; }
  std::vector<FakeRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t requestCount() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd item{fd_, POLLIN, 0};
      if (::poll(&item, 1, 50) <= 0) continue;
      const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) continue;
      handle(client);
      ::close(client);
    }
  }

  void handle(int client) {
    std::string data;
    char buffer[65536];
    size_t head_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      if (head_end == std::string::npos) {
        head_end = data.find("\r\n\r\n");
        if (head_end != std::string::npos) {
          std::string lower = data.substr(0, head_end);
          for (auto& c : lower) c = static_cast<char>(::tolower(c));
          const size_t at = lower.find("content-length:");
          if (at != std::string::npos) content_length = std::stoul(lower.substr(at + 15));
        }
      }
      if (head_end != std::string::npos && data.size() >= head_end + 4 + content_length) break;
      pollfd item{client, POLLIN, 0};
      if (::poll(&item, 1, 5000) <= 0) return;
      const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
      if (got <= 0) return;
      data.append(buffer, static_cast<size_t>(got));
    }
    FakeResponse response;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back({data.substr(0, head_end), data.substr(head_end + 4, content_length)});
      response = script_[std::min(next_++, script_.size() - 1)];
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(response.status) + " Scripted\r\n" +
                               response.headers +
                               "Content-Length: " + std::to_string(response.body.size()) +
                               "\r\nConnection: close\r\n\r\n" + response.body;
    (void)!::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
  }

  std::vector<FakeResponse> script_;
  size_t next_ = 0;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<FakeRequest> requests_;
  std::thread thread_;
};

}  // namespace tidemark::controller::remote_write::testing
