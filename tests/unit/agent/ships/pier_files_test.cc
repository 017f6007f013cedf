#include "agent/ships/pier_files.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace tidemark::agent
