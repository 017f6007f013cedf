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

}  // namespace
}  // namespace tidemark::agent
