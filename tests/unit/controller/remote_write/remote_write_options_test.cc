#include "controller/remote_write/remote_write_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

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
  arguments.insert(arguments.begin(), {"tidemark-controller", "--data-dir", "/tmp/x", "--listen",
                                       "tcp://127.0.0.1:7070", "--insecure"});
  std::vector<char*> argv;
  for (auto& argument : arguments) argv.push_back(argument.data());
  return parseControllerOptions(static_cast<int>(argv.size()), argv.data());
}

std::string errorOf(std::vector<std::string> arguments) {
  try {
    parse(std::move(arguments));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RemoteWriteOptionsTest, OffByDefaultWithDocumentedDefaults) {
  const auto options = parse({}).remote_write;
  EXPECT_FALSE(options.enabled());
  EXPECT_EQ(options.batch_size, 2000);
  EXPECT_EQ(options.flush_interval_ms, 1000);
  EXPECT_EQ(options.shards, 4);
  EXPECT_EQ(options.queue_max_bytes, int64_t{1} << 30);
  EXPECT_EQ(options.timeout_ms, 30'000);
  EXPECT_EQ(options.self_metrics_interval_ms, 10'000);
}

TEST(RemoteWriteOptionsTest, SelfMetricsHostDefaultsToTheHostnameAndIsChecked) {
  char hostname[256] = {};
  ASSERT_EQ(::gethostname(hostname, sizeof hostname), 0);
  EXPECT_EQ(parse({"--remote-write-url", "http://x/api/v1/write"}).remote_write.self_host,
            hostname);
  const auto options =
      parse({"--remote-write-url", "http://x/api/v1/write", "--remote-write-self-host", "ctl-eu-1",
             "--remote-write-self-metrics-interval", "0s"})
          .remote_write;
  EXPECT_EQ(options.self_host, "ctl-eu-1");
  EXPECT_EQ(options.self_metrics_interval_ms, 0);
  EXPECT_THAT(errorOf({"--remote-write-url", "http://x", "--remote-write-self-host", "a b"}),
              HasSubstr("remote_write.self_host: host id \"a b\" has characters"));
  EXPECT_THAT(
      errorOf({"--remote-write-url", "http://x", "--remote-write-self-metrics-interval", "500ms"}),
      HasSubstr("remote_write.self_metrics_interval 500ms: must be between 1000ms"));
}

TEST(RemoteWriteOptionsTest, ReadsTheTableAndFlags) {
  tidemark::testing::TempDir dir;
  dir.write("token", "abc123\n");
  dir.write("controller.toml",
            "[remote_write]\nurl = \"https://vm.example:8428/api/v1/write\"\n"
            "bearer_token_file = \"" +
                dir.str() +
                "/token\"\nbatch_size = 500\n"
                "flush_interval = \"250ms\"\nshards = 2\nqueue_max_bytes = 10485760\n"
                "timeout = \"5s\"\n");
  const auto options =
      parse({"--config", dir.str() + "/controller.toml", "--remote-write-shards", "3"})
          .remote_write;
  EXPECT_EQ(options.url, "https://vm.example:8428/api/v1/write");
  EXPECT_EQ(options.bearer_token, "abc123");  // read from the file, newline trimmed
  EXPECT_EQ(options.batch_size, 500);
  EXPECT_EQ(options.flush_interval_ms, 250);
  EXPECT_EQ(options.shards, 3);  // the flag wins
  EXPECT_EQ(options.queue_max_bytes, 10 << 20);
  EXPECT_EQ(options.timeout_ms, 5000);
  EXPECT_EQ(options.queue_dir, "/tmp/x/remote_write");
}

TEST(RemoteWriteOptionsTest, RejectsBadSettingsNamingTheKey) {
  EXPECT_THAT(errorOf({"--remote-write-url", "ftp://x/api"}),
              HasSubstr("remote_write.url ftp://x/api: must start with http:// or https://"));
  EXPECT_THAT(errorOf({"--remote-write-url", "http://"}),
              HasSubstr("remote_write.url http://: no host"));
  EXPECT_THAT(errorOf({"--remote-write-url", "http://x", "--remote-write-bearer-token", "t",
                       "--remote-write-basic-auth-username", "u",
                       "--remote-write-basic-auth-password", "p"}),
              HasSubstr("exclude each other"));
  EXPECT_THAT(errorOf({"--remote-write-url", "http://x", "--remote-write-bearer-token-file",
                       "/nonexistent/token"}),
              HasSubstr("remote_write.bearer_token_file /nonexistent/token: No such file"));
  EXPECT_THAT(
      errorOf({"--remote-write-url", "http://x", "--remote-write-basic-auth-password", "p"}),
      HasSubstr("remote_write.basic_auth_username: required"));
  EXPECT_THAT(
      errorOf({"--remote-write-url", "http://x", "--remote-write-basic-auth-username", "u"}),
      HasSubstr("remote_write.basic_auth_password: required"));
  EXPECT_THAT(errorOf({"--remote-write-url", "http://x", "--remote-write-ca-file", "/nonexistent"}),
              HasSubstr("remote_write.ca_file /nonexistent"));
  EXPECT_THAT(errorOf({"--remote-write-bearer-token", "t"}), HasSubstr("without remote_write.url"));
  EXPECT_THAT(errorOf({"--remote-write-url", "http://x", "--remote-write-flush-interval", "1ms"}),
              HasSubstr("remote_write.flush_interval 1ms"));
  EXPECT_FALSE(
      errorOf({"--remote-write-url", "http://x", "--remote-write-batch-size", "0"}).empty());
}

TEST(RemoteWriteOptionsTest, BasicAuthPasswordFromAFile) {
  tidemark::testing::TempDir dir;
  dir.write("password", "pw\n");
  const auto options = parse({"--remote-write-url", "http://127.0.0.1:9090/api/v1/write",
                              "--remote-write-basic-auth-username", "tm",
                              "--remote-write-basic-auth-password-file", dir.str() + "/password"})
                           .remote_write;
  EXPECT_EQ(options.basic_auth_username, "tm");
  EXPECT_EQ(options.basic_auth_password, "pw");
}

}  // namespace
}  // namespace tidemark::controller
