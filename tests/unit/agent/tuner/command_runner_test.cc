#include "agent/tuner/command_runner.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/test_support.h"

namespace tidemark::agent::tuner {
namespace {

using namespace std::chrono_literals;
using testing::TempDir;

// True once `pid` is gone or a zombie (killed, not yet reaped by whoever inherited it).
bool processEnded(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

// Waits (without asserting on how long) for `pid` to end; false after a generous limit.
bool waitForEnd(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    if (processEnded(pid)) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

pid_t readPid(const std::string& path) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream in(path);
    pid_t pid = 0;
    if (in >> pid && pid > 0) return pid;
    std::this_thread::sleep_for(20ms);
  }
  return 0;
}

TEST(CommandRunner, ReportsExitCodeAndTheTailOfOutput) {
  const CommandOutcome ok = runCommand("echo hello; echo oops >&2", 30s);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.output, "hello\noops\n");
  EXPECT_EQ(ok.describe(), "exit 0: oops");

  const CommandOutcome failed = runCommand("echo first; echo 'mount: not permitted'; exit 3", 30s);
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.exit_code, 3);
  EXPECT_EQ(failed.describe(), "exit 3: mount: not permitted");

  const CommandOutcome chatty = runCommand("seq 1 20000; echo last", 30s);
  EXPECT_TRUE(chatty.ok());
  EXPECT_LE(chatty.output.size(), 4096u);
  EXPECT_EQ(chatty.output.substr(chatty.output.size() - 11), "20000\nlast\n");

  const CommandOutcome killed = runCommand("kill -9 $$", 30s);
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);
}

TEST(CommandRunner, TimeoutKillsTheWholeProcessGroup) {
  TempDir dir;
  const std::string pid_file = dir.str() + "/child.pid";
  const CommandOutcome outcome =
      runCommand("sleep 300 & echo $! > " + shellQuote(pid_file) + "; wait", 300ms);
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.describe(), "timed out; its process group was killed");
  const pid_t child = readPid(pid_file);
  ASSERT_GT(child, 0);
  EXPECT_TRUE(waitForEnd(child)) << "the shell's background child outlived the timeout";
}

TEST(CommandRunner, ABackgroundChildHoldingStdoutDoesNotKeepItWaiting) {
  TempDir dir;
  const std::string pid_file = dir.str() + "/daemon.pid";
  // Like a ship's start command: it leaves a daemon behind that keeps the pipe open.
  const CommandOutcome outcome =
      runCommand("sleep 300 & echo $! > " + shellQuote(pid_file) + "; echo started", 60s);
  EXPECT_TRUE(outcome.ok()) << outcome.describe();
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_NE(outcome.output.find("started"), std::string::npos);
  const pid_t daemon = readPid(pid_file);
  ASSERT_GT(daemon, 0);
  EXPECT_FALSE(processEnded(daemon));
  ::kill(daemon, SIGKILL);
}

TEST(CommandRunner, PlaceholdersAreShellQuoted) {
  const std::string command =
      expandCommand("printf '%s|' {a} {b}", {{"a", "it's; rm -rf /"}, {"b", "$(id) `x` \"q\""}});
  EXPECT_EQ(command, "printf '%s|' 'it'\\''s; rm -rf /' '$(id) `x` \"q\"'");
  const CommandOutcome outcome = runCommand(command, 30s);
  EXPECT_EQ(outcome.output, "it's; rm -rf /|$(id) `x` \"q\"|");
  EXPECT_EQ(shellQuote(""), "''");
}

TEST(CommandRunner, UnknownPlaceholderThrowsNamingIt) {
  try {
    expandCommand("mount -o remount,{option} {mount_point}", {{"option", "noatime"}});
    FAIL() << "an unknown placeholder must be refused";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown placeholder {mount_point}"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace tidemark::agent::tuner
