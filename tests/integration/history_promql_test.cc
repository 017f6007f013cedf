// The `promql` history backend against a real Prometheus on loopback: the same
// OpenMetrics history goes into a RocksDB controller (`tidemark import openmetrics`)
// and into Prometheus (`promtool tsdb create-blocks-from openmetrics`); a second
// controller with `[history] backend = "promql"` must then plan the same forecasts
// and answer `tidemark query` with the same points as the first.
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

#include "tests/integration/fleet.h"

namespace tidemark::testing {
namespace {

using namespace std::chrono_literals;

constexpr double kDay = 86'400;
constexpr double kGB = 1e9;

std::string onPath(const std::string& name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const std::string path = std::string(dir) + "/" + name;
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return "";
}

// A loopback port free at the time of asking (Prometheus takes no port 0).
int freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

// 16 days at 5 min ending ~10 min ago (plan_test's shapes; two weekly packs are enough
// for the sawtooth, and promtool's time grows with the span): a pier that packs weekly,
// a filesystem filling linearly, a flat loom, and a CPU counter for rates. Every
// series carries `host`, as the remote-write exporter labels them.
std::string history(int64_t now) {
  const int64_t start = (now - 16 * 86'400) / 3600 * 3600 - 3600;
  const double days = static_cast<double>(now - 600 - start) / kDay;
  auto pier = [](double t) {
    const double pack = 7 * std::floor(t / 7);
    return 20 * kGB + 0.5 * kGB * pack + 3 * kGB * (t - pack);
  };
  auto disk = [](double t) { return 300 * kGB + 4 * kGB * t; };
  const double pier_capacity = 70 * kGB / 0.85;
  std::ostringstream text;
  text.precision(17);
  auto line = [&](const std::string& series, double value, int64_t s) {
    text << series << ' ' << value << ' ' << start + s << '\n';
  };
  const std::string ship = R"(host="web",pier="/srv/zod",ship="zod")";
  const std::string root = R"(device="/dev/sda1",fstype="ext4",host="web",mountpoint="/")";
  for (int64_t s = 0; s <= static_cast<int64_t>(days * kDay); s += 300) {
    const double t = static_cast<double>(s) / kDay;
    line("urbit_ship_pier_bytes{" + ship + "}", pier(t), s);
    line("urbit_ship_filesystem_avail_bytes{" + ship + "}", pier_capacity - pier(t), s);
    line("urbit_ship_loom_use_ratio{" + ship + "}", 0.4 + 0.002 * ((s / 300) % 5), s);
    line("urbit_ship_loom_bytes{" + ship + "}", 2147483648.0, s);
    line("node_filesystem_size_bytes{" + root + "}", 1000 * kGB, s);
    line("node_filesystem_avail_bytes{" + root + "}", 1000 * kGB - disk(t), s);
    line(R"(node_cpu_seconds_total{cpu="0",host="web",mode="idle"})", 0.7 * s, s);
    line(R"(node_cpu_seconds_total{cpu="0",host="web",mode="user"})", 0.3 * s, s);
  }
  text << "# EOF\n";
  return text.str();
}

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

TEST(HistoryPromqlTest, PlanAndQueryMatchTheRocksdbBackendOnTheSameHistory) {
  const std::string prometheus = onPath("prometheus");
  const std::string promtool = onPath("promtool");
  if (prometheus.empty() || promtool.empty()) {
    GTEST_SKIP() << "prometheus and promtool are not installed (apt-get install prometheus): "
                    "the promql history backend is not tested against a real server";
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  Fleet rocksdb;
  rocksdb.dir().write("history.om", history(now));
  const std::string file = rocksdb.dir().str() + "/history.om";

  // Prometheus gets the file as TSDB blocks (one per 2 h: promtool's cost grows with
  // the span, so it runs while the RocksDB controller imports), then serves them.
  TempDir prom_dir;
  prom_dir.write("prometheus.yml", "global: {}\n");
  ChildProcess promtool_run(
      {promtool, "tsdb", "create-blocks-from", "openmetrics", "-q", file, prom_dir.str() + "/data"},
      prom_dir.str() + "/promtool.log");

  rocksdb.startController();
  auto imported = rocksdb.cliRaw({"import", "openmetrics", file});
  ASSERT_EQ(imported.exit_code, 0) << imported.err << rocksdb.controller().log();

  ASSERT_EQ(promtool_run.wait(120s), 0) << promtool_run.log();
  const std::string url = "http://127.0.0.1:" + std::to_string(freePort());
  ChildProcess server(
      {prometheus, "--storage.tsdb.path", prom_dir.str() + "/data", "--storage.tsdb.retention.time",
       "90d", "--web.listen-address", url.substr(7), "--config.file",
       prom_dir.str() + "/prometheus.yml", "--web.enable-remote-write-receiver"},
      prom_dir.str() + "/prometheus.log");

  Fleet promql;
  promql.startController(
      {"--history-backend", "promql", "--history-url", url, "--history-timeout", "20s"});
  // Ready once Prometheus has loaded the blocks and answers through the controller.
  const bool ready = eventually(
      [&] {
        auto answer =
            promql.cliRaw({"query", "urbit_ship_loom_bytes", "--since", "1d", "--last", "--json"});
        return answer.exit_code == 0 && answer.out.find("zod") != std::string::npos;
      },
      30s);
  ASSERT_TRUE(ready) << "Prometheus at " << url << " did not answer:\n"
                     << server.log() << promql.controller().log();

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

}  // namespace
}  // namespace tidemark::testing
