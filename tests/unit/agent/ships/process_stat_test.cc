#include "agent/ships/process_stat.h"

#include <gtest/gtest.h>

#include <string>

namespace tidemark::agent {
namespace {

TEST(ProcessStatTest, ParsesFieldsAfterAnAwkwardName) {
  // The name holds a space and a ')': fields are counted from the last ')'.
  const std::string stat =
      "4242 (ur bit) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 987654 "
      "123456789 3000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  ProcessStat parsed;
  ASSERT_TRUE(parseProcessStat(stat, parsed));
  EXPECT_EQ(parsed.ppid, 17);
  EXPECT_EQ(parsed.utime_ticks, 250u);
  EXPECT_EQ(parsed.stime_ticks, 75u);
  EXPECT_EQ(parsed.start_ticks, 987654u);
  EXPECT_EQ(parsed.rss_pages, 3000u);
}

TEST(ProcessStatTest, RejectsTruncatedAndGarbage) {
  ProcessStat parsed;
  EXPECT_FALSE(parseProcessStat("", parsed));
  EXPECT_FALSE(parseProcessStat("12 (x) S 1 2 3", parsed));
  EXPECT_FALSE(parseProcessStat("no parenthesis at all", parsed));
  EXPECT_FALSE(
      parseProcessStat("1 (x) S a 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 100 10 0\n", parsed));
  EXPECT_FALSE(
      parseProcessStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 1x 1 0 0 20 0 1 0 5 100 10 0\n", parsed));
  EXPECT_FALSE(
      parseProcessStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 100 -10 0\n", parsed));
  // One field short of rss.
  EXPECT_FALSE(parseProcessStat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 100", parsed));
}

TEST(ProcessStatTest, StopsAtRssWhateverFollowsAndKeepsOutputOnFailure) {
  ProcessStat parsed;
  // Exactly through rss (field 24), no newline.
  ASSERT_TRUE(parseProcessStat("9 (a)b) R 1 9 9 0 -1 0 0 0 0 0 7 8 0 0 20 0 1 0 55 4096 12", parsed));
  EXPECT_EQ(parsed.ppid, 1);
  EXPECT_EQ(parsed.utime_ticks, 7u);
  EXPECT_EQ(parsed.stime_ticks, 8u);
  EXPECT_EQ(parsed.start_ticks, 55u);
  EXPECT_EQ(parsed.rss_pages, 12u);
  EXPECT_FALSE(parseProcessStat("9 (a) R 1 9 9 0 -1 0 0 0 0 0 x 8 0 0 20 0 1 0 55 4096 99", parsed));
  EXPECT_EQ(parsed.rss_pages, 12u);
}

}  // namespace
}  // namespace tidemark::agent
