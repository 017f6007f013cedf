// Forecasts against histories with known answers: each is written as OpenMetrics
// text, imported through the same code as `tidemark import openmetrics` (the CLI's
// two passes, then the controller's SampleImporter) into a real store, read back
// through hourly rollups and forecast. The true days to threshold come from the
// generating formula, not from the planner.
#include <capnp/message.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "controller/cli/import.h"
#include "controller/history/rocksdb_history.h"
#include "controller/ingest/sample_importer.h"
#include "controller/planner/forecast.h"
#include "controller/planner/resource_series.h"
#include "tests/support/test_support.h"

namespace tidemark::controller::planner {
namespace {

using tidemark::testing::TempDir;

constexpr int64_t kStartSeconds = 1'699'999'200;  // on the hour
constexpr int64_t kIntervalSeconds = 300;
constexpr double kDay = 86'400;
constexpr double kGB = 1e9;

class ForecastAccuracyTest : public ::testing::Test {
 protected:
  ForecastAccuracyTest() {
    StoreOptions options;
    options.path = (dir.path() / "db").string();
    options.sync_writes = false;
    // The histories are from 2023: keep them whatever the date.
    options.raw_retention_ms = 0;
    options.rollup_5m_retention_ms = 0;
    options.rollup_1h_retention_ms = 0;
    store = SampleStore::open(options);
    text.precision(17);  // values round-trip exactly through the text
  }

  // Appends one sample line per interval over `days`, value(t in days since start).
  void series(const std::string& selector, double days, const std::function<double(double)>& value) {
    for (int64_t s = 0; s <= static_cast<int64_t>(days * kDay); s += kIntervalSeconds) {
      text << selector << ' ' << value(static_cast<double>(s) / kDay) << ' ' << kStartSeconds + s
           << '\n';
    }
  }

  void import() {
    text << "# EOF\n";
    const std::string body = text.str();
    cli::ImportOptions options;
    const cli::ImportPlan plan = cli::planImport(body, options);
    ASSERT_EQ(plan.error_count, 0u) << "line " << plan.errors.front().line << ": " << plan.errors.front().reason;
    SampleImporter importer(*store, IngestLimits{});
    cli::sendImport(body, plan, options, [&](const cli::ImportChunk& chunk) {
      capnp::MallocMessageBuilder message;
      cli::fillImportRequest(plan, chunk, message.initRoot<schema::ImportRequest>());
      importer.apply(message.getRoot<schema::ImportRequest>().asReader());
    });
  }

  // The one series of `resource` over everything imported, at 1 h steps (rollups).
  ResourceSeries read(Resource resource) {
    ResourceWindow window;
    window.step_ms = 3600 * 1000;
    auto all = readResource(RocksdbHistory(*store), resource, window);
    EXPECT_EQ(all.size(), 1u) << resourceName(resource);
    return all.empty() ? ResourceSeries{} : all.front();
  }

  // What predict_linear would say: least squares over the same points.
  static std::optional<double> leastSquaresDays(const ResourceSeries& series, double target) {
    std::vector<double> x;
    for (int64_t ts : series.timestamps_ms) {
      x.push_back(static_cast<double>(ts - series.timestamps_ms.back()) / (kDay * 1000));
    }
    return daysUntil(leastSquares(x, series.used), 0, target);
  }

  static double relativeError(std::optional<double> days, double truth) {
    return days ? std::abs(*days - truth) / truth : INFINITY;
  }

  // Days after `now` (days since start) until value(t) first reaches target, by walking
  // in one-minute steps: the truth the forecasts are held to.
  static double trueDaysTo(const std::function<double(double)>& value, double now, double target) {
    for (double t = now; t < now + 3650; t += 1.0 / 1440) {
      if (value(t) >= target) return t - now;
    }
    return INFINITY;
  }

  TempDir dir;
  std::unique_ptr<SampleStore> store;
  std::ostringstream text;
  std::mt19937 random{20261123};  // fixed: the same noise every run
};

TEST_F(ForecastAccuracyTest, LinearGrowthWithNoise) {
  // A 1 TB filesystem filling 5 GB a day from 400 GB, noise sd 3 GB, for 30 days.
  std::normal_distribution<double> noise(0, 3 * kGB);
  auto used = [](double t) { return 400 * kGB + 5 * kGB * t; };
  const std::string labels = R"(device="/dev/sda1",fstype="ext4",mountpoint="/",host="web")";
  series("node_filesystem_size_bytes{" + labels + "}", 30, [](double) { return 1000 * kGB; });
  series("node_filesystem_avail_bytes{" + labels + "}", 30,
         [&](double t) { return 1000 * kGB - used(t) - noise(random); });
  import();

  const auto disk = read(Resource::kDisk);
  const Forecast forecast = forecastSeries(disk, 0.85);
  const double truth = trueDaysTo(used, 30, 850 * kGB);
  std::printf("linear: truth %.2f d, robust %.2f d, least squares %.2f d\n", truth,
              forecast.days_to_threshold.value_or(NAN),
              leastSquaresDays(disk, 850 * kGB).value_or(NAN));
  EXPECT_EQ(forecast.model, TrendModel::kLinear);
  EXPECT_LT(relativeError(forecast.days_to_threshold, truth), 0.10);
  EXPECT_NEAR(forecast.slope_per_day, 5 * kGB, 0.5 * kGB);
  EXPECT_NEAR(forecast.monthly_growth, 5 * kGB * kDaysPerMonth, 15 * kGB);
  EXPECT_GT(forecast.fit, 0.9);
}

TEST_F(ForecastAccuracyTest, PierSawtoothWithWeeklyPacksBeatsLeastSquares) {
  // Teeth grow 3 GB a day; each weekly pack drops the pier to a floor that rises
  // 0.5 GB a day. 41 days seen (5 packs); the pier may take 70 GB (85% of what its
  // filesystem holds with it).
  std::normal_distribution<double> noise(0, 0.05 * kGB);
  auto pier = [](double t) {
    const double pack = 7 * std::floor(t / 7);
    return 20 * kGB + 0.5 * kGB * pack + 3 * kGB * (t - pack);
  };
  const double capacity = 70 * kGB / 0.85;
  const std::string labels = R"({host="web",ship="zod",pier="/srv/zod"})";
  std::vector<double> noisy;
  series("urbit_ship_pier_bytes" + labels, 41, [&](double t) {
    noisy.push_back(pier(t) + noise(random));
    return noisy.back();
  });
  size_t index = 0;
  series("urbit_ship_filesystem_avail_bytes" + labels, 41,
         [&](double) { return capacity - noisy[index++]; });
  import();

  const auto piers = read(Resource::kPier);
  ASSERT_NEAR(piers.capacity, capacity, 1);
  const Forecast forecast = forecastSeries(piers, 0.85);
  const double truth = trueDaysTo(pier, 41, 70 * kGB);
  const auto least_squares = leastSquaresDays(piers, 70 * kGB);
  const double robust_error = relativeError(forecast.days_to_threshold, truth);
  const double least_squares_error = relativeError(least_squares, truth);
  std::printf("sawtooth: truth %.2f d, robust %.2f d (error %.1f%%), least squares %.2f d "
              "(error %.1f%%)\n",
              truth, forecast.days_to_threshold.value_or(NAN), 100 * robust_error,
              least_squares.value_or(NAN), 100 * least_squares_error);
  EXPECT_EQ(forecast.model, TrendModel::kSawtooth);
  EXPECT_EQ(forecast.packs, 5u);
  EXPECT_NEAR(forecast.slope_per_day, 0.5 * kGB, 0.05 * kGB);
  EXPECT_NEAR(forecast.growth_between_packs_per_day, 3 * kGB, 0.1 * kGB);
  EXPECT_LT(robust_error, 0.10);
  EXPECT_LT(robust_error, least_squares_error);
}

TEST_F(ForecastAccuracyTest, DailySeasonalCpu) {
  // One CPU busy 20% rising 1 point a day, +-15 points over each day, noise sd 2 points.
  std::normal_distribution<double> noise(0, 0.02);
  auto trend = [](double t) { return 0.2 + 0.01 * t; };
  double busy_seconds = 0;
  double idle_seconds = 0;
  std::vector<double> busy_fraction;
  series(R"(node_cpu_seconds_total{host="web",cpu="0",mode="user"})", 30, [&](double t) {
    const double busy = std::clamp(trend(t) + 0.15 * std::sin(2 * M_PI * t) + noise(random), 0.0, 1.0);
    busy_fraction.push_back(busy);
    busy_seconds += busy * kIntervalSeconds;
    return busy_seconds;
  });
  size_t index = 0;
  series(R"(node_cpu_seconds_total{host="web",cpu="0",mode="idle"})", 30, [&](double) {
    idle_seconds += (1 - busy_fraction[index++]) * kIntervalSeconds;
    return idle_seconds;
  });
  import();

  const auto cpu = read(Resource::kCpu);
  const Forecast forecast = forecastSeries(cpu, 0.80);
  const double truth = trueDaysTo(trend, 30, 0.80);
  std::printf("seasonal cpu: truth %.2f d, robust %.2f d, least squares %.2f d, fit %.2f\n", truth,
              forecast.days_to_threshold.value_or(NAN), leastSquaresDays(cpu, 0.80).value_or(NAN),
              forecast.fit);
  EXPECT_LT(relativeError(forecast.days_to_threshold, truth), 0.10);
}

TEST_F(ForecastAccuracyTest, StepChangeTrendsOnlyTheNewLevel) {
  // 16 GB of RAM: 6 GB used for 15 days, then 9 GB (a new service) growing 50 MB a day.
  std::normal_distribution<double> noise(0, 0.03 * kGB);
  auto used = [](double t) { return t < 15 ? 6 * kGB : 9 * kGB + 0.05 * kGB * (t - 15); };
  series(R"(node_memory_MemTotal_bytes{host="web"})", 30, [](double) { return 16 * kGB; });
  series(R"(node_memory_MemAvailable_bytes{host="web"})", 30,
         [&](double t) { return 16 * kGB - used(t) - noise(random); });
  import();

  const auto memory = read(Resource::kMemory);
  const Forecast forecast = forecastSeries(memory, 0.80);
  const double truth = trueDaysTo(used, 30, 0.80 * 16 * kGB);
  std::printf("step change: truth %.2f d, robust %.2f d, least squares %.2f d\n", truth,
              forecast.days_to_threshold.value_or(NAN),
              leastSquaresDays(memory, 0.80 * 16 * kGB).value_or(NAN));
  EXPECT_EQ(forecast.model, TrendModel::kLevelShift);
  EXPECT_LT(relativeError(forecast.days_to_threshold, truth), 0.10);
}

TEST_F(ForecastAccuracyTest, FlatSeriesIsNotGrowing) {
  // A ship's loom half used, noise sd 1 point, for 30 days.
  std::normal_distribution<double> noise(0, 0.01);
  const std::string labels = R"({host="web",ship="zod",pier="/srv/zod"})";
  series("urbit_ship_loom_use_ratio" + labels, 30, [&](double) { return 0.5 + noise(random); });
  series("urbit_ship_loom_bytes" + labels, 30, [](double) { return 2147483648.0; });
  import();

  const Forecast forecast = forecastSeries(read(Resource::kLoom), 0.85);
  EXPECT_EQ(forecast.days_to_threshold, std::nullopt);
  EXPECT_NEAR(forecast.current / forecast.capacity, 0.5, 0.05);
  EXPECT_GT(forecast.fit, 0.9);
}

}  // namespace
}  // namespace tidemark::controller::planner
