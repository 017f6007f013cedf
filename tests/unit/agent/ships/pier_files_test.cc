#include "agent/ships/pier_files.h"

#include <gtest/gtest.h>

#include "agent/ships/process_stat.h"

namespace tidemark::agent {
namespace {

TEST(VereLockTest, ParsesPidAndRejectsGarbage) {
  EXPECT_EQ(parseVereLock("1234\n"), 1234);
  EXPECT_EQ(parseVereLock(" 77 "), 77);
  EXPECT_FALSE(parseVereLock(""));
  EXPECT_FALSE(parseVereLock("0\n"));
  EXPECT_FALSE(parseVereLock("-5\n"));
  EXPECT_FALSE(parseVereLock("12ab\n"));
  EXPECT_FALSE(parseVereLock(std::string("\xff\x00\x01", 3)));
  EXPECT_FALSE(parseVereLock("99999999999999999999999\n"));
}

TEST(HttpPortsTest, ParsesListenersAndSkipsJunk) {
  std::vector<HttpPort> ports;
  ParseProblems problems("ships", "/srv/zod");
  parseHttpPorts(
      "8080 insecure public\n12321 insecure loopback\n443 secure public\n"
      "junk\n70000 insecure public\n80 maybe public\n0 insecure loopback\n\n",
      ports, problems);
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0].port, 8080);
  EXPECT_FALSE(ports[0].secure);
  EXPECT_FALSE(ports[0].loopback);
  EXPECT_EQ(ports[1].port, 12321);
  EXPECT_TRUE(ports[1].loopback);
  EXPECT_TRUE(ports[2].secure);
  EXPECT_EQ(problems.count(), 4u);
}

TEST(EpochFolderTest, OnlyZeroIThenDigits) {
  EXPECT_EQ(parseEpochFolder("0i0"), 0u);
  EXPECT_EQ(parseEpochFolder("0i123456"), 123456u);
  EXPECT_FALSE(parseEpochFolder("0i"));
  EXPECT_FALSE(parseEpochFolder("data.mdb"));
  EXPECT_FALSE(parseEpochFolder("0ix"));
}

TEST(ProcessStatTest, ParsesFieldsAfterAnAwkwardName) {
  // The name holds a space and a ')': fields are counted from the last ')'.
  const std::string stat =
      "4242 (ur bit) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 987654 "
      "123456789 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  ProcessStat parsed;
  ASSERT_TRUE(parseProcessStat(stat, parsed));
  EXPECT_EQ(parsed.ppid, 17);
  EXPECT_EQ(parsed.utime_ticks, 250u);
  EXPECT_EQ(parsed.stime_ticks, 75u);
  EXPECT_EQ(parsed.start_ticks, 987654u);
  EXPECT_EQ(parsed.rss_pages, 3000u);
}

TEST(ProcessStatTest, RejectsTruncatedAndGarbage) {
  ProcessStat parsed;
  EXPECT_FALSE(parseProcessStat("", parsed));
  EXPECT_FALSE(parseProcessStat("12 (x) S 1 2 3", parsed));
  EXPECT_FALSE(parseProcessStat("no parenthesis at all", parsed));
  EXPECT_FALSE(parseProcessStat(
      "1 (x) S a 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 100 10 0\n", parsed));
}

}  // namespace
}  // namespace tidemark::agent
