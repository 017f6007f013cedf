// Wrong configuration and an unreachable controller: a clear one-line error and a
// non-zero exit, never a hang or a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "tests/support/child_process.h"
#include "tests/support/test_support.h"

namespace tidemark::testing {
namespace {

using ::testing::HasSubstr;

TEST(BadInputTest, CliWithoutControllerFailsInOneLine) {
  TempDir dir;
  auto result = runCommand({binary("tidemark"), "--socket", dir.str() + "/none.sock", "status"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot reach the controller"));
  EXPECT_THAT(result.err, HasSubstr("none.sock"));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST(BadInputTest, CliWithStaleSocketFailsAtOnce) {
  TempDir dir;
  // A socket file nobody listens on, as a killed controller leaves behind.
  const std::string path = dir.str() + "/stale.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ::close(fd);
  auto result = runCommand({binary("tidemark"), "--socket", path, "hosts"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("not running"));
}

TEST(BadInputTest, AgentRejectsUnknownConfigKeyNamingFileAndKey) {
  TempDir dir;
  dir.write("agent.toml", "controller = \"tcp://127.0.0.1:7070\"\ninterval = \"5s\"\nintervals = \"5s\"\n");
  auto result = runCommand({binary("tidemark-agent"), "--config", dir.str() + "/agent.toml",
                            "--insecure", "--state-dir", dir.str() + "/state"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("agent.toml"));
  EXPECT_THAT(result.err, HasSubstr("unknown key 'intervals'"));
}

TEST(BadInputTest, AgentRejectsBadValueNamingFileKeyAndReason) {
  TempDir dir;
  dir.write("agent.toml", "controller = \"tcp://127.0.0.1:7070\"\ninterval = \"ten seconds\"\n");
  auto result = runCommand({binary("tidemark-agent"), "--config", dir.str() + "/agent.toml",
                            "--insecure"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("agent.toml: key 'interval'"));
  EXPECT_THAT(result.err, HasSubstr("is not a duration"));
}

TEST(BadInputTest, AgentRejectsBadFlags) {
  auto interval = runCommand({binary("tidemark-agent"), "--controller", "tcp://127.0.0.1:7070",
                              "--interval", "100ms", "--insecure"});
  EXPECT_EQ(interval.exit_code, 2);
  EXPECT_THAT(interval.err, HasSubstr("below the 1s minimum"));
  auto endpoint = runCommand({binary("tidemark-agent"), "--controller", "127.0.0.1:7070", "--insecure"});
  EXPECT_EQ(endpoint.exit_code, 2);
  EXPECT_THAT(endpoint.err, HasSubstr("must start with tcp://"));
  auto host = runCommand({binary("tidemark-agent"), "--controller", "tcp://127.0.0.1:7070",
                          "--host-id", "bad host", "--insecure"});
  EXPECT_EQ(host.exit_code, 2);
  EXPECT_THAT(host.err, HasSubstr("--host-id"));
}

TEST(BadInputTest, ControllerReportsMissingRequiredOption) {
  auto result = runCommand({binary("tidemark-controller"), "--listen", "tcp://127.0.0.1:*", "--insecure"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--data-dir"));
}

TEST(BadInputTest, ControllerReportsUnusableDataDir) {
  TempDir dir;
  dir.write("file", "not a folder");
  auto result = runCommand({binary("tidemark-controller"), "--data-dir", dir.str() + "/file/data",
                            "--listen", "tcp://127.0.0.1:*", "--admin-socket", dir.str() + "/s.sock",
                            "--insecure"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("cannot open the store"));
}

}  // namespace
}  // namespace tidemark::testing
