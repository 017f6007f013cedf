// A streaming parser of Prometheus/OpenMetrics text exposition with timestamps: the
// format `promtool tsdb create-blocks-from openmetrics` reads and `promtool tsdb
// dump-openmetrics` writes. It is the front of `tidemark import openmetrics`.
//
// What it accepts, line by line:
//   # HELP name text | # TYPE name type | # UNIT name unit   (checked, then skipped)
//   # EOF                                   (the end; only blank lines may follow)
//   # any other comment                     (Prometheus text format; skipped)
//   name{label="value",...} value [timestamp] [# exemplar]
//   blank lines
// Values: decimal or exponent floats, NaN, +Inf, -Inf (case-insensitive, as Prometheus).
// Timestamps: seconds since the epoch, with an optional fraction and exponent
// (OpenMetrics), converted to integer milliseconds from the decimal text, never
// through a double, so 1700000000.123 is exactly 1700000000123. Digits past the
// millisecond round to the nearest millisecond (halves away from zero).
// Label values may hold the escapes \\ \" \n; any other escape is an error.
//
// The parser is a pure function of one byte buffer (the caller maps or reads the
// file): samples are views into that buffer, valid until the next call, and nothing
// is allocated per line except when a label value has escapes (into buffers that are
// reused). An error names its 1-based line and why; parsing resumes on the next line,
// so one pass reports every bad line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/series.h"

namespace tidemark::openmetrics {

struct ParserOptions {
  // A sample without a timestamp is an error (a backfill needs one). Default: true.
  bool require_timestamp = true;
};

struct Sample {
  std::string_view name;
  // In file order, not sorted; views into the buffer or the parser's scratch.
  std::span<const LabelView> labels;
  double value = 0;
  std::optional<int64_t> timestamp_ms;
  size_t line = 0;
  // The name and labels are byte for byte those of the previous sample returned (files
  // list a series' samples one after another): callers may reuse what they derived
  // from them instead of looking the series up again.
  bool same_series = false;
};

struct ParseError {
  size_t line = 0;  // 1-based
  std::string reason;
};

class Parser {
 public:
  enum class Event { kSample, kError, kEnd };

  // `text` must outlive the parser.
  explicit Parser(std::string_view text, ParserOptions options = {});

  // Advances to the next sample or error. kSample: sample() holds it until the next
  // call. kError: error() says which line and why; the next call resumes on the line
  // after it. kEnd: the buffer is consumed (or # EOF was read); further calls return kEnd.
  Event next();

  const Sample& sample() const { return sample_; }
  const ParseError& error() const { return error_; }
  // Whether `# EOF` was read: without it a file may have been cut short.
  bool sawEof() const { return saw_eof_; }
  // Lines consumed so far.
  size_t lines() const { return line_number_; }

 private:
  // Each returns an empty string on success, else the reason the line is malformed.
  std::string parseSampleLine(std::string_view line);
  std::string parseComment(std::string_view line);
  std::string parseLabels(std::string_view line, size_t& pos);

  std::string_view text_;
  ParserOptions options_;
  size_t offset_ = 0;
  size_t line_number_ = 0;
  bool saw_eof_ = false;
  bool done_ = false;
  Sample sample_;
  ParseError error_;
  std::vector<LabelView> labels_;
  // Unescaped label values, one buffer per label position, reused from line to line.
  // A deque: growing it never moves the strings earlier labels of the line point into
  // (a vector would, and short strings live inside the element).
  std::deque<std::string> unescaped_;
  // Name and labels of the last sample returned, as written; empty when labels_ no
  // longer hold its parse (a later line started parsing its own labels).
  std::string_view previous_series_;
};

// Parses a value token: a float, NaN, Inf, +Inf, -Inf. nullopt when it is not one.
std::optional<double> parseValue(std::string_view token);

// Parses a timestamp in seconds (digits, optional fraction, optional exponent, optional
// sign) into milliseconds, exactly. nullopt when malformed or beyond int64 milliseconds.
std::optional<int64_t> parseTimestampMs(std::string_view token);

}  // namespace tidemark::openmetrics
