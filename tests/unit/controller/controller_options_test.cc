#include "controller/controller_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "tests/support/test_support.h"

namespace tidemark::controller {
namespace {

using ::testing::HasSubstr;

ControllerOptions parse(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "tidemark-controller");
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  return parseControllerOptions(static_cast<int>(argv.size()), argv.data());
}

const std::vector<std::string> kRequired = {"--data-dir", "/tmp/x", "--listen", "tcp://127.0.0.1:7070",
                                            "--insecure"};

TEST(ControllerOptionsTest, RetentionDefaults) {
  ControllerOptions options = parse(kRequired);
  EXPECT_EQ(options.retention_raw_ms, 15 * kDayMs);
  EXPECT_EQ(options.retention_5m_ms, 90 * kDayMs);
  EXPECT_EQ(options.retention_1h_ms, 730 * kDayMs);
}

TEST(ControllerOptionsTest, RetentionFromFlagsAndToml) {
  auto arguments = kRequired;
  arguments.insert(arguments.end(), {"--retention-raw", "7d", "--retention-rollup-1h", "1000d"});
  ControllerOptions options = parse(arguments);
  EXPECT_EQ(options.retention_raw_ms, 7 * kDayMs);
  EXPECT_EQ(options.retention_1h_ms, 1000 * kDayMs);

  tidemark::testing::TempDir dir;
  const std::string path = (dir.path() / "controller.toml").string();
  std::ofstream(path) << "[retention]\nraw = \"30d\"\nrollup_5m = \"180d\"\n";
  arguments = kRequired;
  arguments.insert(arguments.end(), {"--config", path});
  options = parse(arguments);
  EXPECT_EQ(options.retention_raw_ms, 30 * kDayMs);
  EXPECT_EQ(options.retention_5m_ms, 180 * kDayMs);
}

TEST(ControllerOptionsTest, RetentionOutOfOrderIsAClearError) {
  auto arguments = kRequired;
  arguments.insert(arguments.end(), {"--retention-raw", "100d"});
  try {
    parse(arguments);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("raw <= rollup_5m <= rollup_1h"));
    EXPECT_THAT(e.what(), HasSubstr("raw 8640000s"));
  }
}

TEST(ControllerOptionsTest, PlanThresholdsDefaultAndComeFromToml) {
  ControllerOptions options = parse(kRequired);
  EXPECT_EQ(options.plan_window_ms, 30 * kDayMs);
  EXPECT_DOUBLE_EQ(options.plan_thresholds.disk, 0.85);
  EXPECT_DOUBLE_EQ(options.plan_thresholds.memory, 0.80);
  EXPECT_DOUBLE_EQ(options.plan_thresholds.io, 0.70);

  tidemark::testing::TempDir dir;
  const std::string path = (dir.path() / "controller.toml").string();
  std::ofstream(path) << "[plan]\nwindow = \"14d\"\ndisk_percent = 90\ncpu_percent = 75\n";
  auto arguments = kRequired;
  arguments.insert(arguments.end(), {"--config", path});
  options = parse(arguments);
  EXPECT_EQ(options.plan_window_ms, 14 * kDayMs);
  EXPECT_DOUBLE_EQ(options.plan_thresholds.disk, 0.90);
  EXPECT_DOUBLE_EQ(options.plan_thresholds.cpu, 0.75);
  EXPECT_DOUBLE_EQ(options.plan_thresholds.memory, 0.80);  // untouched
}

TEST(ControllerOptionsTest, PlanThresholdOutOfRangeIsRefused) {
  auto arguments = kRequired;
  arguments.insert(arguments.end(), {"--plan-disk-percent", "150"});
  try {
    parse(arguments);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("out of range [1, 100]"));
  }
}

TEST(ControllerOptionsTest, TriggerRulesAndIntervalFromTheConfigFile) {
  ControllerOptions defaults = parse(kRequired);
  EXPECT_EQ(defaults.trigger_interval_ms, 60'000);
  EXPECT_EQ(defaults.trigger_rules.size(), defaultTriggerRules().size());

  tidemark::testing::TempDir dir;
  const std::string path = (dir.path() / "controller.toml").string();
  std::ofstream(path) << "trigger_interval = \"10s\"\n"
                         "[[trigger]]\nname = \"load\"\nmetric = \"node_load1\"\n"
                         "condition = \"> 16\"\n";
  auto arguments = kRequired;
  arguments.insert(arguments.end(), {"--config", path});
  ControllerOptions options = parse(arguments);
  EXPECT_EQ(options.trigger_interval_ms, 10'000);
  ASSERT_EQ(options.trigger_rules.size(), defaultTriggerRules().size() + 1);
  EXPECT_EQ(options.trigger_rules.back().metric, "node_load1");

  std::ofstream(path) << "[[trigger]]\nname = \"load\"\nmetric = \"node_load1\"\n";
  try {
    parse(arguments);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path + ": trigger 'load': key 'condition'"));
  }
}

}  // namespace
}  // namespace tidemark::controller
