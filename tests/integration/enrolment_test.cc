// CurveZMQ on the agent link and the salt-style enrolment: unknown keys wait as
// pending and store nothing, accepted keys deliver everything they collected in
// the meantime, a second agent claiming an enrolled host is refused, a pinned
// controller key is enforced, and allow-list changes need no restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/agent_stop_line.h"
#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

std::string stateOf(Fleet& fleet, const std::string& host, const std::string& key) {
  const nlohmann::json reply = fleet.cli({"agents", "list"});
  for (const auto& agent : reply["agents"]) {
    if (agent["host"] == host && agent["key"] == key) return agent["state"];
  }
  return "absent";
}

TEST(EnrolmentTest, UnknownKeyStoresNothingUntilAcceptedThenEverything) {
  Fleet fleet(Security::kCurve);
  fleet.startController();
  fleet.startAgent("new-host");
  const std::string key = fleet.publicKey("new-host");
  ASSERT_TRUE(eventually([&] { return stateOf(fleet, "new-host", key) == "pending"; }, 20s))
      << fleet.controller().log();

  // Pending for a while: the agent collects, the controller stores nothing.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(fleet.cli({"status"})["samples"], 0);
  EXPECT_EQ(fleet.storedSamples("new-host"), 0u);
  const nlohmann::json pending = fleet.cli({"agents", "pending"});
  ASSERT_EQ(pending["agents"].size(), 1u);
  EXPECT_EQ(pending["agents"][0]["address"], "127.0.0.1");

  auto accepted = fleet.cli({"agents", "accept", "new-host"});
  EXPECT_THAT(accepted["done"].get<std::string>(), HasSubstr("accepted host new-host"));
  EXPECT_EQ(stateOf(fleet, "new-host", key), "accepted");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("new-host") > 0; }, 40s))
      << fleet.agent(0).log();

  // Nothing collected while pending was lost.
  ASSERT_EQ(fleet.agent(0).stop(SIGTERM, 20s), 0);
  auto counts = parseStopLine(fleet.agent(0).log());
  ASSERT_TRUE(counts) << fleet.agent(0).log();
  EXPECT_EQ(counts->collected, counts->acked) << fleet.agent(0).log();
  EXPECT_EQ(fleet.storedSamples("new-host"), counts->acked);
  // The re-sent Hello after acceptance carried the agent's identity.
  const nlohmann::json hosts = fleet.cli({"hosts"});
  EXPECT_EQ(hosts["hosts"][0]["agent_version"], "0.1.0");
}

TEST(EnrolmentTest, SecondAgentClaimingAnEnrolledHostIsRefused) {
  Fleet fleet(Security::kCurve);
  fleet.startController();
  fleet.startAgent("web-01");
  ASSERT_TRUE(eventually([&] { return fleet.cliRaw({"agents", "accept", "web-01"}).exit_code == 0; }, 20s));
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("web-01") > 0; }, 40s));

  fleet.startAgent("web-01", {}, "impostor");
  const std::string impostor = fleet.publicKey("impostor");
  ASSERT_TRUE(eventually([&] { return stateOf(fleet, "web-01", impostor) == "denied"; }, 20s))
      << fleet.controller().log();
  EXPECT_THAT(fleet.controller().log(), HasSubstr("refused a second agent for host web-01"));

  ASSERT_EQ(fleet.agent(1).stop(SIGTERM, 20s), 0);
  ASSERT_EQ(fleet.agent(0).stop(SIGTERM, 20s), 0);
  auto legit = parseStopLine(fleet.agent(0).log());
  auto refused = parseStopLine(fleet.agent(1).log());
  ASSERT_TRUE(legit && refused);
  EXPECT_EQ(refused->acked, 0u);
  EXPECT_GT(refused->collected, 0u);
  // Never merged: the host holds exactly what the enrolled agent delivered.
  EXPECT_EQ(fleet.storedSamples("web-01"), legit->acked);
  EXPECT_THAT(fleet.agent(1).log(), HasSubstr("enrolled with another key"));
}

TEST(EnrolmentTest, AgentPinnedToAnotherControllerKeyNeverTalks) {
  Fleet fleet(Security::kCurve);
  fleet.startController();
  // The agent trusts a different "controller" key: the CURVE handshake fails.
  const std::string wrong_pub = fleet.keyPair("not-the-controller") + ".pub";
  std::vector<std::string> argv{binary("tidemark-agent"), "--controller", fleet.endpoint(),
                                "--host-id", "pinned", "--state-dir", fleet.dir().str() + "/pinned",
                                "--interval", "1s", "--curve-key", fleet.keyPair("pinned") + ".key",
                                "--controller-pub", wrong_pub};
  ChildProcess agent(argv, fleet.dir().str() + "/pinned.log");
  std::this_thread::sleep_for(3s);
  // The handshake never completed, so the controller never even saw a claim.
  EXPECT_EQ(fleet.cli({"agents", "list"})["agents"].size(), 0u);
  EXPECT_EQ(fleet.cli({"status"})["samples"], 0);
  EXPECT_EQ(agent.stop(SIGTERM, 20s), 0);
  auto counts = parseStopLine(agent.log());
  ASSERT_TRUE(counts) << agent.log();
  EXPECT_EQ(counts->acked, 0u);
}

TEST(EnrolmentTest, RevokeStopsStoringWithoutRestart) {
  Fleet fleet(Security::kCurve);
  fleet.startController();
  fleet.startAgent("leaver");
  ASSERT_TRUE(eventually([&] { return fleet.cliRaw({"agents", "accept", "leaver"}).exit_code == 0; }, 20s));
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("leaver") > 0; }, 40s));
  auto revoked = fleet.cli({"agents", "revoke", "leaver"});
  EXPECT_THAT(revoked["done"].get<std::string>(), HasSubstr("revoked"));
  // Let in-flight batches settle, then the count must stay put.
  std::this_thread::sleep_for(1500ms);
  const uint64_t after_revoke = fleet.storedSamples("leaver");
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(fleet.storedSamples("leaver"), after_revoke);
  EXPECT_EQ(stateOf(fleet, "leaver", fleet.publicKey("leaver")), "denied");
}

TEST(EnrolmentTest, KeyDroppedIntoThePkiDirIsAcceptedWithoutRestart) {
  Fleet fleet(Security::kCurve);
  fleet.startController();
  // What Ansible does: put the agent's public key into accepted/HOST.
  std::filesystem::copy_file(fleet.keyPair("dropped") + ".pub",
                             fleet.dir().str() + "/data/pki/accepted/dropped");
  fleet.startAgent("dropped");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("dropped") > 0; }, 30s))
      << fleet.controller().log();
}

TEST(EnrolmentTest, SecretKeyReadableByOthersIsRefused) {
  Fleet fleet(Security::kCurve);
  const std::string prefix = fleet.keyPair("loose");
  ::chmod((prefix + ".key").c_str(), 0644);
  auto result = runCommand({binary("tidemark-agent"), "--controller", "tcp://127.0.0.1:7070",
                            "--curve-key", prefix + ".key", "--controller-pub", prefix + ".pub",
                            "--state-dir", fleet.dir().str() + "/s"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("chmod 600"));
}

TEST(EnrolmentTest, CurveIsTheDefault) {
  TempDir dir;
  auto agent = runCommand({binary("tidemark-agent"), "--controller", "tcp://127.0.0.1:7070",
                           "--state-dir", dir.str() + "/s"});
  EXPECT_EQ(agent.exit_code, 2);
  EXPECT_THAT(agent.err, HasSubstr("--curve-key and --controller-pub are required"));
  auto controller = runCommand({binary("tidemark-controller"), "--data-dir", dir.str() + "/d",
                                "--listen", "tcp://127.0.0.1:*", "--admin-socket", dir.str() + "/a.sock"});
  EXPECT_EQ(controller.exit_code, 2);
  EXPECT_THAT(controller.err, HasSubstr("--curve-key is required"));
}

}  // namespace
}  // namespace tidemark::testing
