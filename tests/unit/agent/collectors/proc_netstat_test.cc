#include "agent/collectors/proc_netstat.h"

#include <gtest/gtest.h>

#include "agent/io/plain_read_batch.h"
#include "common/time/clock.h"
#include "tests/support/recording_sample_writer.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::RecordingSampleWriter;

class NetstatCollectorTest : public ::testing::Test {
 protected:
  std::optional<double> netstat(const std::string& field) {
    return out_.value("node_netstat_" + field);
  }

  ManualClock clock_;
  ThrottledLog log_{clock_};
  RecordingSampleWriter out_;
};

TEST_F(NetstatCollectorTest, ReadsDefaultFieldsOfBasicHost) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/basic"));
  NetstatCollector collector(log_);
  EXPECT_EQ(collector.name(), "proc_netstat");
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(logs.text(), "");

  EXPECT_EQ(netstat("Ip_Forwarding"), 1.0);
  EXPECT_EQ(netstat("Icmp_InMsgs"), 1520.0);
  EXPECT_EQ(netstat("Icmp_InErrors"), 14.0);
  EXPECT_EQ(netstat("Icmp_OutMsgs"), 1533.0);
  EXPECT_EQ(netstat("Tcp_ActiveOpens"), 48213.0);
  EXPECT_EQ(netstat("Tcp_PassiveOpens"), 3921.0);
  EXPECT_EQ(netstat("Tcp_CurrEstab"), 42.0);
  EXPECT_EQ(netstat("Tcp_InSegs"), 5123456.0);
  EXPECT_EQ(netstat("Tcp_OutSegs"), 4987654.0);
  EXPECT_EQ(netstat("Tcp_RetransSegs"), 2345.0);
  EXPECT_EQ(netstat("Tcp_InErrs"), 6.0);
  EXPECT_EQ(netstat("Tcp_OutRsts"), 7890.0);
  EXPECT_EQ(netstat("Udp_InDatagrams"), 268000.0);
  EXPECT_EQ(netstat("Udp_NoPorts"), 1505.0);
  EXPECT_EQ(netstat("Udp_InErrors"), 9.0);
  EXPECT_EQ(netstat("Udp_OutDatagrams"), 271234.0);
  EXPECT_EQ(netstat("Udp_RcvbufErrors"), 4.0);
  EXPECT_EQ(netstat("Udp_SndbufErrors"), 5.0);
  EXPECT_EQ(netstat("UdpLite_InErrors"), 0.0);

  EXPECT_EQ(netstat("TcpExt_ListenOverflows"), 17.0);
  EXPECT_EQ(netstat("TcpExt_ListenDrops"), 19.0);
  EXPECT_EQ(netstat("TcpExt_SyncookiesSent"), 3.0);
  EXPECT_EQ(netstat("TcpExt_SyncookiesRecv"), 2.0);
  EXPECT_EQ(netstat("TcpExt_SyncookiesFailed"), 1.0);
  EXPECT_EQ(netstat("TcpExt_TCPSynRetrans"), 211.0);
  EXPECT_EQ(netstat("TcpExt_TCPTimeouts"), 305.0);
  EXPECT_EQ(netstat("TcpExt_TCPOFOQueue"), 4567.0);
  EXPECT_EQ(netstat("TcpExt_TCPRcvQDrop"), 8.0);
  EXPECT_EQ(netstat("IpExt_InOctets"), 98765432101.0);
  EXPECT_EQ(netstat("IpExt_OutOctets"), 12345678901.0);

  // Only the default fields: not Tcp MaxConn, TcpExt TW, IcmpMsg or MPTcpExt.
  EXPECT_EQ(out_.samples.size(), 30u);
  for (const auto& sample : out_.samples) EXPECT_TRUE(sample.labels.empty()) << sample.name;
}

TEST_F(NetstatCollectorTest, SkipsBadPairsAndValues) {
  PlainReadBatch batch(tidemark::testing::fixturePath("hosts/malformed"));
  NetstatCollector collector(log_);
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);

  EXPECT_EQ(netstat("Ip_Forwarding"), 2.0);
  EXPECT_EQ(netstat("Icmp_InMsgs"), 10.0);
  // The Udp header has no value line: UdpLite after it is still read as its own pair.
  EXPECT_EQ(netstat("UdpLite_InErrors"), 3.0);
  EXPECT_EQ(netstat("TcpExt_SyncookiesSent"), 5.0);
  EXPECT_EQ(netstat("TcpExt_ListenOverflows"), 6.0);
  EXPECT_EQ(out_.samples.size(), 5u);

  EXPECT_EQ(logs.count("proc_netstat: /proc/net/snmp line 4 \"Icmp: 10 x 0 18446744073709551616\": "
                       "not a number: Icmp InErrors (\"x\"), Icmp OutMsgs "
                       "(\"18446744073709551616\"); those series skipped"),
            1u);
  EXPECT_EQ(logs.count("proc_netstat: /proc/net/snmp line 6 "), 1u);
  EXPECT_EQ(logs.count("Tcp columns in the header and value lines differ from column 6"), 1u);
  EXPECT_EQ(logs.count("line 7 \"Udp: InDatagrams"), 1u);
  EXPECT_EQ(logs.count("next line is not its Udp value line; header skipped"), 1u);
  EXPECT_EQ(logs.count("line 10 \"this line has no protocol prefix\": no \"Proto:\" prefix"), 1u);
  EXPECT_EQ(logs.count("proc_netstat: /proc/net/netstat line 3 "), 1u);
  EXPECT_EQ(logs.count("header without a value line; skipped"), 1u);
}

TEST_F(NetstatCollectorTest, MissingNetstatStillReadsSnmp) {
  tidemark::testing::TempDir root;
  root.write("proc/net/snmp", "Tcp: ActiveOpens CurrEstab\nTcp: 4 2\n");
  PlainReadBatch batch(root.str());
  NetstatCollector collector(log_);
  tidemark::testing::LogCapture logs;
  tidemark::testing::collectPass(collector, batch, out_);
  EXPECT_EQ(netstat("Tcp_ActiveOpens"), 4.0);
  EXPECT_EQ(netstat("Tcp_CurrEstab"), 2.0);
  EXPECT_EQ(out_.samples.size(), 2u);
  EXPECT_EQ(logs.count("proc_netstat: cannot read /proc/net/netstat"), 1u);
}

}  // namespace
}  // namespace tidemark::agent
