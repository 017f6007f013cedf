#include "agent/collectors/parse_util.h"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "agent/io/plain_file_reader.h"
#include "common/time/clock.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

TEST(ParseUtilTest, ParseUint64AcceptsOnlyWholeDecimalNumbers) {
  uint64_t value = 7;
  EXPECT_TRUE(parseUint64("0", value));
  EXPECT_EQ(value, 0u);
  EXPECT_TRUE(parseUint64("18446744073709551615", value));
  EXPECT_EQ(value, UINT64_MAX);
  value = 7;
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "12x", "x", "18446744073709551616", "1.5"}) {
    EXPECT_FALSE(parseUint64(bad, value)) << bad;
    EXPECT_EQ(value, 7u) << "left untouched on failure: " << bad;
  }
}

TEST(ParseUtilTest, ParseInt64AcceptsSign) {
  int64_t value = 0;
  EXPECT_TRUE(parseInt64("-42", value));
  EXPECT_EQ(value, -42);
  EXPECT_TRUE(parseInt64("9223372036854775807", value));
  EXPECT_EQ(value, INT64_MAX);
  EXPECT_FALSE(parseInt64("9223372036854775808", value));
  EXPECT_FALSE(parseInt64("4-", value));
  EXPECT_FALSE(parseInt64("", value));
}

TEST(ParseUtilTest, ParseDoubleRejectsJunkAndNonFinite) {
  double value = 0;
  EXPECT_TRUE(parseDouble("0.52", value));
  EXPECT_EQ(value, 0.52);
  EXPECT_TRUE(parseDouble("-3", value));
  EXPECT_EQ(value, -3.0);
  EXPECT_TRUE(parseDouble("1e3", value));
  EXPECT_EQ(value, 1000.0);
  for (const char* bad : {"", "nan", "inf", "-inf", "1.5x", " 1", "abc", "1e999"})
    EXPECT_FALSE(parseDouble(bad, value)) << bad;
}

TEST(ParseUtilTest, TrimSpace) {
  EXPECT_EQ(trimSpace(" \t a b \r\n"), "a b");
  EXPECT_EQ(trimSpace("\n\n"), "");
  EXPECT_EQ(trimSpace(""), "");
}

TEST(ParseUtilTest, LineSplitterNumbersLinesAndKeepsUnterminatedLast) {
  LineSplitter lines("a\n\nb c\nlast");
  std::vector<std::string_view> seen;
  std::vector<size_t> numbers;
  for (std::string_view line; lines.next(line);) {
    seen.push_back(line);
    numbers.push_back(lines.lineNumber());
  }
  EXPECT_EQ(seen, (std::vector<std::string_view>{"a", "", "b c", "last"}));
  EXPECT_EQ(numbers, (std::vector<size_t>{1, 2, 3, 4}));
}

TEST(ParseUtilTest, LineSplitterFinalNewlineMakesNoExtraLine) {
  LineSplitter lines("a\nb\n");
  std::string_view line;
  int n = 0;
  while (lines.next(line)) ++n;
  EXPECT_EQ(n, 2);
  LineSplitter empty("");
  EXPECT_FALSE(empty.next(line));
}

TEST(ParseUtilTest, FieldSplitterSkipsRunsOfSpacesAndTabs) {
  FieldSplitter fields("  cpu0 \t 12\t\t34  ");
  std::vector<std::string_view> seen;
  for (std::string_view field; fields.next(field);) seen.push_back(field);
  EXPECT_EQ(seen, (std::vector<std::string_view>{"cpu0", "12", "34"}));
  FieldSplitter blank(" \t ");
  std::string_view field;
  EXPECT_FALSE(blank.next(field));
}

TEST(ParseUtilTest, SplitFieldsStoresFirstAndCountsAll) {
  std::array<std::string_view, 2> fields;
  EXPECT_EQ(splitFields("a b c d", fields), 4u);
  EXPECT_EQ(fields[0], "a");
  EXPECT_EQ(fields[1], "b");
  EXPECT_EQ(splitFields("", fields), 0u);
}

TEST(ParseUtilTest, ParseProblemsFormatsLineMessages) {
  ParseProblems problems("proc_stat", "/proc/stat");
  EXPECT_TRUE(problems.empty());
  problems.addLine(3, "cpu0 12 x", "field 2 is not a number; line skipped");
  problems.addFile("file is empty; no samples");
  ASSERT_EQ(problems.count(), 2u);
  EXPECT_EQ(problems.kept()[0].message,
            "proc_stat: /proc/stat line 3 \"cpu0 12 x\": field 2 is not a number; line skipped");
  EXPECT_EQ(problems.kept()[1].message, "proc_stat: /proc/stat: file is empty; no samples");
  EXPECT_NE(problems.kept()[0].key, problems.kept()[1].key);
}

TEST(ParseUtilTest, ParseProblemsSanitisesAndShortensQuotedLines) {
  ParseProblems problems("x", "/p");
  problems.addLine(1, std::string("a\tb\x01", 4) + std::string(500, 'z'), "bad");
  const std::string& message = problems.kept()[0].message;
  EXPECT_NE(message.find("\"a\\tb?zz"), std::string::npos) << message;
  EXPECT_NE(message.find("...\": bad"), std::string::npos) << message;
  EXPECT_LT(message.size(), 200u);
}

TEST(ParseUtilTest, ParseProblemsKeepsABoundedNumberAndLogsTheRestAsOne) {
  ManualClock clock;
  ThrottledLog log(clock);
  testing::LogCapture capture;
  ParseProblems problems("proc_vmstat", "/proc/vmstat");
  for (size_t i = 1; i <= 1000; ++i) problems.addLine(i, "junk", "bad; skipped");
  EXPECT_EQ(problems.count(), 1000u);
  EXPECT_EQ(problems.kept().size(), ParseProblems::kMaxKept);
  problems.logTo(log);
  EXPECT_EQ(capture.count("bad; skipped"), ParseProblems::kMaxKept);
  EXPECT_EQ(capture.count("984 more problems not logged individually"), 1u);
  // The same problems next interval are throttled.
  problems.logTo(log);
  EXPECT_EQ(capture.count("bad; skipped"), ParseProblems::kMaxKept);
}

TEST(ParseUtilTest, ReadOrLogSaysWhatCouldNotBeReadAndWhy) {
  testing::TempDir root;
  root.write("proc/loadavg", "1 2 3\n");
  PlainFileReader reader(root.str());
  ManualClock clock;
  ThrottledLog log(clock);
  testing::LogCapture capture;
  std::string buffer;
  EXPECT_TRUE(readOrLog(reader, log, "proc_loadavg", "/proc/loadavg", buffer));
  EXPECT_EQ(buffer, "1 2 3\n");
  EXPECT_FALSE(readOrLog(reader, log, "proc_loadavg", "/proc/missing", buffer));
  EXPECT_TRUE(buffer.empty());
  EXPECT_EQ(capture.count("proc_loadavg: cannot read /proc/missing: No such file or directory "
                          "(errno 2)"),
            1u)
      << capture.text();
}

}  // namespace
}  // namespace tidemark::agent
