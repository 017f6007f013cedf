// Prometheus and VictoriaMetrics as real processes on loopback, for the remote-write
// integration tests: each on a free port with its own storage folder.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace tidemark::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
uint16_t freeLoopbackPort();

struct HttpAnswer {
  long status = 0;  // 0: no answer
  std::string body;
};
HttpAnswer httpGet(const std::string& url);
// Percent-encodes a query parameter.
std::string urlEncode(const std::string& text);

class RemotePeer {
 public:
  enum class Kind { kPrometheus, kVictoriaMetrics };
  // Picks the port now; start() may be called later (an outage test starts it late).
  RemotePeer(Kind kind, const TempDir& dir);
  ~RemotePeer();

  // The binary's path; empty when the package is not installed.
  static std::string binaryPath(Kind kind);
  // Starts the peer and waits until it answers its readiness endpoint.
  void start();
  void stop();

  std::string writeUrl() const;
  std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The data folder (Prometheus: where promtool may write blocks before start()).
  const std::string& storage() const { return storage_; }
  // VictoriaMetrics: makes just-written samples searchable at once.
  void flush();
  std::string log() const { return process_ ? process_->log() : ""; }

 private:
  Kind kind_;
  std::string storage_;
  std::string config_;
  std::string log_path_;
  uint16_t port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace tidemark::testing
