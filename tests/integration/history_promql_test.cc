// The `promql` history backend against real servers on loopback: the same
// OpenMetrics history goes into a RocksDB controller (`tidemark import openmetrics`)
// and into the server; a second controller with `[history] backend = "promql"` must
// then plan the same forecasts and answer `tidemark query` with the same points as
// the first. Prometheus gets the history as TSDB blocks (`promtool tsdb
// create-blocks-from openmetrics`: its remote-write receiver refuses samples older
// than its head); VictoriaMetrics gets it from the RocksDB controller's own remote
// write, so that test covers import -> export -> distributed store -> planner.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "tests/integration/capacity_history.h"
#include "tests/integration/fleet.h"
#include "tests/integration/remote_peer.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;

using Subject = std::tuple<std::string, std::string, std::string>;  // host, resource, labels

std::map<Subject, nlohmann::json> bySubject(const nlohmann::json& plan) {
  std::map<Subject, nlohmann::json> out;
  for (const auto& forecast : plan["forecasts"]) {
    out[{forecast["host"], forecast["resource"], forecast["labels"].dump()}] = forecast;
  }
  return out;
}

// The points of a `tidemark query --json` answer by series.
std::map<std::string, nlohmann::json> points(const nlohmann::json& answer) {
  std::map<std::string, nlohmann::json> out;
  for (const auto& series : answer["series"]) {
    out[series["host"].get<std::string>() + series["metric"].get<std::string>() +
        series["labels"].dump()] = series["samples"];
  }
  return out;
}

void expectSamePoints(const nlohmann::json& expected, const nlohmann::json& actual,
                      const std::string& what) {
  const auto want = points(expected);
  const auto got = points(actual);
  ASSERT_EQ(want.size(), got.size())
      << what << "\nrocksdb: " << expected.dump() << "\npromql: " << actual.dump();
  ASSERT_FALSE(want.empty()) << what;
  for (const auto& [series, samples] : want) {
    ASSERT_TRUE(got.count(series)) << what << ": promql lacks " << series;
    const auto& other = got.at(series);
    ASSERT_EQ(samples.size(), other.size()) << what << " " << series;
    for (size_t i = 0; i < samples.size(); ++i) {
      EXPECT_EQ(samples[i][0], other[i][0]) << what << " " << series << " point " << i;
      EXPECT_NEAR(samples[i][1].get<double>(), other[i][1].get<double>(),
                  1e-9 * std::abs(samples[i][1].get<double>()) + 1e-9)
          << what << " " << series << " point " << i;
    }
  }
}

// Asks both controllers the same plan and the same queries; `url` names the server
// behind `promql` (its errors must name it).
void expectSameAnswers(Fleet& rocksdb, Fleet& promql, int64_t now, const std::string& url) {
  // Ready once the server has the history and answers through the controller.
  const bool ready = eventually(
      [&] {
        auto answer =
            promql.cliRaw({"query", "urbit_ship_loom_bytes", "--since", "1d", "--last", "--json"});
        return answer.exit_code == 0 && answer.out.find("zod") != std::string::npos;
      },
      30s);
  ASSERT_TRUE(ready) << "the server at " << url << " did not answer:\n"
                     << promql.controller().log();

  // Same forecasts: the same subjects, days to threshold within 1%.
  const nlohmann::json want = rocksdb.cli({"plan"});
  const nlohmann::json got = promql.cli({"plan"});
  const auto want_forecasts = bySubject(want);
  const auto got_forecasts = bySubject(got);
  ASSERT_EQ(want_forecasts.size(), 4u) << want.dump(2);  // pier, disk, loom, cpu
  ASSERT_EQ(got_forecasts.size(), want_forecasts.size()) << got.dump(2);
  for (const auto& [subject, forecast] : want_forecasts) {
    const std::string name = std::get<1>(subject) + " " + std::get<2>(subject);
    ASSERT_TRUE(got_forecasts.count(subject)) << "promql plan lacks " << name << "\n"
                                              << got.dump(2);
    const auto& other = got_forecasts.at(subject);
    EXPECT_EQ(forecast["model"], other["model"]) << name;
    EXPECT_EQ(forecast["window"], other["window"]) << name;
    EXPECT_NEAR(forecast["current"].get<double>(), other["current"].get<double>(),
                1e-6 * std::abs(forecast["current"].get<double>()))
        << name;
    std::printf("%s: rocksdb %s, promql %s (%s)\n", name.c_str(),
                forecast["days_to_threshold"].dump().c_str(),
                other["days_to_threshold"].dump().c_str(), other["model"].dump().c_str());
    if (forecast["days_to_threshold"].is_null()) {
      EXPECT_TRUE(other["days_to_threshold"].is_null()) << name << ": " << other.dump();
    } else {
      const double days = forecast["days_to_threshold"].get<double>();
      EXPECT_NEAR(days, other["days_to_threshold"].get<double>(), 0.01 * days + 1e-6) << name;
    }
  }
  EXPECT_EQ(want["fleet"]["hosts"], got["fleet"]["hosts"]);
  EXPECT_EQ(want["fleet"]["ships"], got["fleet"]["ships"]);
  ASSERT_EQ(want["fleet"]["resources"].size(), got["fleet"]["resources"].size());
  for (size_t i = 0; i < want["fleet"]["resources"].size(); ++i) {
    const auto& a = want["fleet"]["resources"][i];
    const auto& b = got["fleet"]["resources"][i];
    EXPECT_EQ(a["resource"], b["resource"]);
    EXPECT_NEAR(a["used"].get<double>(), b["used"].get<double>(), 1e-6 * a["used"].get<double>());
    EXPECT_NEAR(a["capacity"].get<double>(), b["capacity"].get<double>(),
                1e-6 * a["capacity"].get<double>());
  }

  // Same points from `tidemark query`: raw, rollup steps, non-rollup steps, newest N,
  // matchers, and newest samples (10 min old: past Prometheus' 5 min lookback).
  // Absolute times, so both controllers are asked about exactly the same range.
  auto ago = [&](int64_t seconds) { return std::to_string(now - seconds); };
  const std::string until = std::to_string(now);
  const std::vector<std::vector<std::string>> queries = {
      {"query", "urbit_ship_pier_bytes", "--since", ago(6 * 3600), "--until", until},
      {"query", "node_filesystem_avail_bytes", "--host", "web", "--since", ago(10 * 86'400),
       "--until", until, "--step", "1h", "--agg", "max"},
      {"query", "urbit_ship_loom_use_ratio", "--since", ago(3 * 86'400), "--until", until, "--step",
       "5m", "--agg", "avg"},
      {"query", "node_cpu_seconds_total", "--since", ago(5 * 3600), "--until", until, "--step",
       "7m", "--agg", "last"},
      {"query", "node_cpu_seconds_total", "--label", "mode=~us.*", "--since", ago(2 * 86'400),
       "--until", until, "--step", "1h", "--agg", "count"},
      {"query", "urbit_ship_pier_bytes", "--since", ago(86'400), "--until", until, "--limit", "3"},
      {"query", "node_cpu_seconds_total", "--label", "mode!=idle", "--since", ago(3600), "--until",
       until, "--last"},
  };
  for (const auto& args : queries) {
    std::string what;
    for (const auto& arg : args) what += arg + " ";
    expectSamePoints(rocksdb.cli(args), promql.cli(args), what);
  }

  // A query the server refuses comes back as an error naming the server.
  auto bad =
      promql.cliRaw({"query", "urbit_ship_pier_bytes", "--label", "ship=~(", "--since", "1h"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_THAT(bad.err + bad.out, ::testing::HasSubstr(url));
}

int64_t nowSecondsSinceEpoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> promqlFlags(const std::string& url) {
  return {"--history-backend", "promql", "--history-url", url, "--history-timeout", "20s"};
}

TEST(HistoryPromqlTest, PrometheusPlansAndQueriesLikeTheRocksdbBackend) {
  const std::string promtool = "/usr/bin/promtool";
  if (RemotePeer::binaryPath(RemotePeer::Kind::kPrometheus).empty() ||
      ::access(promtool.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "prometheus and promtool are not installed (apt-get install prometheus): "
                    "the promql history backend is not tested against Prometheus";
  }
  const int64_t now = nowSecondsSinceEpoch();
  Fleet rocksdb;
  rocksdb.dir().write("history.om", capacityHistory(now, 16, /*with_cpu=*/true).text);
  const std::string file = rocksdb.dir().str() + "/history.om";

  // promtool writes one block per 2 h (its cost grows with the span), so it runs while
  // the RocksDB controller imports; Prometheus then serves the blocks.
  TempDir prom_dir;
  RemotePeer prometheus(RemotePeer::Kind::kPrometheus, prom_dir);
  ChildProcess promtool_run(
      {promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", file, prometheus.storage()},
      prom_dir.str() + "/promtool.log");
  rocksdb.startController();
  auto imported = rocksdb.cliRaw({"import", "openmetrics", file});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << rocksdb.controller().log();
  ASSERT_EQ(promtool_run.wait(120s), 0) << promtool_run.log();
  prometheus.start();

  Fleet promql;
  promql.startController(promqlFlags(prometheus.baseUrl()));
  expectSameAnswers(rocksdb, promql, now, prometheus.baseUrl());
  if (HasFailure()) ADD_FAILURE() << prometheus.log();
}

TEST(HistoryPromqlTest, VictoriaMetricsFedByRemoteWritePlansAndQueriesLikeTheRocksdbBackend) {
  if (RemotePeer::binaryPath(RemotePeer::Kind::kVictoriaMetrics).empty()) {
    GTEST_SKIP() << "victoria-metrics is not installed (apt-get install victoria-metrics): "
                    "the promql history backend is not tested against VictoriaMetrics";
  }
  const int64_t now = nowSecondsSinceEpoch();
  const CapacityHistory history = capacityHistory(now, 16, /*with_cpu=*/true);
  Fleet rocksdb;
  RemotePeer victoria(RemotePeer::Kind::kVictoriaMetrics, rocksdb.dir());
  victoria.start();
  rocksdb.startController(
      {"--remote-write-url", victoria.writeUrl(), "--remote-write-flush-interval", "100ms"});
  rocksdb.dir().write("history.om", history.text);
  auto imported = rocksdb.cliRaw({"import", "openmetrics", rocksdb.dir().str() + "/history.om"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << rocksdb.controller().log();
  ASSERT_TRUE(eventually(
      [&] {
        const auto status = rocksdb.cli({"status"})["remote_write"];
        return status["samples_pending"] == 0 && status["samples_sent"].get<uint64_t>() > 0;
      },
      60s))
      << rocksdb.cli({"status"}).dump(2) << rocksdb.controller().log();
  EXPECT_EQ(rocksdb.cli({"status"})["remote_write"]["samples_dropped"], 0);
  victoria.flush();

  Fleet promql;
  promql.startController(promqlFlags(victoria.baseUrl()));
  expectSameAnswers(rocksdb, promql, now, victoria.baseUrl());
  if (HasFailure()) ADD_FAILURE() << victoria.log();
}

// Two controllers, each owning one host, export into one VictoriaMetrics; a third
// with the promql backend plans the whole fleet: both hosts, each forecast as its
// own controller's rocksdb backend forecasts it.
TEST(HistoryPromqlTest, OnePlannerSeesTheHostsOfSeveralControllers) {
  if (RemotePeer::binaryPath(RemotePeer::Kind::kVictoriaMetrics).empty()) {
    GTEST_SKIP() << "victoria-metrics is not installed (apt-get install victoria-metrics)";
  }
  const int64_t now = nowSecondsSinceEpoch();
  TempDir peer_dir;
  RemotePeer victoria(RemotePeer::Kind::kVictoriaMetrics, peer_dir);
  victoria.start();
  Fleet east;
  Fleet west;
  const std::vector<std::pair<Fleet*, std::string>> slices = {{&east, "web-east"},
                                                              {&west, "web-west"}};
  for (const auto& [fleet, host] : slices) {
    fleet->startController({"--remote-write-url", victoria.writeUrl(),
                            "--remote-write-flush-interval", "100ms",
                            "--remote-write-self-metrics-interval", "0s"});
    fleet->dir().write("history.om", capacityHistory(now, 10, /*with_cpu=*/false, host).text);
    auto imported = fleet->cliRaw({"import", "openmetrics", fleet->dir().str() + "/history.om"});
    ASSERT_EQ(imported.exit_code, 0) << imported.err << fleet->controller().log();
  }
  for (const auto& [fleet, host] : slices) {
    ASSERT_TRUE(eventually(
        [&] { return fleet->cli({"status"})["remote_write"]["samples_pending"] == 0; }, 60s))
        << host << ": " << fleet->cli({"status"}).dump(2);
  }
  victoria.flush();

  Fleet planner;
  planner.startController(promqlFlags(victoria.baseUrl()));
  nlohmann::json plan;
  ASSERT_TRUE(eventually(
      [&] {
        plan = planner.cli({"plan"});
        return plan["fleet"]["hosts"] == 2;
      },
      30s))
      << plan.dump(2) << planner.controller().log();
  std::map<Subject, nlohmann::json> local;
  for (const auto& [fleet, host] : slices) {
    for (auto& [subject, forecast] : bySubject(fleet->cli({"plan"}))) local[subject] = forecast;
  }
  const auto fleetwide = bySubject(plan);
  ASSERT_EQ(fleetwide.size(), local.size()) << plan.dump(2);
  ASSERT_EQ(fleetwide.size(), 6u) << plan.dump(2);  // pier, disk and loom of each host
  for (const auto& [subject, forecast] : local) {
    const std::string name = std::get<0>(subject) + " " + std::get<1>(subject);
    ASSERT_TRUE(fleetwide.count(subject)) << "the fleet plan lacks " << name;
    const auto& other = fleetwide.at(subject);
    EXPECT_EQ(forecast["model"], other["model"]) << name;
    if (forecast["days_to_threshold"].is_null()) {
      EXPECT_TRUE(other["days_to_threshold"].is_null()) << name;
    } else {
      const double days = forecast["days_to_threshold"].get<double>();
      EXPECT_NEAR(days, other["days_to_threshold"].get<double>(), 0.01 * days) << name;
    }
  }
}

}  // namespace
}  // namespace tidemark::testing
