// Fault injection with real processes: every sample the agent collected must be
// stored exactly once, whatever happens between it and the controller. Compares
// the agent's own counters (its last log line) with the controller's stored count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "tests/integration/agent_stop_line.h"
#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;

TEST(FaultsTest, ControllerDownLongerThanTheAckTimeout) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("outage-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("outage-host") > 0; }, 30s));
  ASSERT_EQ(fleet.stopController(), 0);
  // Longer than the agent's ack timeout (10 s): it must resend what was in flight.
  std::this_thread::sleep_for(12s);
  fleet.startController();
  const uint64_t before = fleet.storedSamples("outage-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("outage-host") > before; }, 60s));
  expectEverythingStoredOnce(fleet, fleet.agent(0), "outage-host");
}

// A test host in its own network namespace, linked to this one by a veth pair,
// so that the link can be cut and healed. Needs root; skipped otherwise.
class NetnsHost {
 public:
  NetnsHost() {
    const int slot = static_cast<int>(::getpid() % 200) + 20;
    name_ = "tmtest" + std::to_string(::getpid());
    host_if_ = "tmh" + std::to_string(::getpid());
    ns_if_ = "tma" + std::to_string(::getpid());
    host_address_ = "10.231." + std::to_string(slot) + ".1";
    ns_address_ = "10.231." + std::to_string(slot) + ".2";
    ok_ = ip({"netns", "add", name_}) && ip({"link", "add", host_if_, "type", "veth", "peer", "name", ns_if_}) &&
          ip({"link", "set", ns_if_, "netns", name_}) &&
          ip({"addr", "add", host_address_ + "/30", "dev", host_if_}) &&
          ip({"link", "set", host_if_, "up"}) &&
          ip({"netns", "exec", name_, "ip", "addr", "add", ns_address_ + "/30", "dev", ns_if_}) &&
          ip({"netns", "exec", name_, "ip", "link", "set", ns_if_, "up"}) &&
          ip({"netns", "exec", name_, "ip", "link", "set", "lo", "up"});
  }
  ~NetnsHost() {
    ip({"link", "del", host_if_});
    ip({"netns", "del", name_});
  }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  const std::string& hostAddress() const { return host_address_; }
  bool setLink(bool up) { return ip({"link", "set", host_if_, up ? "up" : "down"}); }

  static bool ip(std::vector<std::string> args) {
    args.insert(args.begin(), "/usr/sbin/ip");
    return runCommand(args, 10s).exit_code == 0;
  }

 private:
  std::string name_, host_if_, ns_if_, host_address_, ns_address_;
  bool ok_ = false;
};

TEST(FaultsTest, NetworkPartitionAndHeal) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
  NetnsHost netns;
  if (!netns.ok()) GTEST_SKIP() << "cannot create a network namespace here (ip netns add failed)";

  Fleet fleet;
  fleet.setListenEndpoint("tcp://" + netns.hostAddress() + ":*");
  fleet.startController();
  ChildProcess agent({"/usr/sbin/ip", "netns", "exec", netns.name(), binary("tidemark-agent"),
                      "--controller", fleet.endpoint(), "--host-id", "partitioned", "--state-dir",
                      fleet.dir().str() + "/agent-partitioned", "--interval", "1s", "--insecure"},
                     fleet.dir().str() + "/agent-partitioned.log");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("partitioned") > 0; }, 30s)) << agent.log();

  ASSERT_TRUE(netns.setLink(false));
  std::this_thread::sleep_for(2s);
  const uint64_t during = fleet.storedSamples("partitioned");
  std::this_thread::sleep_for(12s);
  // Cut off: nothing arrives while the link is down.
  EXPECT_EQ(fleet.storedSamples("partitioned"), during);
  ASSERT_TRUE(netns.setLink(true));
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("partitioned") > during + 10 * 200; }, 60s))
      << agent.log();
  expectEverythingStoredOnce(fleet, agent, "partitioned");
}

}  // namespace
}  // namespace tidemark::testing
