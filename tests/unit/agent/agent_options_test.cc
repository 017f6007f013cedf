#include "agent/agent_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/config/option_set.h"
#include "common/errors/error.h"
#include "tests/support/test_support.h"

namespace tidemark::agent {
namespace {

AgentOptions parse(std::vector<std::string> args) {
  args.insert(args.begin(), {"tidemark-agent", "--controller", "tcp://127.0.0.1:5555",
                             "--insecure", "--host-id", "web-01"});
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parseAgentOptions(static_cast<int>(argv.size()), argv.data());
}

// --help is answered by the parser's own App, so every option is listed (a fresh App
// in main once printed none).
TEST(AgentOptionsHelpTest, HelpListsTheOptionsAndExitsZero) {
  ::testing::internal::CaptureStdout();
  try {
    parse({"--help"});
    ::testing::internal::GetCapturedStdout();
    FAIL() << "expected CommandLineExit";
  } catch (const CommandLineExit& e) {
    const std::string help = ::testing::internal::GetCapturedStdout();
    EXPECT_EQ(e.code, 0);
    for (const char* flag : {"--controller", "--pier-root", "--io", "--outbox-max-bytes"}) {
      EXPECT_NE(help.find(flag), std::string::npos) << flag << " missing from:\n" << help;
    }
  }
}

TEST(AgentOptionsHelpTest, AnUnknownFlagExitsNonZero) {
  ::testing::internal::CaptureStderr();
  try {
    parse({"--no-such-flag"});
    ::testing::internal::GetCapturedStderr();
    FAIL() << "expected CommandLineExit";
  } catch (const CommandLineExit& e) {
    const std::string error = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(e.code, 0);
    EXPECT_NE(error.find("no-such-flag"), std::string::npos) << error;
  }
}

TEST(AgentOptionsIoTest, DefaultsToAutoAndTakesTheFlag) {
  EXPECT_EQ(parse({}).io, "auto");
  EXPECT_EQ(parse({"--io", "plain"}).io, "plain");
  EXPECT_EQ(parse({"--io", "io_uring"}).io, "io_uring");
}

TEST(AgentOptionsIoTest, RejectsAnUnknownBackendNamingTheChoices) {
  try {
    parse({"--io", "uring"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("auto, io_uring, plain"), std::string::npos) << e.what();
  }
}

TEST(AgentOptionsIoTest, ReadsTheTomlKey) {
  testing::TempDir dir;
  dir.write("agent.toml", "io = \"plain\"\n");
  EXPECT_EQ(parse({"--config", dir.str() + "/agent.toml"}).io, "plain");
}

TEST(AgentOptionsProcessStatsTest, DefaultsToAutoAndTakesTheFlagAndTheTomlKey) {
  EXPECT_EQ(parse({}).process_stats, "auto");
  EXPECT_EQ(parse({"--process-stats", "proc"}).process_stats, "proc");
  testing::TempDir dir;
  dir.write("agent.toml", "process_stats = \"bpf\"\n");
  EXPECT_EQ(parse({"--config", dir.str() + "/agent.toml"}).process_stats, "bpf");
}

TEST(AgentOptionsProcessStatsTest, RejectsAnUnknownSourceNamingTheChoices) {
  try {
    parse({"--process-stats", "ebpf"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("\"ebpf\" is not one of auto, proc, bpf"),
              std::string::npos)
        << e.what();
  }
}

TEST(AgentOptionsTuningTest, DefaultsLeaveTheTunersOwnAndTheFileSetsTheTemplates) {
  const AgentOptions defaults = parse({});
  EXPECT_FALSE(defaults.tuning.disabled);
  EXPECT_TRUE(defaults.tuning.policy.empty());
  EXPECT_EQ(defaults.tuning.survey_interval_ms, 300'000);
  EXPECT_TRUE(defaults.tuning.stop_command.empty());  // the tuner's default

  testing::TempDir dir;
  dir.write("agent.toml",
            "policy = \"/etc/tidemark/policy.toml\"\n"
            "[tuning]\n"
            "stop_command = \"kill -TERM $(head -1 {pier}/.vere.lock)\"\n"
            "job_timeout = \"30m\"\n"
            "extra_sysctls = [\"vm.vfs_cache_pressure\"]\n");
  const AgentOptions options = parse({"--config", dir.str() + "/agent.toml", "--tuning-disabled"});
  EXPECT_EQ(options.tuning.policy, "/etc/tidemark/policy.toml");
  EXPECT_EQ(options.tuning.stop_command, "kill -TERM $(head -1 {pier}/.vere.lock)");
  EXPECT_EQ(options.tuning.job_timeout_ms, 30 * 60'000);
  EXPECT_EQ(options.tuning.extra_sysctls, std::vector<std::string>{"vm.vfs_cache_pressure"});
  EXPECT_TRUE(options.tuning.disabled);
}

TEST(AgentOptionsTuningTest, ASurveyIntervalUnderASecondIsRefused) {
  EXPECT_THROW(parse({"--tuning-survey-interval", "500ms"}), ConfigError);
}

// Without the controller flags the parse() helper adds.
AgentOptions parseBare(std::vector<std::string> args) {
  args.insert(args.begin(), "tidemark-agent");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parseAgentOptions(static_cast<int>(argv.size()), argv.data());
}

TEST(AgentOptionsPrintSandboxTest, NeedsNoControllerNorKeys) {
  const AgentOptions options =
      parseBare({"--print-sandbox", "--host-id", "web-01", "--policy", "/etc/tidemark/p.toml"});
  EXPECT_TRUE(options.print_sandbox);
  EXPECT_TRUE(options.controller.empty());
  EXPECT_EQ(options.tuning.policy, "/etc/tidemark/p.toml");
  EXPECT_FALSE(parse({}).print_sandbox);
  // Without it the controller and the keys are still required.
  EXPECT_THROW(parseBare({"--host-id", "web-01", "--insecure"}), ConfigError);
  EXPECT_THROW(parseBare({"--host-id", "web-01", "--controller", "tcp://127.0.0.1:5555"}),
               ConfigError);
}

TEST(AgentOptionsPrintSandboxTest, IsACommandLineFlagOnlyNotAFileKey) {
  testing::TempDir dir;
  dir.write("agent.toml", "print_sandbox = true\n");
  EXPECT_THROW(parse({"--config", dir.str() + "/agent.toml"}), ConfigError);
  // The file's other keys still apply in this mode.
  dir.write("tuning.toml", "policy = \"/etc/tidemark/policy.toml\"\n");
  const AgentOptions options = parseBare(
      {"--print-sandbox", "--host-id", "web-01", "--config", dir.str() + "/tuning.toml"});
  EXPECT_EQ(options.tuning.policy, "/etc/tidemark/policy.toml");
}

}  // namespace
}  // namespace tidemark::agent
