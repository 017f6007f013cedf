// Fault injection with real processes: every sample the agent collected must be
// stored exactly once, whatever happens between it and the controller. Compares
// the agent's own counters (its last log line) with the controller's stored count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

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

TEST(FaultsTest, AgentKilledWhileTheControllerIsDown) {
  Fleet fleet;
  fleet.startController();
  fleet.startAgent("killed-host");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("killed-host") > 0; }, 30s));
  ASSERT_EQ(fleet.stopController(), 0);
  std::this_thread::sleep_for(3s);
  // Batches wait in the outbox on disk; SIGKILL must not lose them.
  fleet.agent(0).signal(SIGKILL);
  fleet.agent(0).wait(10s);
  fleet.startAgent("killed-host");  // same state dir
  std::this_thread::sleep_for(2s);
  fleet.startController();
  // Counts in the stop line are since the state dir was created: both runs.
  expectEverythingStoredOnce(fleet, fleet.agent(1), "killed-host");
}

// Mounts a small tmpfs for the agent's state dir. Needs root; skipped otherwise.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, const std::string& size) : path_(path) {
    std::filesystem::create_directories(path_);
    mounted_ = runCommand({"/usr/bin/mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", path_}, 10s)
                   .exit_code == 0;
  }
  ~SmallDisk() {
    if (mounted_) runCommand({"/usr/bin/umount", "-l", path_}, 10s);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

TEST(FaultsTest, OutboxDiskFullLosesNothing) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs";
  Fleet fleet;
  SmallDisk disk(fleet.dir().str() + "/agent-full-host", "96k");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount tmpfs here";
  fleet.startController();
  ASSERT_EQ(fleet.stopController(), 0);
  fleet.startAgent("full-host");
  // With the controller down the outbox fills the 96 KiB disk within seconds.
  ASSERT_TRUE(eventually([&] { return fleet.agent(0).log().find("No space left") != std::string::npos; }, 60s))
      << fleet.agent(0).log();
  std::this_thread::sleep_for(2s);
  ASSERT_TRUE(fleet.agent(0).running()) << fleet.agent(0).log();
  fleet.startController();
  expectEverythingStoredOnce(fleet, fleet.agent(0), "full-host");
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
