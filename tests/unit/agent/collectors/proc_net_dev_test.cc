#include "agent/collectors/proc_net_dev.h"

#include <gtest/gtest.h>

#include <set>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

class NetDevCollectorTest : public ::testing::Test {
 protected:
  std::optional<double> net(const std::string& metric, const std::string& device) {
    return out_.value("node_network_" + metric + "_total", {{"device", device}});
  }
  std::set<std::string> devices() const {
    std::set<std::string> names;
    for (const auto& s : out_.samples) names.insert(s.labels.at(0).value);
    return names;
  }

  ManualClock clock_;
  ThrottledLog log_{clock_};
  RecordingSampleWriter out_;
};

TEST_F(NetDevCollectorTest, ReadsEveryCounterOfBasicHost) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  NetDevCollector collector(log_);
  EXPECT_EQ(collector.name(), "proc_net_dev");
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(logs.text(), "");

  EXPECT_EQ(devices(), (std::set<std::string>{"lo", "eth0", "docker0"}));
  EXPECT_EQ(out_.samples.size(), 16u * 3u);

  EXPECT_EQ(net("receive_bytes", "eth0"), 9876543210.0);
  EXPECT_EQ(net("receive_packets", "eth0"), 7654321.0);
  EXPECT_EQ(net("receive_errs", "eth0"), 12.0);
  EXPECT_EQ(net("receive_drop", "eth0"), 34.0);
  EXPECT_EQ(net("receive_fifo", "eth0"), 5.0);
  EXPECT_EQ(net("receive_frame", "eth0"), 6.0);
  EXPECT_EQ(net("receive_compressed", "eth0"), 7.0);
  EXPECT_EQ(net("receive_multicast", "eth0"), 890.0);
  EXPECT_EQ(net("transmit_bytes", "eth0"), 1234567890.0);
  EXPECT_EQ(net("transmit_packets", "eth0"), 2345678.0);
  EXPECT_EQ(net("transmit_errs", "eth0"), 1.0);
  EXPECT_EQ(net("transmit_drop", "eth0"), 2.0);
  EXPECT_EQ(net("transmit_fifo", "eth0"), 3.0);
  EXPECT_EQ(net("transmit_colls", "eth0"), 4.0);
  EXPECT_EQ(net("transmit_carrier", "eth0"), 5.0);
  EXPECT_EQ(net("transmit_compressed", "eth0"), 6.0);

  EXPECT_EQ(net("receive_bytes", "lo"), 8412391.0);
  EXPECT_EQ(net("transmit_packets", "lo"), 61237.0);
  EXPECT_EQ(net("receive_bytes", "docker0"), 0.0);
}

TEST_F(NetDevCollectorTest, SkipsBadLinesAndReadsNameGluedToCounters) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  NetDevCollector collector(log_);
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);

  // wlan0 is printed "wlan0:4294967296" as kernels before 3.x did for wide counters.
  EXPECT_EQ(devices(), (std::set<std::string>{"lo", "wlan0"}));
  EXPECT_EQ(net("receive_bytes", "wlan0"), 4294967296.0);
  EXPECT_EQ(net("transmit_bytes", "wlan0"), 5.0);
  EXPECT_EQ(out_.samples.size(), 16u * 2u);

  EXPECT_EQ(logs.count("proc_net_dev: /proc/net/dev line 4 "), 1u);
  EXPECT_EQ(logs.count("9 counters, need 16; line skipped"), 1u);
  EXPECT_EQ(logs.count("no ':' after the interface name; line skipped"), 1u);
  EXPECT_EQ(logs.count("counter 3 (\"x\") is not a number; line skipped"), 1u);
  EXPECT_EQ(logs.count("empty interface name; line skipped"), 1u);
}

TEST_F(NetDevCollectorTest, EmptyFileIsReportedOnce) {
  tidemark::testing::TempDir root;
  root.write("proc/net/dev", "");
  PlainReadBatch batch(root.str());
  NetDevCollector collector(log_);
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_TRUE(out_.samples.empty());
  EXPECT_EQ(logs.count("proc_net_dev: /proc/net/dev: file is empty"), 1u);
}

}  // namespace
}  // namespace tidemark::agent
