// [history]: the backend the planner, triggers, reports and queries read from.
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

ControllerOptions parse(std::vector<std::string> extra) {
  std::vector<std::string> arguments = {"tidemark-controller",  "--data-dir", "/tmp/x", "--listen",
                                        "tcp://127.0.0.1:7070", "--insecure"};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  return parseControllerOptions(static_cast<int>(argv.size()), argv.data());
}

std::string errorOf(std::vector<std::string> extra) {
  try {
    parse(std::move(extra));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ControllerOptionsHistoryTest, DefaultIsTheControllersOwnStore) {
  const ControllerOptions options = parse({});
  EXPECT_EQ(options.history.backend, HistoryOptions::Backend::kRocksdb);
  EXPECT_EQ(options.history.timeout_ms, 30'000);
}

TEST(ControllerOptionsHistoryTest, PromqlFromToml) {
  tidemark::testing::TempDir dir;
  const std::string path = (dir.path() / "controller.toml").string();
  std::ofstream(path) << "[history]\nbackend = \"promql\"\nurl = \"https://vm.example:8428\"\n"
                         "bearer_token_file = \"/etc/tidemark/vm.token\"\n"
                         "ca_file = \"/etc/tidemark/ca.pem\"\ntimeout = \"5s\"\n";
  const ControllerOptions options = parse({"--config", path});
  EXPECT_EQ(options.history.backend, HistoryOptions::Backend::kPromql);
  EXPECT_EQ(options.history.url, "https://vm.example:8428");
  EXPECT_EQ(options.history.bearer_token_file, "/etc/tidemark/vm.token");
  EXPECT_EQ(options.history.ca_file, "/etc/tidemark/ca.pem");
  EXPECT_EQ(options.history.timeout_ms, 5'000);
}

TEST(ControllerOptionsHistoryTest, MistakesAreClearErrors) {
  EXPECT_THAT(errorOf({"--history-backend", "influx"}),
              HasSubstr("history.backend: \"influx\" is neither rocksdb nor promql"));
  EXPECT_THAT(errorOf({"--history-backend", "promql"}),
              HasSubstr("history.url: the promql backend needs an http:// or https:// URL"));
  EXPECT_THAT(errorOf({"--history-backend", "promql", "--history-url", "127.0.0.1:9090"}),
              HasSubstr("(got \"127.0.0.1:9090\")"));
  EXPECT_THAT(errorOf({"--history-basic-auth-user", "tidemark"}),
              HasSubstr("basic_auth_user and basic_auth_password_file go together"));
  EXPECT_THAT(errorOf({"--history-timeout", "10ms"}), HasSubstr("history.timeout 10ms"));
}

}  // namespace
}  // namespace tidemark::controller
