#include "common/openmetrics/parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

namespace tidemark::openmetrics {

namespace {

bool isNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }
bool isLabelStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isLabelChar(char c) { return isLabelStart(c) || (c >= '0' && c <= '9'); }
bool isBlank(char c) { return c == ' ' || c == '\t'; }

void skipBlanks(std::string_view line, size_t& pos) {
  while (pos < line.size() && isBlank(line[pos])) ++pos;
}

// A token quoted in an error message, cut so a huge line does not flood the terminal.
std::string quote(std::string_view token) {
  constexpr size_t kMax = 48;
  std::string out = "\"";
  out.append(token.substr(0, kMax));
  if (token.size() > kMax) out += "...";
  out += '"';
  return out;
}

std::string_view nextToken(std::string_view line, size_t& pos) {
  size_t start = pos;
  while (pos < line.size() && !isBlank(line[pos])) ++pos;
  return line.substr(start, pos - start);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

constexpr std::string_view kTypes[] = {"counter",  "gauge", "histogram", "gaugehistogram",
                                       "stateset", "info",  "summary",   "unknown",
                                       "untyped"};  // untyped: Prometheus text format

}  // namespace

std::optional<double> parseValue(std::string_view token) {
  if (token.empty()) return std::nullopt;
  std::string_view body = token;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (equalsIgnoreCase(body, "inf") || equalsIgnoreCase(body, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (equalsIgnoreCase(body, "nan")) return std::numeric_limits<double>::quiet_NaN();
  // from_chars would read "-5" but not "+5", and would read a sign-less "inf"/"nan"
  // (handled above); the body must be a plain decimal or exponent number.
  if (body.empty() || !((body[0] >= '0' && body[0] <= '9') || body[0] == '.')) return std::nullopt;
  double value = 0;
  auto [end, ec] =
      std::from_chars(body.data(), body.data() + body.size(), value, std::chars_format::general);
  // Out of range (1e999) is an error rather than a silent infinity.
  if (ec != std::errc() || end != body.data() + body.size()) return std::nullopt;
  return negative ? -value : value;
}

std::optional<int64_t> parseTimestampMs(std::string_view token) {
  // The value is D x 10^(exponent - fraction digits) seconds, D the digit string. The
  // integer milliseconds are D's digits up to a cut position, the first digit after the
  // cut decides the rounding; no binary floating point is involved.
  size_t pos = 0;
  bool negative = false;
  if (pos < token.size() && (token[pos] == '+' || token[pos] == '-')) {
    negative = token[pos] == '-';
    ++pos;
  }
  const size_t int_start = pos;
  while (pos < token.size() && token[pos] >= '0' && token[pos] <= '9') ++pos;
  const size_t int_digits = pos - int_start;
  size_t frac_start = pos;
  size_t frac_digits = 0;
  if (pos < token.size() && token[pos] == '.') {
    frac_start = ++pos;
    while (pos < token.size() && token[pos] >= '0' && token[pos] <= '9') ++pos;
    frac_digits = pos - frac_start;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  int64_t exponent = 0;
  if (pos < token.size() && (token[pos] == 'e' || token[pos] == 'E')) {
    ++pos;
    bool exp_negative = false;
    if (pos < token.size() && (token[pos] == '+' || token[pos] == '-')) {
      exp_negative = token[pos] == '-';
      ++pos;
    }
    const size_t exp_start = pos;
    while (pos < token.size() && token[pos] >= '0' && token[pos] <= '9') {
      // Past any useful range; stop growing so it cannot overflow.
      if (exponent < 100000) exponent = exponent * 10 + (token[pos] - '0');
      ++pos;
    }
    if (pos == exp_start) return std::nullopt;
    if (exp_negative) exponent = -exponent;
  }
  if (pos != token.size()) return std::nullopt;

  auto digit = [&](int64_t i) -> int {  // i-th digit of D (integer then fraction digits)
    if (i < 0) return 0;
    if (static_cast<size_t>(i) < int_digits) return token[int_start + i] - '0';
    if (static_cast<size_t>(i) < int_digits + frac_digits) {
      return token[frac_start + (i - static_cast<int64_t>(int_digits))] - '0';
    }
    return 0;  // zeros appended by a positive exponent
  };
  const int64_t total = static_cast<int64_t>(int_digits + frac_digits);
  // Digits of D that make up whole milliseconds.
  const int64_t cut = static_cast<int64_t>(int_digits) + exponent + 3;
  const int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t ms = 0;
  for (int64_t i = 0; i < cut; ++i) {
    const int d = digit(i);
    if (i >= total && ms == 0) break;  // nothing but zeros: 0 stays 0
    if (ms > (kMax - d) / 10) return std::nullopt;
    ms = ms * 10 + d;
  }
  if (cut >= 0 && cut < total && digit(cut) >= 5) {
    if (ms == kMax) return std::nullopt;
    ++ms;
  }
  return negative ? -ms : ms;
}

Parser::Parser(std::string_view text, ParserOptions options) : text_(text), options_(options) {}

Parser::Event Parser::next() {
  while (!done_) {
    if (offset_ >= text_.size()) {
      done_ = true;
      break;
    }
    const char* start = text_.data() + offset_;
    const void* newline = std::memchr(start, '\n', text_.size() - offset_);
    size_t length =
        newline != nullptr ? static_cast<const char*>(newline) - start : text_.size() - offset_;
    offset_ += length + (newline != nullptr ? 1 : 0);
    ++line_number_;
    std::string_view line(start, length);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files

    std::string problem;
    if (saw_eof_) {
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      problem = "content after # EOF";
      done_ = true;  // one report is enough; the rest is not part of the exposition
    } else if (line.find_first_not_of(" \t") == std::string_view::npos) {
      continue;
    } else if (line[0] == '#') {
      problem = parseComment(line);
      if (problem.empty()) continue;
    } else {
      problem = parseSampleLine(line);
      if (problem.empty()) {
        sample_.line = line_number_;
        return Event::kSample;
      }
    }
    error_.line = line_number_;
    error_.reason = std::move(problem);
    return Event::kError;
  }
  return Event::kEnd;
}

std::string Parser::parseComment(std::string_view line) {
  size_t pos = 1;
  skipBlanks(line, pos);
  std::string_view keyword = nextToken(line, pos);
  if (keyword == "EOF") {
    skipBlanks(line, pos);
    if (pos != line.size()) return "unexpected text after # EOF: " + quote(line.substr(pos));
    saw_eof_ = true;
    return {};
  }
  if (keyword != "HELP" && keyword != "TYPE" && keyword != "UNIT") return {};  // a comment
  skipBlanks(line, pos);
  std::string_view name = nextToken(line, pos);
  if (name.empty()) return "# " + std::string(keyword) + " without a metric name";
  if (!isNameStart(name[0]) || !std::all_of(name.begin(), name.end(), isNameChar)) {
    return "# " + std::string(keyword) + ": invalid metric name " + quote(name);
  }
  if (keyword == "TYPE") {
    skipBlanks(line, pos);
    std::string_view type = nextToken(line, pos);
    skipBlanks(line, pos);
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
      return "# TYPE " + std::string(name) + ": unknown type " + quote(type);
    }
    if (pos != line.size()) return "# TYPE " + std::string(name) + ": text after the type";
  }
  return {};
}

std::string Parser::parseLabels(std::string_view line, size_t& pos) {
  // `pos` is just past '{'.
  size_t count = 0;
  while (true) {
    skipBlanks(line, pos);
    if (pos >= line.size()) return "unterminated label set (no closing })";
    if (line[pos] == '}') {
      ++pos;
      break;
    }
    const size_t name_start = pos;
    if (!isLabelStart(line[pos])) {
      return "invalid label name at " + quote(line.substr(name_start));
    }
    while (pos < line.size() && isLabelChar(line[pos])) ++pos;
    std::string_view name = line.substr(name_start, pos - name_start);
    skipBlanks(line, pos);
    if (pos >= line.size() || line[pos] != '=') {
      return "label " + std::string(name) + ": expected = after the name";
    }
    ++pos;
    skipBlanks(line, pos);
    if (pos >= line.size() || line[pos] != '"') {
      return "label " + std::string(name) + ": expected a quoted value";
    }
    ++pos;
    const size_t value_start = pos;
    bool escaped = false;
    while (pos < line.size() && line[pos] != '"') {
      if (line[pos] == '\\') {
        escaped = true;
        if (pos + 1 >= line.size()) break;
        const char e = line[pos + 1];
        if (e != '\\' && e != '"' && e != 'n') {
          return "label " + std::string(name) + ": invalid escape \\" + std::string(1, e) +
                 " (only \\\\, \\\" and \\n)";
        }
        pos += 2;
        continue;
      }
      ++pos;
    }
    if (pos >= line.size()) return "label " + std::string(name) + ": unterminated value";
    std::string_view raw = line.substr(value_start, pos - value_start);
    ++pos;  // closing quote
    std::string_view value = raw;
    if (escaped) {
      if (unescaped_.size() <= count) unescaped_.resize(count + 1);
      std::string& out = unescaped_[count];
      out.clear();
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\') {
          ++i;
          out += raw[i] == 'n' ? '\n' : raw[i];
        } else {
          out += raw[i];
        }
      }
      value = out;
    }
    for (size_t i = 0; i < count; ++i) {
      if (labels_[i].name == name) return "duplicate label " + std::string(name);
    }
    if (labels_.size() <= count) labels_.resize(count + 1);
    labels_[count++] = LabelView{name, value};
    skipBlanks(line, pos);
    if (pos < line.size() && line[pos] == ',') {
      ++pos;  // a trailing comma before } is allowed, as Prometheus does
    } else if (pos < line.size() && line[pos] != '}') {
      return "expected , or } after label " + std::string(name);
    }
  }
  sample_.labels = std::span<const LabelView>(labels_.data(), count);
  return {};
}

std::string Parser::parseSampleLine(std::string_view line) {
  size_t pos = 0;
  const size_t known = previous_series_.size();
  if (known > 0 && line.size() > known && isBlank(line[known]) && line.starts_with(previous_series_)) {
    // The same bytes parse the same: name and labels (and their unescaped values) are
    // still those of the previous sample. Most lines of a backfill take this path.
    pos = known;
    sample_.same_series = true;
  } else {
    previous_series_ = {};
    sample_.same_series = false;
    if (!isNameStart(line[0])) return "invalid metric name at " + quote(nextToken(line, pos));
    while (pos < line.size() && isNameChar(line[pos])) ++pos;
    sample_.name = line.substr(0, pos);
    sample_.labels = {};
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      if (auto problem = parseLabels(line, pos); !problem.empty()) {
        return std::string(sample_.name) + ": " + problem;
      }
    }
  }
  const size_t series_end = pos;
  if (pos >= line.size()) return std::string(sample_.name) + ": no value";
  if (!isBlank(line[pos])) {
    return "expected a space after " + quote(line.substr(0, pos)) + ", found " +
           quote(line.substr(pos, 1));
  }
  skipBlanks(line, pos);
  std::string_view value_token = nextToken(line, pos);
  if (value_token.empty()) return std::string(sample_.name) + ": no value";
  auto value = parseValue(value_token);
  if (!value) return std::string(sample_.name) + ": invalid value " + quote(value_token);
  sample_.value = *value;
  skipBlanks(line, pos);
  sample_.timestamp_ms.reset();
  if (pos < line.size() && line[pos] != '#') {
    std::string_view ts_token = nextToken(line, pos);
    auto ts = parseTimestampMs(ts_token);
    if (!ts) return std::string(sample_.name) + ": invalid timestamp " + quote(ts_token);
    sample_.timestamp_ms = *ts;
    skipBlanks(line, pos);
  }
  // An exemplar (" # {trace_id="..."} 1 123") follows a '#'; exemplars are not stored.
  if (pos < line.size() && line[pos] != '#') {
    return std::string(sample_.name) + ": unexpected text " + quote(line.substr(pos)) +
           " after the timestamp";
  }
  if (options_.require_timestamp && !sample_.timestamp_ms) {
    return std::string(sample_.name) + ": no timestamp (a backfill needs one per sample)";
  }
  previous_series_ = line.substr(0, series_end);
  return {};
}

}  // namespace tidemark::openmetrics
