#include "agent/ships/urbit_command_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tidemark::agent {
namespace {

// A /proc/PID/cmdline: arguments each followed by a NUL.
std::string cmdline(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& arg : args) {
    out += arg;
    out += '\0';
  }
  return out;
}

TEST(UrbitCommandLineTest, KingWithFlagsTakesTheLastPositionalAsPier) {
  const UrbitCommand command =
      parseUrbitCommandLine(cmdline({"/usr/local/bin/urbit", "-t", "-p", "34543", "--http-port",
                                     "8081", "--loom", "33", "sampel-palnet"}));
  EXPECT_EQ(command.role, UrbitRole::kKing);
  EXPECT_EQ(command.pier, "sampel-palnet");  // not "34543" nor "8081": those are values
  EXPECT_EQ(command.loom_bits, 33);
}

TEST(UrbitCommandLineTest, KingWithoutLoomHasNone) {
  const UrbitCommand command = parseUrbitCommandLine(cmdline({"urbit", "/srv/piers/zod"}));
  EXPECT_EQ(command.role, UrbitRole::kKing);
  EXPECT_EQ(command.pier, "/srv/piers/zod");
  EXPECT_FALSE(command.loom_bits.has_value());
}

TEST(UrbitCommandLineTest, LoomWithEqualsAndOutOfRange) {
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"urbit", "--loom=32", "zod"})).loom_bits, 32);
  EXPECT_FALSE(parseUrbitCommandLine(cmdline({"urbit", "--loom", "40", "zod"})).loom_bits);
  EXPECT_FALSE(parseUrbitCommandLine(cmdline({"urbit", "--loom", "x", "zod"})).loom_bits);
}

TEST(UrbitCommandLineTest, RunScriptNamesThePierByItsFolder) {
  const UrbitCommand command =
      parseUrbitCommandLine(cmdline({"/srv/piers/zod/.run", "-t", "--loom", "32"}));
  EXPECT_EQ(command.role, UrbitRole::kKing);
  EXPECT_EQ(command.pier, "/srv/piers/zod");
  EXPECT_EQ(command.loom_bits, 32);
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"./.run"})).pier, ".");
}

TEST(UrbitCommandLineTest, NewPierFromDashC) {
  const UrbitCommand command =
      parseUrbitCommandLine(cmdline({"urbit", "-w", "sampel", "-k", "key.txt", "-c", "sampel"}));
  EXPECT_EQ(command.role, UrbitRole::kKing);
  EXPECT_EQ(command.pier, "sampel");
}

TEST(UrbitCommandLineTest, FourXSerf) {
  const UrbitCommand command = parseUrbitCommandLine(
      cmdline({"urbit", "work", "--snap-dir", "/srv/zod", "--loom", "31", "--snap-time", "120"}));
  EXPECT_EQ(command.role, UrbitRole::kSerf);
  EXPECT_EQ(command.pier, "/srv/zod");
  EXPECT_EQ(command.loom_bits, 31);
}

TEST(UrbitCommandLineTest, OldSerf) {
  const UrbitCommand command =
      parseUrbitCommandLine(cmdline({"/usr/bin/urbit", "serf", "zod", "0:0:0:0", "0"}));
  EXPECT_EQ(command.role, UrbitRole::kSerf);
  EXPECT_EQ(command.pier, "zod");
}

TEST(UrbitCommandLineTest, NotShips) {
  // Offline maintenance, other programs, a serf without a pier, nothing at all.
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"urbit", "pack", "zod"})).role, UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"urbit", "meld", "zod"})).role, UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"/usr/bin/python3", "urbit", "zod"})).role,
            UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"urbit-standin", "make-pier", "zod"})).role,
            UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"urbit", "work", "--loom", "31"})).role,
            UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"urbit", "-t"})).role, UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine("").role, UrbitRole::kNone);
  EXPECT_EQ(parseUrbitCommandLine(std::string("\0\0\0", 3)).role, UrbitRole::kNone);
}

TEST(UrbitCommandLineTest, VersionedBinaryIsAKing) {
  EXPECT_EQ(parseUrbitCommandLine(cmdline({"/opt/urbit-v4.1", "zod"})).role, UrbitRole::kKing);
}

}  // namespace
}  // namespace tidemark::agent
