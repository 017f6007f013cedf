#include "common/openmetrics/parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace tidemark::openmetrics {
namespace {

struct Parsed {
  std::string name;
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
  std::optional<int64_t> timestamp_ms;
  size_t line = 0;
};

struct Result {
  std::vector<Parsed> samples;
  std::vector<ParseError> errors;
  bool eof = false;
};

Result parseAll(std::string_view text, ParserOptions options = {}) {
  Result result;
  Parser parser(text, options);
  for (auto event = parser.next(); event != Parser::Event::kEnd; event = parser.next()) {
    if (event == Parser::Event::kError) {
      result.errors.push_back(parser.error());
      continue;
    }
    const Sample& s = parser.sample();
    Parsed p{std::string(s.name), {}, s.value, s.timestamp_ms, s.line};
    for (const auto& l : s.labels) p.labels.emplace_back(std::string(l.name), std::string(l.value));
    result.samples.push_back(std::move(p));
  }
  result.eof = parser.sawEof();
  return result;
}

// The one error of a single-line document, or a failure naming what parsed instead.
ParseError onlyError(std::string_view text) {
  Result r = parseAll(text);
  EXPECT_EQ(r.errors.size(), 1u) << text;
  EXPECT_TRUE(r.samples.empty()) << text;
  return r.errors.empty() ? ParseError{} : r.errors[0];
}

TEST(OpenMetricsParser, ReadsAFullDocument) {
  const std::string text =
      "# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n"
      "# TYPE node_cpu_seconds_total counter\n"
      "# UNIT node_cpu_seconds_total seconds\n"
      "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 6103.24 1700000000.123\n"
      "node_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 12 1700000000\n"
      "\n"
      "node_load1 0.52 1700000010.5\n"
      "# EOF\n";
  Result r = parseAll(text);
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.samples.size(), 3u);
  EXPECT_TRUE(r.eof);
  EXPECT_EQ(r.samples[0].name, "node_cpu_seconds_total");
  ASSERT_EQ(r.samples[0].labels.size(), 2u);
  EXPECT_EQ(r.samples[0].labels[0], (std::pair<std::string, std::string>{"cpu", "0"}));
  EXPECT_EQ(r.samples[0].labels[1], (std::pair<std::string, std::string>{"mode", "idle"}));
  EXPECT_EQ(r.samples[0].value, 6103.24);
  EXPECT_EQ(r.samples[0].timestamp_ms, 1700000000123);
  EXPECT_EQ(r.samples[0].line, 4u);
  EXPECT_EQ(r.samples[1].timestamp_ms, 1700000000000);
  EXPECT_EQ(r.samples[2].name, "node_load1");
  EXPECT_TRUE(r.samples[2].labels.empty());
  EXPECT_EQ(r.samples[2].timestamp_ms, 1700000010500);
  EXPECT_EQ(r.samples[2].line, 7u);
}

TEST(OpenMetricsParser, UnescapesLabelValues) {
  Result r = parseAll(
      "m{a=\"back\\\\slash\",b=\"say \\\"hi\\\"\",c=\"two\\nlines\",d=\"\"} 1 1\n"
      "m{a=\"x\\\\\",b=\"plain\"} 2 2\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples[0].labels[0].second, "back\\slash");
  EXPECT_EQ(r.samples[0].labels[1].second, "say \"hi\"");
  EXPECT_EQ(r.samples[0].labels[2].second, "two\nlines");
  EXPECT_EQ(r.samples[0].labels[3].second, "");
  EXPECT_EQ(r.samples[1].labels[0].second, "x\\");
  EXPECT_EQ(r.samples[1].labels[1].second, "plain");
}

TEST(OpenMetricsParser, ReadsSpecialValues) {
  Result r = parseAll(
      "a NaN 1\nb +Inf 1\nc -Inf 1\nd inf 1\ne -1.5e-3 1\nf 1E6 1\ng .5 1\nh +7 1\n"
      "i 0.30000000000000004 1\nj 1.7976931348623157e308 1\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.samples.size(), 10u);
  EXPECT_TRUE(std::isnan(r.samples[0].value));
  EXPECT_EQ(r.samples[1].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.samples[2].value, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.samples[3].value, std::numeric_limits<double>::infinity());
  EXPECT_EQ(r.samples[4].value, -1.5e-3);
  EXPECT_EQ(r.samples[5].value, 1e6);
  EXPECT_EQ(r.samples[6].value, 0.5);
  EXPECT_EQ(r.samples[7].value, 7);
  EXPECT_EQ(r.samples[8].value, 0.1 + 0.2);  // shortest round-trip text reads back exactly
  EXPECT_EQ(r.samples[9].value, std::numeric_limits<double>::max());
}

TEST(OpenMetricsParser, ConvertsTimestampsToMillisecondsExactly) {
  EXPECT_EQ(parseTimestampMs("1700000000"), 1700000000000);
  EXPECT_EQ(parseTimestampMs("1700000000.1"), 1700000000100);
  EXPECT_EQ(parseTimestampMs("1700000000.12"), 1700000000120);
  EXPECT_EQ(parseTimestampMs("1700000000.123"), 1700000000123);
  // 1700000000.001 is not representable as a double; through double * 1000 it is
  // 1700000000000.9999 and truncates to ...000.
  EXPECT_EQ(parseTimestampMs("1700000000.001"), 1700000000001);
  EXPECT_EQ(parseTimestampMs("1700000000.0015"), 1700000000002);  // halves round away
  EXPECT_EQ(parseTimestampMs("1700000000.0014999"), 1700000000001);
  EXPECT_EQ(parseTimestampMs("1700000000.9996"), 1700000001000);
  EXPECT_EQ(parseTimestampMs("1.7e9"), 1700000000000);
  EXPECT_EQ(parseTimestampMs("1.700000000123E+09"), 1700000000123);
  EXPECT_EQ(parseTimestampMs("17000000001230e-4"), 1700000000123);
  EXPECT_EQ(parseTimestampMs("0"), 0);
  EXPECT_EQ(parseTimestampMs("0.0004"), 0);
  EXPECT_EQ(parseTimestampMs("0.0005"), 1);
  EXPECT_EQ(parseTimestampMs("-1.5"), -1500);
  EXPECT_EQ(parseTimestampMs("+2"), 2000);
  EXPECT_EQ(parseTimestampMs(".5"), 500);
  EXPECT_EQ(parseTimestampMs("5."), 5000);
  EXPECT_EQ(parseTimestampMs("0e999999"), 0);
  EXPECT_EQ(parseTimestampMs("9223372036854775.807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parseTimestampMs("9223372036854775.808"), std::nullopt);  // past int64 ms
  EXPECT_EQ(parseTimestampMs("1e300"), std::nullopt);
  for (const char* bad :
       {"", "-", ".", "1.2.3", "1e", "1e+", "0x10", "1,5", "NaN", "Inf", "12a", " 1", "1 "}) {
    EXPECT_EQ(parseTimestampMs(bad), std::nullopt) << bad;
  }
}

TEST(OpenMetricsParser, AcceptsPrometheusTextLeniencies) {
  // Spaces around labels, a trailing comma, CRLF, tabs, other comments, an exemplar.
  Result r = parseAll(
      "# a free comment\r\n"
      "m{ a = \"1\" , b=\"2\", } 3 4\r\n"
      "m\t5\t6\n"
      "c_total 1 2 # {trace_id=\"abc\"} 1 2\n");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].reason;
  ASSERT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(r.samples[0].labels.size(), 2u);
  EXPECT_EQ(r.samples[0].value, 3);
  EXPECT_EQ(r.samples[1].value, 5);
  EXPECT_EQ(r.samples[1].timestamp_ms, 6000);
  EXPECT_EQ(r.samples[2].value, 1);
  EXPECT_FALSE(r.eof);
}

TEST(OpenMetricsParser, LastLineWithoutNewline) {
  Result r = parseAll("a 1 2\nb 3 4");
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples[1].line, 2u);
}

TEST(OpenMetricsParser, TimestampOptionalWhenAllowed) {
  Result r = parseAll("a 1\n", ParserOptions{.require_timestamp = false});
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_FALSE(r.samples[0].timestamp_ms.has_value());
}

TEST(OpenMetricsParser, ReportsEveryMalformedCaseWithItsReason) {
  struct Case {
    const char* text;
    const char* reason;  // a part of the message
  };
  const Case cases[] = {
      {"1abc 1 1", "invalid metric name"},
      {"{a=\"b\"} 1 1", "invalid metric name"},
      {"m-x 1 1", "expected a space after \"m\""},
      {"m", "no value"},
      {"m ", "no value"},
      {"m abc 1", "invalid value \"abc\""},
      {"m 1.2.3 1", "invalid value"},
      {"m 1e999 1", "invalid value"},
      {"m 0x1p3 1", "invalid value"},
      {"m ++1 1", "invalid value"},
      {"m 1", "no timestamp"},
      {"m 1 abc", "invalid timestamp \"abc\""},
      {"m 1 2 3", "unexpected text \"3\""},
      {"m{a=\"b\" 1 1", "expected , or }"},
      {"m{a=\"b\"", "unterminated label set"},
      {"m{a=\"b", "unterminated value"},
      {"m{a=b} 1 1", "expected a quoted value"},
      {"m{a} 1 1", "expected = after the name"},
      {"m{1a=\"b\"} 1 1", "invalid label name"},
      {"m{a=\"x\",a=\"y\"} 1 1", "duplicate label a"},
      {"m{a=\"\\t\"} 1 1", "invalid escape \\t"},
      {"m{a=\"x\"}1 1", "expected a space"},
      {"# TYPE m bogus", "unknown type \"bogus\""},
      {"# TYPE m", "unknown type"},
      {"# TYPE 1m counter", "invalid metric name"},
      {"# HELP", "without a metric name"},
      {"# TYPE m counter extra", "text after the type"},
      {"# EOF trailing", "unexpected text after # EOF"},
  };
  for (const auto& c : cases) {
    ParseError error = onlyError(c.text);
    EXPECT_EQ(error.line, 1u) << c.text;
    EXPECT_NE(error.reason.find(c.reason), std::string::npos)
        << c.text << " gave \"" << error.reason << "\", expected \"" << c.reason << "\"";
  }
}

TEST(OpenMetricsParser, ContinuesAfterAnErrorAndCountsLines) {
  Result r = parseAll(
      "good 1 1\n"
      "bad{ 1 1\n"
      "\n"
      "# HELP good fine\n"
      "good 2 2\n"
      "also bad\n"
      "good 3 3\n");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[1].line, 6u);
  ASSERT_EQ(r.samples.size(), 3u);
  EXPECT_EQ(r.samples[1].line, 5u);
  EXPECT_EQ(r.samples[2].line, 7u);
}

TEST(OpenMetricsParser, NothingButBlankLinesMayFollowEof) {
  Result ok = parseAll("a 1 1\n# EOF\n\n");
  EXPECT_TRUE(ok.errors.empty());
  EXPECT_TRUE(ok.eof);
  Result bad = parseAll("a 1 1\n# EOF\nb 2 2\nc 3 3\n");
  ASSERT_EQ(bad.errors.size(), 1u);  // reported once; the rest is not read
  EXPECT_EQ(bad.errors[0].line, 3u);
  EXPECT_EQ(bad.errors[0].reason, "content after # EOF");
  EXPECT_EQ(bad.samples.size(), 1u);
}

TEST(OpenMetricsParser, EmptyInput) {
  Result r = parseAll("");
  EXPECT_TRUE(r.samples.empty());
  EXPECT_TRUE(r.errors.empty());
  EXPECT_FALSE(r.eof);
}

TEST(OpenMetricsParser, ErrorsQuoteAtMostAShortPieceOfAHugeLine) {
  std::string line = "m " + std::string(100000, 'x') + " 1";
  ParseError error = onlyError(line);
  EXPECT_LT(error.reason.size(), 120u);
}

TEST(OpenMetricsParser, ManyLabelsReuseBuffersAcrossLines) {
  std::string text;
  for (int i = 0; i < 100; ++i) {
    text += "m{a=\"v\\\\" + std::to_string(i) + "\",b=\"" + std::to_string(i) + "\"} " +
            std::to_string(i) + " " + std::to_string(i) + "\n";
  }
  Result r = parseAll(text);
  ASSERT_EQ(r.samples.size(), 100u);
  EXPECT_EQ(r.samples[42].labels[0].second, "v\\42");
  EXPECT_EQ(r.samples[42].labels[1].second, "42");
  EXPECT_EQ(r.samples[42].timestamp_ms, 42000);
}

TEST(OpenMetricsParser, ASeriesRepeatedByteForByteIsFlaggedAndParsesTheSame) {
  // Escaped values live in the parser's scratch: a repeat must still see them, also
  // after an error line and a comment in between.
  const std::string text =
      "m{a=\"x\\\\y\",b=\"2\"} 1 1\n"  // 1
      "m{a=\"x\\\\y\",b=\"2\"} 2 2\n"  // 2: repeat
      "m{a=\"x\\\\y\",b=\"2\"} bad 3\n"  // 3: error, labels parsed the same
      "# a comment\n"
      "m{a=\"x\\\\y\",b=\"2\"} 4 4\n"  // 5: repeat
      "m{a=\"x\\\\y\",b=\"2\"}x 5 5\n"  // 6: error (no blank after the labels)
      "m{a=\"x\\\\y\",b=\"2\",c=\"3\"} 6 6\n"  // 7: longer label set, new series
      "m{a=\"x\\\\y\",b=\"2\",c=\"3\"} 7 7\n"  // 8: repeat
      "m 8 8\n"                                  // 9: prefix of line 8: new series
      "m 9 9\n"                                  // 10: repeat
      "mm 10 10\n";                              // 11: starts like m, is not m
  Parser parser(text);
  std::vector<std::pair<size_t, bool>> flags;  // (line, same_series)
  std::vector<std::string> label_a;
  size_t errors = 0;
  for (auto event = parser.next(); event != Parser::Event::kEnd; event = parser.next()) {
    if (event == Parser::Event::kError) {
      ++errors;
      continue;
    }
    const Sample& s = parser.sample();
    flags.emplace_back(s.line, s.same_series);
    label_a.push_back(s.labels.empty() ? std::string(s.name) : std::string(s.labels[0].value));
  }
  EXPECT_EQ(errors, 2u);
  const std::vector<std::pair<size_t, bool>> expected = {
      {1, false}, {2, true}, {5, true}, {7, false}, {8, true}, {9, false}, {10, true}, {11, false}};
  EXPECT_EQ(flags, expected);
  const std::vector<std::string> expected_a = {"x\\y", "x\\y", "x\\y", "x\\y",
                                               "x\\y", "m",     "m",     "mm"};
  EXPECT_EQ(label_a, expected_a);
}

TEST(OpenMetricsParser, ARepeatAfterASlowPathErrorIsParsedAgain) {
  // Line 2 fails inside its labels, overwriting the parser's label slots: line 3,
  // the same bytes as line 1, must not reuse them.
  Parser parser("m{a=\"1\",b=\"2\"} 1 1\nm{a=\"9\",b 1 1\nm{a=\"1\",b=\"2\"} 3 3\n");
  ASSERT_EQ(parser.next(), Parser::Event::kSample);
  ASSERT_EQ(parser.next(), Parser::Event::kError);
  ASSERT_EQ(parser.next(), Parser::Event::kSample);
  EXPECT_FALSE(parser.sample().same_series);
  ASSERT_EQ(parser.sample().labels.size(), 2u);
  EXPECT_EQ(parser.sample().labels[0].value, "1");
  EXPECT_EQ(parser.sample().labels[1].value, "2");
  EXPECT_EQ(parser.sample().value, 3);
}

}  // namespace
}  // namespace tidemark::openmetrics
