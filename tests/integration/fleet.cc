#include "tests/integration/fleet.h"

#include <gtest/gtest.h>

#include "tests/integration/agent_stop_line.h"
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>

namespace tidemark::testing {

using namespace std::chrono_literals;

Fleet::Fleet(Security security) : security_(security) {}

std::string Fleet::keyPair(const std::string& name) {
  const std::string prefix = dir_.str() + "/keys-" + name;
  if (!std::filesystem::exists(prefix + ".key")) {
    auto result = runCommand({binary("tidemark"), "keys", "generate", "--out", prefix});
    EXPECT_EQ(result.exit_code, 0) << result.err;
  }
  return prefix;
}

std::string Fleet::publicKey(const std::string& name) {
  std::ifstream in(keyPair(name) + ".pub");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != '#') return line;
  }
  return {};
}

void Fleet::startController(std::vector<std::string> extra) {
  if (!extra.empty()) controller_extra_ = std::move(extra);
  std::vector<std::string> argv{binary("tidemark-controller"), "--data-dir", dir_.str() + "/data",
                                "--listen", endpoint_, "--admin-socket", socket()};
  if (security_ == Security::kCurve) {
    argv.insert(argv.end(), {"--curve-key", keyPair("controller") + ".key"});
  } else {
    argv.push_back("--insecure");
  }
  argv.insert(argv.end(), controller_extra_.begin(), controller_extra_.end());
  controller_ = std::make_unique<ChildProcess>(argv, dir_.str() + "/controller.log");
  bool up = eventually([&] { return cliRaw({"status", "--json"}).exit_code == 0; }, 20s);
  ASSERT_TRUE(up) << "controller did not come up:\n" << controller_->log();
  endpoint_ = cli({"status"})["listen"].get<std::string>();
}

void Fleet::killController() {
  controller_->signal(SIGKILL);
  controller_->wait(10s);
}

int Fleet::stopController() { return controller_->stop(SIGTERM, 20s); }

size_t Fleet::startAgent(const std::string& host_id, std::vector<std::string> extra,
                         std::string key_name) {
  if (key_name.empty()) key_name = host_id;
  std::vector<std::string> argv{binary("tidemark-agent"), "--controller", endpoint_, "--host-id",
                                host_id, "--state-dir", dir_.str() + "/agent-" + key_name,
                                "--interval", "1s"};
  if (security_ == Security::kCurve) {
    argv.insert(argv.end(), {"--curve-key", keyPair(key_name) + ".key", "--controller-pub",
                             keyPair("controller") + ".pub"});
  } else {
    argv.push_back("--insecure");
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  agents_.push_back(
      std::make_unique<ChildProcess>(argv, dir_.str() + "/agent-" + key_name + ".log"));
  return agents_.size() - 1;
}

CommandResult Fleet::cliRaw(std::vector<std::string> args) {
  std::vector<std::string> argv{binary("tidemark"), "--socket", socket()};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv);
}

nlohmann::json Fleet::cli(std::vector<std::string> args) {
  args.push_back("--json");
  auto result = cliRaw(args);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  if (result.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(result.out);
}

uint64_t Fleet::storedSamples(const std::string& host) {
  const nlohmann::json reply = cli({"hosts"});
  for (const auto& entry : reply["hosts"]) {
    if (entry["host"] == host) return entry["samples"].get<uint64_t>();
  }
  return 0;
}

bool Fleet::outboxDrained(const std::string& host, int64_t collected_after_ms) {
  const nlohmann::json reply =
      cli({"query", "tidemark_agent_outbox_batches", "--host", host, "--since", "1h", "--limit", "1"});
  if (reply["series"].empty() || reply["series"][0]["samples"].empty()) return false;
  const auto& newest = reply["series"][0]["samples"][0];
  return newest[0].get<int64_t>() > collected_after_ms && newest[1].get<double>() == 0.0;
}

size_t Fleet::querySamples(const std::string& metric, const std::string& host,
                           const std::vector<std::string>& labels) {
  std::vector<std::string> args{"query", metric, "--host", host, "--since", "1h"};
  for (const auto& label : labels) {
    args.push_back("--label");
    args.push_back(label);
  }
  size_t total = 0;
  const nlohmann::json reply = cli(args);
  for (const auto& series : reply["series"]) total += series["samples"].size();
  return total;
}

void expectEverythingStoredOnce(Fleet& fleet, ChildProcess& agent, const std::string& host) {
  // After a fault, acks can trail the data by a TCP retransmission backoff: wait
  // until the agent itself reports an empty outbox, then stop it.
  // The newest stored gauge may predate the fault: only one collected from now on counts.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ASSERT_TRUE(eventually([&] { return fleet.outboxDrained(host, now_ms); }, 90s)) << agent.log();
  ASSERT_EQ(agent.stop(SIGTERM, 30s), 0);
  auto counts = parseStopLine(agent.log());
  ASSERT_TRUE(counts) << agent.log();
  EXPECT_GT(counts->collected, 0u);
  EXPECT_EQ(counts->dropped, 0u);
  EXPECT_EQ(counts->collected, counts->acked) << agent.log();
  EXPECT_EQ(fleet.storedSamples(host), counts->acked) << agent.log();
}

}  // namespace tidemark::testing
