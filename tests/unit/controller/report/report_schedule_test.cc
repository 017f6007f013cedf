#include "controller/report/report_schedule.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kHour = 3'600'000;

std::vector<std::string> filesIn(const std::string& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct ScheduleTest : ::testing::Test {
  testing::TempDir dir;
  ManualClock clock{1'700'000'000'000};
  int builds = 0;
  int64_t last_since_ms = 0;
  ReportScheduleOptions options() {
    ReportScheduleOptions options;
    options.interval_ms = 24 * kHour;
    options.directory = dir.str() + "/reports";
    options.keep = 2;
    options.history_ms = 7 * 24 * kHour;
    return options;
  }
  ReportBuildFunction build() {
    return [this](int64_t since_ms, int64_t now_ms) {
      ++builds;
      last_since_ms = since_ms;
      return nlohmann::json{{"title", "scheduled"}, {"generated_at_ms", now_ms}};
    };
  }
};

TEST_F(ScheduleTest, WritesEachFormatWhenDueThenWaitsAnInterval) {
  ReportSchedule schedule(options(), clock, build());
  const auto written = schedule.runIfDue(clock.wallMs());
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(filesIn(options().directory),
            (std::vector<std::string>{"tidemark-report-20231114T221320Z.html",
                                      "tidemark-report-20231114T221320Z.json"}));
  EXPECT_EQ(last_since_ms, clock.wallMs() - 7 * 24 * kHour);
  EXPECT_EQ(nlohmann::json::parse(readAll(written[1]))["title"], "scheduled");
  EXPECT_NE(readAll(written[0]).find("<h1>scheduled</h1>"), std::string::npos);
  clock.advanceMs(23 * kHour);
  EXPECT_TRUE(schedule.runIfDue(clock.wallMs()).empty());
  clock.advanceMs(kHour);
  EXPECT_EQ(schedule.runIfDue(clock.wallMs()).size(), 2u);
  EXPECT_EQ(builds, 2);
}

TEST_F(ScheduleTest, KeepsOnlyTheNewestReportsOfEachFormat) {
  ReportSchedule schedule(options(), clock, build());
  for (int day = 0; day < 4; ++day) {
    schedule.runIfDue(clock.wallMs());
    clock.advanceMs(24 * kHour);
  }
  const auto names = filesIn(options().directory);
  ASSERT_EQ(names.size(), 4u);  // keep = 2, two formats
  EXPECT_EQ(names[0], "tidemark-report-20231116T221320Z.html");
  EXPECT_EQ(names[3], "tidemark-report-20231117T221320Z.json");
}

TEST_F(ScheduleTest, ARestartDoesNotWriteADuplicate) {
  {
    ReportSchedule schedule(options(), clock, build());
    schedule.runIfDue(clock.wallMs());
  }
  clock.advanceMs(kHour);
  ReportSchedule restarted(options(), clock, build());
  EXPECT_EQ(restarted.nextDueMs(), clock.wallMs() - kHour + 24 * kHour);
  EXPECT_TRUE(restarted.runIfDue(clock.wallMs()).empty());
  EXPECT_EQ(builds, 1);
}

TEST_F(ScheduleTest, AFailedBuildIsLoggedAndRetriedAtTheNextInterval) {
  int attempts = 0;
  ReportSchedule schedule(options(), clock, [&](int64_t, int64_t) -> nlohmann::json {
    ++attempts;
    throw std::runtime_error("store unreadable");
  });
  EXPECT_TRUE(schedule.runIfDue(clock.wallMs()).empty());
  EXPECT_TRUE(schedule.runIfDue(clock.wallMs() + 1000).empty());
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(filesIn(options().directory).empty());
}

TEST_F(ScheduleTest, IntervalZeroNeverWrites) {
  auto disabled = options();
  disabled.interval_ms = 0;
  ReportSchedule schedule(disabled, clock, build());
  EXPECT_TRUE(schedule.runIfDue(clock.wallMs()).empty());
  EXPECT_EQ(builds, 0);
}

TEST_F(ScheduleTest, TheThreadWritesTheFirstReportAtOnce) {
  SystemClock system_clock;
  ReportSchedule schedule(options(), system_clock, build());
  schedule.start();
  for (int i = 0; i < 500 && filesIn(options().directory).size() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  schedule.stop();
  EXPECT_EQ(filesIn(options().directory).size(), 2u);
}

TEST_F(ScheduleTest, AnUnusableFolderIsReportedWithItsPath) {
  auto bad = options();
  bad.directory = "/proc/self/cannot-create";
  try {
    ReportSchedule schedule(bad, clock, build());
    FAIL() << "accepted " << bad.directory;
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/proc/self/cannot-create"), std::string::npos);
  }
}

}  // namespace
}  // namespace tidemark::controller
