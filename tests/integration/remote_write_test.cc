// Remote write against real peers: a controller exports what it ingests (through
// `tidemark import openmetrics` and from a real agent) to Prometheus 2.42 and to
// VictoriaMetrics on loopback, and reading it back from the peer gives the same
// series (host label included), timestamps and values. An outage of the peer, and a
// controller restart during it, lose nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/fleet.h"
#include "tests/integration/remote_peer.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;
using Kind = RemotePeer::Kind;
// series (labels as sorted JSON, __name__ and host included) -> (timestamp ms, value)
using Samples = std::vector<std::pair<int64_t, double>>;
using SeriesMap = std::map<std::string, Samples>;

#define SKIP_WITHOUT(kind)                                                              \
  if (RemotePeer::binaryPath(kind).empty())                                             \
  GTEST_SKIP() << (kind == Kind::kPrometheus ? "prometheus" : "victoria-metrics")       \
               << " is not installed (apt-get install prometheus victoria-metrics, or " \
                  "make deps)"

int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string seriesKey(const nlohmann::json& metric) {
  std::map<std::string, std::string> sorted;
  for (auto& [name, value] : metric.items()) sorted[name] = value.get<std::string>();
  return nlohmann::json(sorted).dump();
}

// Every raw sample of the series `selector` selects, as the peer returns them.
SeriesMap readBack(RemotePeer& peer, Kind kind, const std::string& selector) {
  SeriesMap out;
  peer.flush();
  if (kind == Kind::kVictoriaMetrics) {
    // /api/v1/export: one JSON object per series and line, timestamps in ms.
    HttpAnswer answer =
        httpGet(peer.baseUrl() + "/api/v1/export?match[]=" + urlEncode(selector) + "&start=0");
    std::istringstream lines(answer.body);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      auto series = nlohmann::json::parse(line);
      Samples& samples = out[seriesKey(series["metric"])];
      for (size_t i = 0; i < series["values"].size(); ++i) {
        samples.emplace_back(series["timestamps"][i].get<int64_t>(),
                             series["values"][i].get<double>());
      }
    }
  } else {
    // A range vector query returns the raw samples; timestamps in seconds with ms.
    HttpAnswer answer =
        httpGet(peer.baseUrl() + "/api/v1/query?query=" + urlEncode(selector + "[1d]") +
                "&time=" + std::to_string(nowSeconds() + 60));
    auto json = nlohmann::json::parse(answer.body, nullptr, false);
    if (json.is_discarded() || json["status"] != "success") return out;
    for (auto& series : json["data"]["result"]) {
      Samples& samples = out[seriesKey(series["metric"])];
      for (auto& pair : series["values"]) {
        samples.emplace_back(std::llround(pair[0].get<double>() * 1000),
                             std::stod(pair[1].get<std::string>()));
      }
    }
  }
  return out;
}

size_t sampleCount(const SeriesMap& series) {
  size_t count = 0;
  for (const auto& [_, samples] : series) count += samples.size();
  return count;
}

// An OpenMetrics file for `tidemark import` and the series it must become on the peer.
struct Workload {
  std::string text;
  SeriesMap expected;
  size_t samples = 0;
};

Workload makeWorkload(int64_t t0) {
  Workload work;
  std::ostringstream text;
  // Values with few significant digits: VictoriaMetrics keeps those exactly (it
  // stores decimal mantissas), Prometheus keeps every float64.
  const std::vector<std::tuple<std::string, std::string, std::string>> series = {
      {"rwtest_load", R"(host="web1",job="node")",
       R"({"__name__":"rwtest_load","host":"web1","job":"node"})"},
      {"rwtest_load", R"(instance="db1:9100",zone="eu")",
       R"({"__name__":"rwtest_load","host":"db1","zone":"eu"})"},
      {"rwtest_bytes", R"(device="nvme0n1")",
       R"({"__name__":"rwtest_bytes","device":"nvme0n1","host":"batch1"})"},
  };
  const double values[] = {0.52, -1.5, 42, 1234.5, 0, 1e6};
  for (size_t s = 0; s < series.size(); ++s) {
    const auto& [name, labels, key] = series[s];
    for (int i = 0; i < 6; ++i) {
      const int64_t ms = (t0 + 15 * i) * 1000 + static_cast<int64_t>(s) * 7 + (i % 2) * 250;
      const double value = values[(i + s) % 6] * (s + 1);
      text << name << "{" << labels << "} " << value << " " << ms / 1000 << "." << std::setw(3)
           << std::setfill('0') << ms % 1000 << "\n";
      work.expected[key].emplace_back(ms, value);
      ++work.samples;
    }
  }
  text << "# EOF\n";
  work.text = text.str();
  return work;
}

// Self metrics off: these tests count exactly the samples they sent.
std::vector<std::string> remoteWriteFlags(const std::string& url) {
  return {"--remote-write-url",    url, "--remote-write-flush-interval",        "100ms",
          "--remote-write-shards", "2", "--remote-write-self-metrics-interval", "0s"};
}

nlohmann::json remoteStatus(Fleet& fleet) { return fleet.cli({"status"})["remote_write"]; }

void importWorkload(Fleet& fleet, const Workload& work) {
  fleet.dir().write("rw.om", work.text);
  auto result =
      fleet.cliRaw({"import", "openmetrics", fleet.dir().str() + "/rw.om", "--host", "batch1"});
  ASSERT_EQ(result.exit_code, 0) << result.err << fleet.controller().log();
}

void expectImportedSamplesArriveExactly(Kind kind) {
  Fleet fleet;
  RemotePeer peer(kind, fleet.dir());
  peer.start();
  fleet.startController(remoteWriteFlags(peer.writeUrl()));
  const Workload work = makeWorkload(nowSeconds() - 600);
  importWorkload(fleet, work);

  ASSERT_TRUE(eventually([&] { return remoteStatus(fleet)["samples_sent"] == work.samples; }, 20s))
      << remoteStatus(fleet).dump() << fleet.controller().log() << peer.log();
  SeriesMap got;
  ASSERT_TRUE(eventually(
      [&] {
        got = readBack(peer, kind, R"({__name__=~"rwtest_.*"})");
        return sampleCount(got) >= work.samples;
      },
      15s))
      << peer.log();
  EXPECT_EQ(got, work.expected);
  const auto status = remoteStatus(fleet);
  EXPECT_EQ(status["samples_pending"], 0);
  EXPECT_EQ(status["samples_dropped"], 0);
  EXPECT_EQ(status["url"], peer.writeUrl());
}

TEST(RemoteWriteTest, PrometheusReceivesImportedSamplesExactly) {
  SKIP_WITHOUT(Kind::kPrometheus);
  expectImportedSamplesArriveExactly(Kind::kPrometheus);
}

TEST(RemoteWriteTest, VictoriaMetricsReceivesImportedSamplesExactly) {
  SKIP_WITHOUT(Kind::kVictoriaMetrics);
  expectImportedSamplesArriveExactly(Kind::kVictoriaMetrics);
}

// The peer is down while samples come in and while the controller restarts; once it
// is up, every sample arrives, once.
TEST(RemoteWriteTest, OutageAndRestartLoseNothing) {
  SKIP_WITHOUT(Kind::kVictoriaMetrics);
  Fleet fleet;
  RemotePeer peer(Kind::kVictoriaMetrics, fleet.dir());  // its port is chosen, nothing listens
  fleet.startController(remoteWriteFlags(peer.writeUrl()));
  const Workload work = makeWorkload(nowSeconds() - 900);
  importWorkload(fleet, work);

  ASSERT_TRUE(eventually(
      [&] {
        auto status = remoteStatus(fleet);
        return status["samples_pending"] == work.samples && status["samples_failed"] > 0;
      },
      10s))
      << remoteStatus(fleet).dump();
  EXPECT_EQ(remoteStatus(fleet)["samples_sent"], 0);
  EXPECT_GT(remoteStatus(fleet)["queue_bytes"].get<uint64_t>(), 0u);
  EXPECT_GT(remoteStatus(fleet)["lag_seconds"].get<double>(), 0.0);

  ASSERT_EQ(fleet.stopController(), 0) << fleet.controller().log();
  fleet.startController();
  EXPECT_EQ(remoteStatus(fleet)["samples_pending"], work.samples);

  peer.start();
  ASSERT_TRUE(eventually([&] { return remoteStatus(fleet)["samples_pending"] == 0; }, 25s))
      << remoteStatus(fleet).dump() << fleet.controller().log();
  EXPECT_EQ(remoteStatus(fleet)["samples_sent"], work.samples);
  SeriesMap got;
  ASSERT_TRUE(eventually(
      [&] {
        got = readBack(peer, Kind::kVictoriaMetrics, R"({__name__=~"rwtest_.*"})");
        return sampleCount(got) >= work.samples;
      },
      15s));
  EXPECT_EQ(got, work.expected);
}

// The exporter's health is stored as series of the controller's host: `tidemark
// query` shows them, and they are exported like every other sample.
TEST(RemoteWriteTest, OwnHealthIsStoredAndExportedAsSeries) {
  SKIP_WITHOUT(Kind::kVictoriaMetrics);
  Fleet fleet;
  RemotePeer peer(Kind::kVictoriaMetrics, fleet.dir());
  peer.start();
  fleet.startController({"--remote-write-url", peer.writeUrl(), "--remote-write-flush-interval",
                         "100ms", "--remote-write-self-metrics-interval", "1s",
                         "--remote-write-self-host", "ctl-test"});
  const Workload work = makeWorkload(nowSeconds() - 600);
  importWorkload(fleet, work);

  auto lastSent = [&] {
    auto answer = fleet.cli({"query", "tidemark_remote_write_samples_sent_total", "--host",
                             "ctl-test", "--since", "1h", "--last"})["series"];
    return answer.size() == 1 ? answer[0]["samples"][0][1].get<double>() : -1.0;
  };
  // Sent counts the imported samples and the earlier self-metric samples too.
  ASSERT_TRUE(eventually([&] { return lastSent() >= static_cast<double>(work.samples); }, 20s))
      << fleet.cli({"query", "tidemark_remote_write_samples_sent_total", "--since", "1h"}).dump()
      << fleet.controller().log();
  auto pending = fleet.cli({"query", "tidemark_remote_write_samples_pending", "--host", "ctl-test",
                            "--since", "1h"})["series"];
  ASSERT_EQ(pending.size(), 1u) << pending.dump();
  EXPECT_GE(pending[0]["samples"].size(), 1u);
  auto dropped = fleet.cli({"query", "tidemark_remote_write_samples_dropped_total", "--host",
                            "ctl-test", "--since", "1h", "--last"})["series"];
  ASSERT_EQ(dropped.size(), 2u) << dropped.dump();  // reason="rejected" and "queue_full"
  for (const auto& series : dropped) EXPECT_EQ(series["samples"][0][1].get<double>(), 0);

  SeriesMap got;
  ASSERT_TRUE(eventually(
      [&] {
        got = readBack(peer, Kind::kVictoriaMetrics,
                       R"({__name__=~"tidemark_remote_write_.*",host="ctl-test"})");
        return got.size() == 7;
      },
      20s))
      << got.size() << " series on the peer";
  EXPECT_TRUE(got.count(R"({"__name__":"tidemark_remote_write_lag_seconds","host":"ctl-test"})"));
}

// A real agent's samples: everything the controller stored reaches the peer, under
// the agent's host id.
TEST(RemoteWriteTest, AgentSamplesReachVictoriaMetrics) {
  SKIP_WITHOUT(Kind::kVictoriaMetrics);
  Fleet fleet;
  RemotePeer peer(Kind::kVictoriaMetrics, fleet.dir());
  peer.start();
  fleet.startController(remoteWriteFlags(peer.writeUrl()));
  const size_t agent = fleet.startAgent("rw-agent1");
  ASSERT_TRUE(eventually([&] { return fleet.storedSamples("rw-agent1") > 200; }, 20s))
      << fleet.agent(agent).log();
  fleet.agent(agent).stop(SIGTERM, 20s);
  const uint64_t stored = fleet.storedSamples("rw-agent1");
  ASSERT_TRUE(eventually(
      [&] {
        auto status = remoteStatus(fleet);
        return status["samples_pending"] == 0 && status["samples_sent"] == stored;
      },
      20s))
      << remoteStatus(fleet).dump() << " stored " << stored;
  SeriesMap got;
  ASSERT_TRUE(eventually(
      [&] {
        got = readBack(peer, Kind::kVictoriaMetrics, R"({host="rw-agent1"})");
        return sampleCount(got) >= stored;
      },
      15s));
  EXPECT_EQ(sampleCount(got), stored);
  // One series read back through `tidemark query` and from the peer: the same samples.
  auto load = fleet.cli({"query", "node_load1", "--host", "rw-agent1", "--since", "1h"})["series"];
  ASSERT_EQ(load.size(), 1u) << load.dump();
  Samples stored_load;
  for (auto& sample : load[0]["samples"]) {
    stored_load.emplace_back(sample[0].get<int64_t>(), sample[1].get<double>());
  }
  EXPECT_EQ(got[R"({"__name__":"node_load1","host":"rw-agent1"})"], stored_load);
}

}  // namespace
}  // namespace tidemark::testing
