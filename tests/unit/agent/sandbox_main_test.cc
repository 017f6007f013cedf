// `tidemark-agent --print-sandbox` as Ansible runs it: the real binary over a fixture
// host, its JSON parsed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

using testing::binary;
using testing::fixturePath;
using testing::runCommand;
using testing::TempDir;
using Strings = std::vector<std::string>;

TEST(PrintSandbox, PrintsThePlanForTheFixtureHostAsJson) {
  TempDir state;
  const std::string policy = fixturePath("sandbox/policy.toml");
  // No --controller and no keys: this mode talks to no one.
  const auto result = runCommand({binary("tidemark-agent"), "--print-sandbox", "--root",
                                  fixturePath("hosts/sandbox"), "--policy", policy, "--state-dir",
                                  state.str(), "--pier-root", "/srv/piers", "--host-id", "web-01"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["policy"], policy);
  Strings paths = {"/etc/default",
                   "/proc/sys/vm/dirty_bytes",
                   "/proc/sys/vm/dirty_ratio",
                   "/proc/sys/vm/swappiness",
                   "/srv/piers",
                   "/sys/block/nvme0n1/queue/scheduler",
                   "/sys/block/sda/queue/scheduler",
                   state.str()};
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(plan["read_write_paths"].get<Strings>(), paths);
  EXPECT_EQ(plan["capabilities"].get<Strings>(),
            (Strings{"CAP_BPF", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
                     "CAP_FOWNER", "CAP_KILL", "CAP_PERFMON", "CAP_SETGID", "CAP_SETUID",
                     "CAP_SYS_ADMIN", "CAP_SYS_NICE", "CAP_SYS_PTRACE"}));
  EXPECT_EQ(plan["knobs"].get<Strings>(),
            (Strings{"block.scheduler:nvme0n1", "block.scheduler:sda", "mount.atime:/",
                     "mount.atime:/srv/piers", "ship.loom:*", "ship.nice:*", "ship.pack:*",
                     "vm.dirty_ratio", "vm.swappiness"}));
  ASSERT_EQ(plan["unmatched_policy_entries"].size(), 2u);
  EXPECT_EQ(plan["unmatched_policy_entries"][0]["knob"], "vm.max_map_count");
  EXPECT_EQ(plan["unmatched_policy_entries"][1]["knob"], "block.read_ahead_kb:sdz");
  EXPECT_EQ(plan["unmatched_policy_entries"][1]["reason"],
            "no knob block.read_ahead_kb:sdz on this host");
  EXPECT_EQ(plan["why"]["/proc/sys/vm/swappiness"].get<Strings>(), Strings{"vm.swappiness"});
  EXPECT_EQ(plan["why"]["CAP_SYS_NICE"].get<Strings>(), Strings{"ship.nice:*"});
  EXPECT_EQ(plan["why"][state.str()].get<Strings>(), Strings{"state_dir"});
}

TEST(PrintSandbox, ReadsTheConfigFile) {
  TempDir dir;
  dir.write("agent.toml", "root = \"" + fixturePath("hosts/sandbox") +
                              "\"\nstate_dir = \"/var/lib/tidemark-agent\"\n"
                              "[tuning]\nloom_file = \"/etc/urbit/{ship}.env\"\n");
  dir.write("policy.toml", "[[allow]]\nknob = \"ship.loom:*\"\n");
  const auto result = runCommand({binary("tidemark-agent"), "--print-sandbox", "--config",
                                  dir.str() + "/agent.toml", "--policy", dir.str() + "/policy.toml",
                                  "--host-id", "web-01"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const nlohmann::json plan = nlohmann::json::parse(result.out);
  EXPECT_EQ(plan["read_write_paths"].get<Strings>(),
            (Strings{"/etc/urbit", "/var/lib/tidemark-agent"}));
  EXPECT_EQ(plan["why"]["/etc/urbit"].get<Strings>(), Strings{"ship.loom:*"});
}

TEST(PrintSandbox, ABadPolicyExitsTwoNamingThePath) {
  const std::string policy = fixturePath("sandbox/bad_policy.toml");
  auto result = runCommand({binary("tidemark-agent"), "--print-sandbox", "--root",
                            fixturePath("hosts/sandbox"), "--policy", policy, "--host-id", "web-01"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_NE(result.err.find("--policy: " + policy + ":"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("min 60 > max 1"), std::string::npos) << result.err;

  result = runCommand({binary("tidemark-agent"), "--print-sandbox", "--policy", "/nonexistent/p.toml",
                       "--host-id", "web-01"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("/nonexistent/p.toml"), std::string::npos) << result.err;
}

TEST(PrintSandbox, ABadConfigExitsTwo) {
  TempDir dir;
  dir.write("agent.toml", "print_sandbox = true\n");
  const auto result = runCommand({binary("tidemark-agent"), "--print-sandbox", "--config",
                                  dir.str() + "/agent.toml", "--host-id", "web-01"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("print_sandbox"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace tidemark::agent
