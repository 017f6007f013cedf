#include "common/config/duration.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace tidemark {
namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kWeek = 7 * kDay;

TEST(ParseDurationMsTest, EachUnit) {
  EXPECT_EQ(parseDurationMs("500ms"), 500);
  EXPECT_EQ(parseDurationMs("10s"), 10 * kSecond);
  EXPECT_EQ(parseDurationMs("5m"), 5 * kMinute);
  EXPECT_EQ(parseDurationMs("1h"), kHour);
  EXPECT_EQ(parseDurationMs("30d"), 30 * kDay);
  EXPECT_EQ(parseDurationMs("2w"), 2 * kWeek);
  EXPECT_EQ(parseDurationMs("0s"), 0);
  EXPECT_EQ(parseDurationMs("0ms"), 0);
}

TEST(ParseDurationMsTest, Combinations) {
  EXPECT_EQ(parseDurationMs("1h30m"), kHour + 30 * kMinute);
  EXPECT_EQ(parseDurationMs("1m30s"), kMinute + 30 * kSecond);
  EXPECT_EQ(parseDurationMs("1d2h3m4s5ms"), kDay + 2 * kHour + 3 * kMinute + 4 * kSecond + 5);
  EXPECT_EQ(parseDurationMs("1m5ms"), kMinute + 5);
  // Parts simply add up; order and repetition are not enforced.
  EXPECT_EQ(parseDurationMs("30m1h"), kHour + 30 * kMinute);
  EXPECT_EQ(parseDurationMs("1s1s"), 2 * kSecond);
  EXPECT_EQ(parseDurationMs("90s"), 90 * kSecond);
}

TEST(ParseDurationMsTest, RejectsBareNumbers) {
  EXPECT_EQ(parseDurationMs("10"), std::nullopt);
  EXPECT_EQ(parseDurationMs("0"), std::nullopt);
  EXPECT_EQ(parseDurationMs("1h30"), std::nullopt);  // trailing number without unit
}

TEST(ParseDurationMsTest, RejectsNegativesAndSigns) {
  EXPECT_EQ(parseDurationMs("-5s"), std::nullopt);
  EXPECT_EQ(parseDurationMs("1h-5m"), std::nullopt);
  EXPECT_EQ(parseDurationMs("+5s"), std::nullopt);
}

TEST(ParseDurationMsTest, RejectsGarbage) {
  for (const char* text : {"", "s", "ms", "abc", "10x", "10sec", "10S", "1H", "1.5s", " 10s",
                           "10s ", "10 s", "1h 30m", "10s,", "5mss", "h1", "\0"}) {
    EXPECT_EQ(parseDurationMs(text), std::nullopt) << "'" << text << "'";
  }
  EXPECT_EQ(parseDurationMs(std::string_view("1s\0", 3)), std::nullopt);
}

TEST(ParseDurationMsTest, RejectsOverflow) {
  // Fits as a number, but not once scaled to milliseconds.
  EXPECT_EQ(parseDurationMs("9223372036854775807s"), std::nullopt);
  EXPECT_EQ(parseDurationMs("200000000000000w"), std::nullopt);
  // Too large to be an int64 at all.
  EXPECT_EQ(parseDurationMs("99999999999999999999ms"), std::nullopt);
  // The sum of parts overflows although each part fits.
  EXPECT_EQ(parseDurationMs("9223372036854775807ms1ms"), std::nullopt);
  EXPECT_EQ(parseDurationMs("5000000000000000s5000000000000000s"), std::nullopt);
  // The largest value still parses.
  EXPECT_EQ(parseDurationMs("9223372036854775807ms"), INT64_MAX);
  EXPECT_EQ(parseDurationMs("9223372036854775806ms1ms"), INT64_MAX);
}

TEST(FormatDurationMsTest, ShortestForm) {
  EXPECT_EQ(formatDurationMs(0), "0s");
  EXPECT_EQ(formatDurationMs(1), "1ms");
  EXPECT_EQ(formatDurationMs(500), "500ms");
  EXPECT_EQ(formatDurationMs(1000), "1s");
  EXPECT_EQ(formatDurationMs(90 * kSecond), "1m30s");
  EXPECT_EQ(formatDurationMs(kHour + 30 * kMinute), "1h30m");
  EXPECT_EQ(formatDurationMs(kHour), "1h");
  EXPECT_EQ(formatDurationMs(30 * kDay), "30d");
  EXPECT_EQ(formatDurationMs(kWeek), "7d");
  EXPECT_EQ(formatDurationMs(kDay + kSecond + 1), "1d1s1ms");
}

TEST(FormatDurationMsTest, RoundTripsThroughParse) {
  for (int64_t ms : {int64_t{1}, int64_t{999}, int64_t{1001}, 59 * kSecond, 61 * kMinute,
                     25 * kHour + 7, 400 * kDay + 3 * kHour + 2 * kMinute + 1 * kSecond + 9}) {
    auto text = formatDurationMs(ms);
    EXPECT_EQ(parseDurationMs(text), ms) << text;
  }
}

constexpr int64_t kNow = 1'700'000'000'000;  // 2023-11-14T22:13:20Z

TEST(ParseTimeMsTest, DurationMeansAgo) {
  EXPECT_EQ(parseTimeMs("1h", kNow), kNow - kHour);
  EXPECT_EQ(parseTimeMs("30m", kNow), kNow - 30 * kMinute);
  EXPECT_EQ(parseTimeMs("1h30m", kNow), kNow - kHour - 30 * kMinute);
  EXPECT_EQ(parseTimeMs("0s", kNow), kNow);
}

TEST(ParseTimeMsTest, Now) { EXPECT_EQ(parseTimeMs("now", kNow), kNow); }

TEST(ParseTimeMsTest, UnixSeconds) {
  EXPECT_EQ(parseTimeMs("1700000000", kNow), 1'700'000'000'000);
  EXPECT_EQ(parseTimeMs("0", kNow), 0);
  EXPECT_EQ(parseTimeMs("1", 5), 1000);
}

TEST(ParseTimeMsTest, UnixSecondsTooLargeForMilliseconds) {
  // Multiplying by 1000 would overflow int64.
  EXPECT_EQ(parseTimeMs("9223372036854775807", kNow), std::nullopt);
  EXPECT_EQ(parseTimeMs("9223372036854776", kNow), std::nullopt);
  EXPECT_EQ(parseTimeMs("9223372036854775", kNow), int64_t{9223372036854775} * 1000);
}

TEST(ParseTimeMsTest, Rfc3339) {
  EXPECT_EQ(parseTimeMs("2023-11-14T22:13:20Z", 0), 1'700'000'000'000);
  EXPECT_EQ(parseTimeMs("1970-01-01T00:00:00Z", kNow), 0);
  EXPECT_EQ(parseTimeMs("2026-11-23T09:00:00Z", kNow), 1'795'424'400'000);
  EXPECT_EQ(parseTimeMs("2026-11-23T09:00:00+00:00", kNow), 1'795'424'400'000);
  EXPECT_EQ(parseTimeMs("2024-02-29T12:00:00Z", kNow), 1'709'208'000'000);
}

TEST(ParseTimeMsTest, RejectsUnsupported) {
  for (const char* text : {"", "yesterday", "NOW", "1.5", "2026-11-23", "2026-11-23T09:00",
                           "2026-11-23T09:00:00+02:00", "2026-11-23T09:00:00Zjunk",
                           "2026-11-23 09:00:00Z", "12abc", "-5s"}) {
    EXPECT_EQ(parseTimeMs(text, kNow), std::nullopt) << "'" << text << "'";
  }
}

TEST(FormatTimeMsTest, Rfc3339Utc) {
  EXPECT_EQ(formatTimeMs(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatTimeMs(1'700'000'000'000), "2023-11-14T22:13:20Z");
  // Milliseconds are truncated.
  EXPECT_EQ(formatTimeMs(1'700'000'000'999), "2023-11-14T22:13:20Z");
  EXPECT_EQ(formatTimeMs(1'795'424'400'000), "2026-11-23T09:00:00Z");
}

TEST(FormatTimeMsTest, BeforeTheEpochRoundsDown) {
  EXPECT_EQ(formatTimeMs(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(formatTimeMs(-1000), "1969-12-31T23:59:59Z");
  EXPECT_EQ(formatTimeMs(-1001), "1969-12-31T23:59:58Z");
  EXPECT_EQ(formatTimeMs(-86'400'000), "1969-12-31T00:00:00Z");
}

TEST(FormatTimeMsTest, RoundTripsThroughParse) {
  for (int64_t ms : {int64_t{0}, int64_t{1'700'000'000'000}, int64_t{1'709'208'000'000},
                     int64_t{4'102'444'799'000}}) {
    EXPECT_EQ(parseTimeMs(formatTimeMs(ms), kNow), ms) << formatTimeMs(ms);
  }
}

}  // namespace
}  // namespace tidemark
