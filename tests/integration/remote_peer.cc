#include "tests/integration/remote_peer.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace tidemark::testing {

using namespace std::chrono_literals;

uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

namespace {
size_t collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}
}  // namespace

HttpAnswer httpGet(const std::string& url) {
  HttpAnswer answer;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
  }
  curl_easy_cleanup(curl);
  return answer;
}

std::string urlEncode(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out(escaped);
  curl_free(escaped);
  return out;
}

RemotePeer::RemotePeer(Kind kind, const TempDir& dir) : kind_(kind), port_(freeLoopbackPort()) {
  const std::string name = kind == Kind::kPrometheus ? "prometheus" : "victoria-metrics";
  storage_ = dir.str() + "/" + name + "-data";
  config_ = dir.str() + "/" + name + ".yml";
  log_path_ = dir.str() + "/" + name + ".log";
  std::ofstream(config_) << "global:\n  scrape_interval: 1m\n";
}

RemotePeer::~RemotePeer() { stop(); }

std::string RemotePeer::binaryPath(Kind kind) {
  const std::string path =
      kind == Kind::kPrometheus ? "/usr/bin/prometheus" : "/usr/bin/victoria-metrics";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

void RemotePeer::start() {
  const std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::vector<std::string> argv;
  if (kind_ == Kind::kPrometheus) {
    argv = {binaryPath(kind_),
            "--web.enable-remote-write-receiver",
            "--storage.tsdb.path",
            storage_,
            "--web.listen-address",
            listen,
            "--config.file",
            config_,
            "--storage.tsdb.retention.time",
            "100y"};
  } else {
    argv = {binaryPath(kind_), "-httpListenAddr",  listen, "-storageDataPath",
            storage_,          "-retentionPeriod", "100y"};
  }
  process_ = std::make_unique<ChildProcess>(argv, log_path_);
  const std::string ready = baseUrl() + (kind_ == Kind::kPrometheus ? "/-/ready" : "/health");
  ASSERT_TRUE(eventually([&] { return httpGet(ready).status == 200; }, 20s))
      << "the peer did not come up:\n"
      << process_->log();
}

void RemotePeer::stop() {
  if (process_) process_->stop(SIGTERM, 20s);
}

std::string RemotePeer::writeUrl() const {
  return baseUrl() + (kind_ == Kind::kPrometheus ? "/api/v1/write" : "/api/v1/write");
}

void RemotePeer::flush() {
  if (kind_ == Kind::kVictoriaMetrics) httpGet(baseUrl() + "/internal/force_flush");
}

}  // namespace tidemark::testing
