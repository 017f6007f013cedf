// Tuning end to end with real processes: a CURVE controller, agents reading fixture
// roots (copies of tests/fixtures/hosts/basic with tunable files), the tidemark CLI.
// Propose, approve, see the value in the fixture file, roll back; refusal by the
// agent's policy; a verification failure rolled back by the agent itself; an agent
// restarted between apply and rollback; a maintenance job on a stand-in ship.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/fleet.h"
#include "tests/support/standin_ship.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

// A host root with swappiness 60, an ext4 mount at /srv/piers (relatime) and a SATA disk.
std::string makeTunableRoot(const std::string& root) {
  fs::create_directories(root);
  fs::copy(std::string(TIDEMARK_FIXTURES_DIR) + "/hosts/basic", root,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  writeFile(root + "/proc/sys/vm/swappiness", "60\n");
  writeFile(root + "/proc/sys/vm/dirty_ratio", "20\n");
  writeFile(root + "/proc/sys/vm/dirty_bytes", "0\n");
  writeFile(root + "/proc/sys/kernel/osrelease", "6.1.0-13-amd64\n");
  // The host's view (PID 1's), which the mount knobs read before their own.
  writeFile(root + "/proc/1/mountinfo",
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
            "40 22 8:2 / /srv/piers rw,relatime shared:2 - ext4 /dev/sda2 rw\n");
  writeFile(root + "/sys/block/sda/queue/scheduler", "none [mq-deadline] bfq\n");
  writeFile(root + "/sys/block/sda/queue/rotational", "1\n");
  writeFile(root + "/sys/block/sda/queue/read_ahead_kb", "128\n");
  writeFile(root + "/sys/block/sda/size", "1953525168\n");
  return root;
}

class TuningTest : public ::testing::Test {
 protected:
  TuningTest() : fleet_(Security::kCurve) {}

  void startController(const std::string& health_window = "1s") {
    fleet_.startController({"--tuning-health-window", health_window});
  }

  size_t startAgent(const std::string& host, std::vector<std::string> extra = {}) {
    const size_t index = fleet_.startAgent(host, std::move(extra));
    // New keys are pending until accepted, as an operator would.
    EXPECT_TRUE(eventually([&] { return fleet_.cliRaw({"agents", "accept", host}).exit_code == 0; },
                           20s))
        << fleet_.agent(index).log();
    waitConnected(host);
    return index;
  }

  nlohmann::json proposal(uint64_t id) {
    const auto listed = fleet_.cli({"tune", "list"});
    for (const auto& p : listed["proposals"]) {
      if (p["id"].get<uint64_t>() == id) return p;
    }
    return nlohmann::json::object();
  }

  std::string stateOf(uint64_t id) {
    const auto p = proposal(id);
    return p.contains("state") ? p["state"].get<std::string>() : "";
  }

  bool waitForState(uint64_t id, const std::string& state, std::chrono::seconds timeout = 30s) {
    return eventually([&] { return stateOf(id) == state; }, timeout);
  }

  // The recommender's open proposal of `value` for host and knob when it made one
  // (it proposes swappiness 10 on its own), else a manual one.
  uint64_t propose(const std::string& knob, const std::string& value, const std::string& host) {
    const auto listed = fleet_.cli({"tune", "list", "--host", host, "--state", "proposed"});
    for (const auto& p : listed["proposals"]) {
      if (p["knob"] == knob && p["value"] == value) return p["id"].get<uint64_t>();
    }
    const auto created = fleet_.cli({"tune", "propose", knob, value, "--host", host});
    EXPECT_EQ(created["proposals"].size(), 1u) << created.dump();
    return created["proposals"].empty() ? 0 : created["proposals"][0]["id"].get<uint64_t>();
  }

  // Connected and its Hello handled (its knob report follows the Hello at once).
  void waitConnected(const std::string& host) {
    ASSERT_TRUE(eventually(
        [&] {
          const auto hosts = fleet_.cli({"hosts"});
          for (const auto& h : hosts["hosts"]) {
            if (h["host"] == host && h["connected"].get<bool>()) return true;
          }
          return false;
        },
        20s))
        << fleet_.cliRaw({"hosts"}).out << fleet_.controller().log();
  }

  Fleet fleet_;
};

TEST_F(TuningTest, ApproveWritesTheFixtureFileAndRollbackRestoresIt) {
  const std::string root = makeTunableRoot(fleet_.dir().str() + "/root-a");
  startController();
  startAgent("tune-a", {"--root", root});
  const uint64_t id = propose("vm.swappiness", "10", "tune-a");
  ASSERT_GT(id, 0u);
  EXPECT_EQ(stateOf(id), "proposed");
  EXPECT_EQ(readFile(root + "/proc/sys/vm/swappiness"), "60\n");  // inert until approved

  fleet_.cliRaw({"tune", "approve", std::to_string(id)});
  ASSERT_TRUE(waitForState(id, "applied")) << proposal(id).dump() << fleet_.controller().log();
  EXPECT_EQ(readFile(root + "/proc/sys/vm/swappiness").substr(0, 2), "10");
  const auto applied = proposal(id);
  EXPECT_EQ(applied["knob"], "vm.swappiness");
  EXPECT_EQ(applied["current"], "60");
  EXPECT_THAT(applied["restore_command"].get<std::string>(), HasSubstr("vm.swappiness=60"));

  // Changed out of band: reported as drift with both values, and left alone.
  writeFile(root + "/proc/sys/vm/swappiness", "30\n");
  ASSERT_TRUE(eventually([&] { return fleet_.cli({"tune", "log"}).dump().find("\"drift\"") !=
                                      std::string::npos; },
                         20s))
      << fleet_.cli({"tune", "log"}).dump();
  EXPECT_THAT(fleet_.cli({"tune", "log"}).dump(), HasSubstr("30"));
  std::this_thread::sleep_for(2s);  // two more drift checks: still not fought over
  EXPECT_EQ(readFile(root + "/proc/sys/vm/swappiness"), "30\n");

  auto rollback = fleet_.cliRaw({"tune", "rollback", std::to_string(id)});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.err;
  ASSERT_TRUE(waitForState(id, "rolled_back")) << proposal(id).dump();
  EXPECT_EQ(readFile(root + "/proc/sys/vm/swappiness").substr(0, 2), "60");

  // The audit log holds every step, the approval with the operator's uid.
  const auto log = fleet_.cli({"tune", "log"}).dump();
  for (const char* event : {"proposed", "approved", "dispatched", "applied", "rolled_back"}) {
    EXPECT_THAT(log, HasSubstr(event));
  }
  EXPECT_THAT(log, HasSubstr("\"actor_uid\":" + std::to_string(getuid())));
}

TEST_F(TuningTest, TheAgentsPolicyRefusesAndNothingIsWritten) {
  const std::string root = makeTunableRoot(fleet_.dir().str() + "/root-b");
  startController();
  startAgent("tune-b", {"--root", root});
  // The built-in policy allows dirty_ratio 5..40 only; the controller does not know that.
  const uint64_t id = propose("vm.dirty_ratio", "80", "tune-b");
  fleet_.cliRaw({"tune", "approve", std::to_string(id)});
  ASSERT_TRUE(waitForState(id, "failed")) << proposal(id).dump();
  EXPECT_THAT(proposal(id).dump(), HasSubstr("policy"));
  EXPECT_EQ(readFile(root + "/proc/sys/vm/dirty_ratio"), "20\n");
}

TEST_F(TuningTest, AFailedVerificationIsRolledBackByTheAgent) {
  const std::string root = makeTunableRoot(fleet_.dir().str() + "/root-c");
  // A remount that "succeeds" without changing anything (as a bind mount can): the
  // read-back of mountinfo still says relatime.
  const std::string calls = fleet_.dir().str() + "/remounts";
  startController();
  startAgent("tune-c", {"--root", root, "--tuning-remount-command",
                        "echo {option} {mountpoint} >> " + calls});
  const uint64_t id = propose("mount.atime:/srv/piers", "noatime", "tune-c");
  fleet_.cliRaw({"tune", "approve", std::to_string(id)});
  ASSERT_TRUE(waitForState(id, "failed")) << proposal(id).dump();
  EXPECT_THAT(proposal(id).dump(), HasSubstr("verification failed"));
  // The agent wrote, read back, and put the old option back by itself.
  EXPECT_EQ(readFile(calls), "noatime /srv/piers\nrelatime /srv/piers\n");
}

TEST_F(TuningTest, RollbackWorksAfterTheAgentRestartedAndStoppingRevertsNothing) {
  const std::string root = makeTunableRoot(fleet_.dir().str() + "/root-d");
  startController();
  const size_t agent = startAgent("tune-d", {"--root", root});
  const uint64_t id = propose("block.read_ahead_kb:sda", "4096", "tune-d");
  fleet_.cliRaw({"tune", "approve", std::to_string(id)});
  ASSERT_TRUE(waitForState(id, "applied")) << proposal(id).dump();
  EXPECT_EQ(readFile(root + "/sys/block/sda/queue/read_ahead_kb").substr(0, 4), "4096");

  EXPECT_EQ(fleet_.agent(agent).stop(SIGTERM, 20s), 0);
  EXPECT_EQ(readFile(root + "/sys/block/sda/queue/read_ahead_kb").substr(0, 4), "4096")
      << "stopping the agent must not revert a change";
  fleet_.startAgent("tune-d", {"--root", root});  // same state dir, same journal

  auto rollback = fleet_.cliRaw({"tune", "rollback", std::to_string(id)});
  EXPECT_EQ(rollback.exit_code, 0) << rollback.err;
  ASSERT_TRUE(waitForState(id, "rolled_back")) << proposal(id).dump();
  EXPECT_EQ(readFile(root + "/sys/block/sda/queue/read_ahead_kb"), "128\n");
}


TEST_F(TuningTest, StagedRollOutGoesToTheCanaryFirstThenTheRest) {
  const std::string canary_root = makeTunableRoot(fleet_.dir().str() + "/root-e1");
  const std::string rest_root = makeTunableRoot(fleet_.dir().str() + "/root-e2");
  startController("5s");  // long enough to look at the rest before it goes out
  startAgent("canary-host", {"--root", canary_root});
  startAgent("rest-host", {"--root", rest_root});
  const uint64_t canary = propose("vm.dirty_ratio", "30", "canary-host");
  const uint64_t rest = propose("vm.dirty_ratio", "30", "rest-host");
  auto approved = fleet_.cliRaw(
      {"tune", "approve", std::to_string(canary), std::to_string(rest), "--canary", "1"});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  ASSERT_TRUE(waitForState(canary, "applied")) << proposal(canary).dump();
  // The rest waits out the health window before it is sent.
  EXPECT_EQ(stateOf(rest), "approved");
  EXPECT_EQ(readFile(rest_root + "/proc/sys/vm/dirty_ratio"), "20\n");
  ASSERT_TRUE(waitForState(rest, "applied")) << proposal(rest).dump();
  EXPECT_EQ(readFile(rest_root + "/proc/sys/vm/dirty_ratio").substr(0, 2), "30");
  EXPECT_TRUE(proposal(canary)["canary"].get<bool>());
  EXPECT_FALSE(proposal(rest)["canary"].get<bool>());
}

TEST_F(TuningTest, AFailedCanaryStopsTheRollOut) {
  const std::string canary_root = makeTunableRoot(fleet_.dir().str() + "/root-f1");
  const std::string rest_root = makeTunableRoot(fleet_.dir().str() + "/root-f2");
  // The canary host's own policy allows swappiness only: dirty_ratio is refused there.
  const std::string policy = fleet_.dir().str() + "/strict-policy.toml";
  writeFile(policy, "[[allow]]\nknob = \"vm.swappiness\"\nmin = 1\nmax = 60\n");
  startController();
  startAgent("strict-host", {"--root", canary_root, "--policy", policy});
  startAgent("other-host", {"--root", rest_root});
  const uint64_t canary = propose("vm.dirty_ratio", "30", "strict-host");
  const uint64_t rest = propose("vm.dirty_ratio", "30", "other-host");
  fleet_.cliRaw({"tune", "approve", std::to_string(canary), std::to_string(rest), "--canary", "1"});
  ASSERT_TRUE(waitForState(canary, "failed")) << proposal(canary).dump();
  EXPECT_THAT(proposal(canary).dump(), HasSubstr("has no entry for vm.dirty_ratio"));
  // The rest goes back to proposed, untouched, and the audit log says why.
  ASSERT_TRUE(waitForState(rest, "proposed")) << proposal(rest).dump();
  EXPECT_EQ(readFile(rest_root + "/proc/sys/vm/dirty_ratio"), "20\n");
  EXPECT_THAT(fleet_.cli({"tune", "log"}).dump(), HasSubstr("rollout_stopped"));
}

// A maintenance job through the whole path: the agent (reading the real /proc, so it
// sees the stand-in's processes) stops the ship with the configured command, runs
// the pack with the pier lock free, starts the ship again and records the job.
std::string shipNameFor(const std::string& temp_dir) {
  std::string name = "ship-" + fs::path(temp_dir).filename().string().substr(14);
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

class ShipMaintenanceTest : public TuningTest {
 protected:
  ShipMaintenanceTest()
      : piers_(fs::canonical(fleet_.dir().path()).string() + "/piers"),
        // The agent reads the real process table, where other tests run stand-ins too:
        // a ship name of its own (the temp dir's suffix) keeps the knob ids apart.
        ship_(shipNameFor(fleet_.dir().str())),
        pier_(piers_ + "/" + ship_),
        bin_(fleet_.dir().str() + "/bin") {
    makeStandinPier(pier_, {.epochs = 2, .image_bytes = 1 << 20});
  }
  ~ShipMaintenanceTest() override {
    // The restarted ship runs detached, as under systemd: leave nothing behind.
    runCommand({"/usr/bin/pkill", "-KILL", "-f", pier_});
  }

  std::vector<std::string> agentFlags(const std::string& pack_command) {
    return {"--pier-root", piers_,
            "--tuning-stop-command", "kill -TERM $(head -1 {pier}/.vere.lock)",
            "--tuning-start-command", "cd {pier}/.. && setsid nohup " + bin_ +
                "/urbit {pier} >> " + fleet_.dir().str() + "/restarted.log 2>&1 < /dev/null &",
            "--tuning-pack-command", pack_command,
            "--tuning-stop-timeout", "10s", "--tuning-start-timeout", "10s",
            "--tuning-job-timeout", "3s"};
  }

  uint64_t kingPid() {
    const std::string lock = readFile(pier_ + "/.vere.lock");
    return lock.empty() ? 0 : std::stoull(lock);
  }

  std::string piers_;
  std::string ship_;
  std::string pier_;
  std::string bin_;
};

TEST_F(ShipMaintenanceTest, PackStopsRunsAndRestartsTheShip) {
  StandinShip ship(bin_, pier_);
  const uint64_t king_before = ship.kingPid();
  const auto image_before = fs::file_size(pier_ + "/.urb/chk/image.bin");
  startController();
  startAgent("ship-host", agentFlags(bin_ + "/urbit pack {pier}"));
  const uint64_t id = propose("ship.pack:" + ship_, "run", "ship-host");
  ASSERT_GT(id, 0u);
  fleet_.cliRaw({"tune", "approve", std::to_string(id)});
  ASSERT_TRUE(waitForState(id, "applied", 60s)) << proposal(id).dump() << fleet_.agent(0).log();
  EXPECT_LT(fs::file_size(pier_ + "/.urb/chk/image.bin"), image_before)
      << proposal(id).dump() << fleet_.agent(0).log();
  // Up again under a new king, and the job is in the agent's maintenance log.
  EXPECT_TRUE(eventually([&] { return kingPid() != 0 && kingPid() != king_before; }, 10s));
  EXPECT_THAT(readFile(fleet_.dir().str() + "/agent-ship-host/maintenance.log"),
              HasSubstr(pier_ + " pack ok"));
  // A job cannot be undone: the controller says so.
  auto rollback = fleet_.cliRaw({"tune", "rollback", std::to_string(id)});
  EXPECT_NE(rollback.exit_code, 0);
}

TEST_F(ShipMaintenanceTest, AJobPastItsTimeoutIsKilledAndTheShipRestarted) {
  StandinShip ship(bin_, pier_);
  const uint64_t king_before = ship.kingPid();
  startController();
  startAgent("ship-host", agentFlags("URBIT_STANDIN_HANG=1 " + bin_ + "/urbit pack {pier}"));
  const uint64_t id = propose("ship.pack:" + ship_, "run", "ship-host");
  fleet_.cliRaw({"tune", "approve", std::to_string(id)});
  ASSERT_TRUE(waitForState(id, "failed", 60s)) << proposal(id).dump() << fleet_.agent(0).log();
  EXPECT_THAT(proposal(id).dump(), HasSubstr("timed out"));
  EXPECT_TRUE(eventually([&] { return kingPid() != 0 && kingPid() != king_before; }, 10s))
      << "the ship is started again after a failed job";
  EXPECT_THAT(readFile(fleet_.dir().str() + "/agent-ship-host/maintenance.log"),
              HasSubstr(pier_ + " pack failed"));
}

}  // namespace
}  // namespace tidemark::testing
