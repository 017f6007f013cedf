// --check-config on the real binaries, as Ansible's `template: validate:` runs them: a
// good file prints one OK line and exits 0 without creating the state or data folder
// or the admin socket; a bad one prints the error naming the file and exits 2.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace tidemark::testing {
namespace {

using ::testing::HasSubstr;

// Key pairs made by the real `tidemark keys generate`.
void generateKeys(const TempDir& dir) {
  for (const char* name : {"agent", "controller"}) {
    const CommandResult made =
        runCommand({binary("tidemark"), "keys", "generate", "--out", dir.str() + "/" + name});
    ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  }
}

TEST(DaemonOptionsCheckConfigTest, AgentGoodFileSaysOkAndCreatesNothing) {
  TempDir dir;
  generateKeys(dir);
  dir.write("policy.toml", "[[allow]]\nknob = \"vm.swappiness\"\nmin = 1\nmax = 60\n");
  dir.write("agent.toml", "controller = \"tcp://controller.example:7070\"\n"
                          "host_id = \"web-01\"\n"
                          "state_dir = \"" + dir.str() + "/state\"\n"
                          "curve_key = \"" + dir.str() + "/agent.key\"\n"
                          "controller_pub = \"" + dir.str() + "/controller.pub\"\n"
                          "policy = \"" + dir.str() + "/policy.toml\"\n");
  const std::string config = dir.str() + "/agent.toml";
  const CommandResult result =
      runCommand({binary("tidemark-agent"), "--config", config, "--check-config"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "tidemark-agent: configuration OK (" + config + ")\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "state"));
}

TEST(DaemonOptionsCheckConfigTest, AgentBadFileOrPolicyIsNamedAndExitsTwo) {
  TempDir dir;
  generateKeys(dir);
  dir.write("agent.toml", "controller = \"tcp://controller.example:7070\"\n"
                          "interval = \"ten\"\n");
  CommandResult result = runCommand(
      {binary("tidemark-agent"), "--config", dir.str() + "/agent.toml", "--check-config"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("tidemark-agent: " + dir.str() + "/agent.toml: key 'interval'"));

  dir.write("policy.toml", "[[allow]]\nknob = \"vm.swappiness\"\nmin = 60\nmax = 1\n");
  dir.write("agent.toml", "controller = \"tcp://controller.example:7070\"\n"
                          "host_id = \"web-01\"\n"
                          "policy = \"" + dir.str() + "/policy.toml\"\n");
  result = runCommand({binary("tidemark-agent"), "--config", dir.str() + "/agent.toml",
                       "--curve-key", dir.str() + "/agent.key", "--controller-pub",
                       dir.str() + "/controller.pub", "--check-config"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--policy: "));
  EXPECT_THAT(result.err, HasSubstr(dir.str() + "/policy.toml"));
}

TEST(DaemonOptionsCheckConfigTest, ControllerGoodFileSaysOkAndCreatesNothing) {
  TempDir dir;
  generateKeys(dir);
  dir.write("controller.toml", "data_dir = \"" + dir.str() + "/data\"\n"
                               "listen = \"tcp://127.0.0.1:7070\"\n"
                               "admin_socket = \"" + dir.str() + "/run/controller.sock\"\n"
                               "curve_key = \"" + dir.str() + "/controller.key\"\n");
  const std::string config = dir.str() + "/controller.toml";
  const CommandResult result =
      runCommand({binary("tidemark-controller"), "--config", config, "--check-config"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "tidemark-controller: configuration OK (" + config + ")\n");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "run"));
}

TEST(DaemonOptionsCheckConfigTest, ControllerBadFileOrKeyIsNamedAndExitsTwo) {
  TempDir dir;
  dir.write("controller.toml", "data_dir = \"" + dir.str() + "/data\"\n"
                               "listen = \"tcp://127.0.0.1:7070\"\n"
                               "curve_key = \"" + dir.str() + "/missing.key\"\n");
  const CommandResult result = runCommand(
      {binary("tidemark-controller"), "--config", dir.str() + "/controller.toml", "--check-config"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.out, "");
  EXPECT_THAT(result.err, HasSubstr("tidemark-controller: "));
  EXPECT_THAT(result.err, HasSubstr(dir.str() + "/missing.key"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "data"));
}

}  // namespace
}  // namespace tidemark::testing
