#include "agent/collectors/network_speed.h"

#include <gtest/gtest.h>

#include "agent/io/plain_file_reader.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

constexpr const char* kSpeed = "node_network_speed_bytes";

TEST(NetworkSpeedTest, ParsesMegabitsIntoBytesPerSecond) {
  double bytes = 0;
  EXPECT_TRUE(parseLinkSpeed("1000\n", bytes));
  EXPECT_EQ(bytes, 125e6);
  EXPECT_TRUE(parseLinkSpeed("25000", bytes));
  EXPECT_EQ(bytes, 3125e6);
  EXPECT_FALSE(parseLinkSpeed("-1\n", bytes));  // a link that is down
  EXPECT_FALSE(parseLinkSpeed("0", bytes));
  EXPECT_FALSE(parseLinkSpeed("fast", bytes));
  EXPECT_FALSE(parseLinkSpeed("", bytes));
}

class NetworkSpeedCollectorTest : public ::testing::Test {
 protected:
  ManualClock clock_;
  ThrottledLog log_{clock_, /*period_ms=*/1};
};

TEST_F(NetworkSpeedCollectorTest, ReportsLinksWithASpeedAndSkipsTheRest) {
  tidemark::testing::TempDir root;
  root.write("sys/class/net/eth0/speed", "1000\n");
  root.write("sys/class/net/eth1/speed", "-1\n");     // down
  root.write("sys/class/net/lo/speed", "10\n");       // loopback is no link
  root.write("sys/class/net/veth7/address", "x\n");  // virtual: no speed file
  PlainFileReader reader(root.str());
  NetworkSpeedCollector collector(reader, log_, clock_);
  EXPECT_EQ(collector.name(), "network_speed");
  RecordingSampleWriter out;
  collector.collect(out);
  EXPECT_EQ(out.value(kSpeed, {{"device", "eth0"}}), 125e6);
  EXPECT_EQ(out.samples.size(), 1u);
}

TEST_F(NetworkSpeedCollectorTest, RereadsOnlyAfterTheRefreshInterval) {
  tidemark::testing::TempDir root;
  root.write("sys/class/net/eth0/speed", "1000\n");
  PlainFileReader plain(root.str());
  tidemark::testing::CountingFileReader reader(plain);
  NetworkSpeedCollector collector(reader, log_, clock_, /*refresh_interval_ms=*/60'000);
  RecordingSampleWriter first;
  collector.collect(first);
  EXPECT_EQ(reader.reads, 1);
  root.write("sys/class/net/eth0/speed", "10000\n");
  clock_.advanceMs(30'000);
  RecordingSampleWriter cached;
  collector.collect(cached);
  EXPECT_EQ(reader.reads, 1);
  EXPECT_EQ(cached.value(kSpeed, {{"device", "eth0"}}), 125e6);
  clock_.advanceMs(30'000);
  RecordingSampleWriter fresh;
  collector.collect(fresh);
  EXPECT_EQ(fresh.value(kSpeed, {{"device", "eth0"}}), 1250e6);
}

TEST_F(NetworkSpeedCollectorTest, AMissingFolderIsLoggedNotThrown) {
  tidemark::testing::TempDir root;
  PlainFileReader reader(root.str());
  NetworkSpeedCollector collector(reader, log_, clock_);
  tidemark::testing::LogCapture capture;
  RecordingSampleWriter out;
  collector.collect(out);
  EXPECT_TRUE(out.samples.empty());
  EXPECT_NE(capture.text().find("/sys/class/net"), std::string::npos) << capture.text();
}

}  // namespace
}  // namespace tidemark::agent
