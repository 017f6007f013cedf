#include "common/metrics/host_id.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace tidemark {
namespace {

using ::testing::HasSubstr;

TEST(HostIdTest, AcceptsUsualNames) {
  for (const char* host : {"web-01", "db.example.com", "A", "x_y", "0", "node-1.eu-west_2",
                           "ALLCAPS.123"}) {
    EXPECT_EQ(checkHostId(host), "") << host;
  }
}

TEST(HostIdTest, RejectsEmpty) { EXPECT_THAT(checkHostId(""), HasSubstr("empty")); }

TEST(HostIdTest, LengthLimitIs253Bytes) {
  EXPECT_EQ(checkHostId(std::string(253, 'a')), "");
  EXPECT_THAT(checkHostId(std::string(254, 'a')), HasSubstr("longer than 253"));
}

TEST(HostIdTest, RejectsOtherCharacters) {
  for (const std::string host : {"web 01", "web/01", "a:b", "a@b", "tab\there", "ünï", "a\"b",
                                 "new\nline", "slash\\", "*"}) {
    std::string problem = checkHostId(host);
    EXPECT_THAT(problem, HasSubstr("[A-Za-z0-9._-]")) << host;
    EXPECT_THAT(problem, HasSubstr(host)) << host;
  }
  EXPECT_NE(checkHostId(std::string("a\0b", 3)), "");
}

// Host ids name files in the controller's pki dir (found by batch_ingest_fuzz).
TEST(HostIdTest, RejectsDotAndDotDot) {
  EXPECT_THAT(checkHostId("."), HasSubstr("not a name"));
  EXPECT_THAT(checkHostId(".."), HasSubstr("not a name"));
  EXPECT_EQ(checkHostId("..."), "");
  EXPECT_EQ(checkHostId(".hidden"), "");
}

}  // namespace
}  // namespace tidemark
