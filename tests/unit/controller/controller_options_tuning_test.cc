// The [tuning] section of the controller's options.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "controller/controller_options.h"
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

const std::vector<std::string> kRequired = {"--data-dir", "/tmp/x", "--listen",
                                            "tcp://127.0.0.1:7070", "--insecure"};

TEST(ControllerOptionsTuningTest, Defaults) {
  ControllerOptions options = parse(kRequired);
  EXPECT_EQ(options.tuning_health_window_ms, 10 * 60'000);
  EXPECT_EQ(options.tuning_recommend_interval_ms, 10 * 60'000);
  EXPECT_EQ(options.tuning_canary, -1);
}

TEST(ControllerOptionsTuningTest, FromTheConfigFileAndFlags) {
  tidemark::testing::TempDir dir;
  const std::string path = (dir.path() / "controller.toml").string();
  std::ofstream(path)
      << "[tuning]\nhealth_window = \"2s\"\nrecommend_interval = \"1h\"\ncanary = 2\n";
  auto arguments = kRequired;
  arguments.insert(arguments.end(), {"--config", path});
  ControllerOptions options = parse(arguments);
  EXPECT_EQ(options.tuning_health_window_ms, 2'000);
  EXPECT_EQ(options.tuning_recommend_interval_ms, 3'600'000);
  EXPECT_EQ(options.tuning_canary, 2);

  arguments.insert(arguments.end(), {"--tuning-canary", "0"});
  EXPECT_EQ(parse(arguments).tuning_canary, 0);
}

TEST(ControllerOptionsTuningTest, RefusesNonsense) {
  auto expectError = [](std::vector<std::string> extra, const std::string& message) {
    auto arguments = kRequired;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    try {
      parse(arguments);
      FAIL() << "expected ConfigError for " << extra[0];
    } catch (const ConfigError& e) {
      EXPECT_THAT(e.what(), HasSubstr(message));
    }
  };
  expectError({"--tuning-health-window", "0s"}, "tuning.health_window");
  expectError({"--tuning-recommend-interval", "1s"}, "tuning.recommend_interval");
  expectError({"--tuning-canary", "-1"}, "out of range [0, 1000]");
}

}  // namespace
}  // namespace tidemark::controller
