// A controller and agents as real processes on loopback, for integration tests.
// Every instance gets its own temp dir, data dir, admin socket and a free port.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace tidemark::testing {

enum class Security { kInsecure, kCurve };

class Fleet {
 public:
  // kCurve: the controller gets a key pair and an allow-list, every agent a key pair
  // (agents are not accepted until a test accepts them).
  explicit Fleet(Security security = Security::kInsecure);

  // Starts the controller; the first start picks a free port, restarts keep it.
  // `extra` flags are appended (and kept for restarts when given).
  void startController(std::vector<std::string> extra = {});
  // Where the controller listens (before the first start); default tcp://127.0.0.1:*.
  void setListenEndpoint(std::string endpoint) { endpoint_ = std::move(endpoint); }
  // SIGKILL, as a crash would.
  void killController();
  int stopController();

  // Starts an agent; extra flags are appended. With kCurve the agent uses the key
  // pair named `key_name` (made on first use; default: the host id) and pins the
  // controller's key. Returns its index.
  size_t startAgent(const std::string& host_id, std::vector<std::string> extra = {},
                    std::string key_name = "");
  // Path prefix of a key pair made with `tidemark keys generate` (made on first use).
  std::string keyPair(const std::string& name);
  // The Z85 public key in NAME.pub.
  std::string publicKey(const std::string& name);
  ChildProcess& agent(size_t index) { return *agents_.at(index); }
  ChildProcess& controller() { return *controller_; }

  // Runs `tidemark ARGS --socket S --json` and parses the output; fails the test on error.
  nlohmann::json cli(std::vector<std::string> args);
  // Runs `tidemark ARGS --socket S` and returns the raw result.
  CommandResult cliRaw(std::vector<std::string> args);

  // Samples stored for `host` according to `tidemark hosts --json` (0 when absent).
  uint64_t storedSamples(const std::string& host);
  // True when the agent's newest tidemark_agent_outbox_batches sample was collected
  // after `collected_after_ms` (unix ms) and is 0: nothing was unacknowledged then.
  bool outboxDrained(const std::string& host, int64_t collected_after_ms);
  // Number of samples of `metric` for `host` in the last hour.
  size_t querySamples(const std::string& metric, const std::string& host,
                      const std::vector<std::string>& labels = {});

  const std::string& endpoint() const { return endpoint_; }
  const TempDir& dir() const { return dir_; }
  std::string socket() const { return dir_.str() + "/controller.sock"; }

 private:
  TempDir dir_;
  Security security_;
  std::string endpoint_ = "tcp://127.0.0.1:*";
  std::unique_ptr<ChildProcess> controller_;
  std::vector<std::string> controller_extra_;
  std::vector<std::unique_ptr<ChildProcess>> agents_;
};

// Waits until the agent reports an empty outbox, stops it with SIGTERM and checks
// that everything it collected was acknowledged and is stored exactly once.
void expectEverythingStoredOnce(Fleet& fleet, ChildProcess& agent, const std::string& host);

}  // namespace tidemark::testing
