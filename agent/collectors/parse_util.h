// Shared helpers for collectors that parse /proc and /sys text: strict number
// parsing, line and field splitting without copying, and problem reporting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Each returns true only when the WHOLE of `text` is the number (no spaces, no
// trailing junk), so "12x" or "" is rejected instead of silently read as 12 or 0.
// Unsigned: decimal digits only, no sign; fails on overflow.
bool parseUint64(std::string_view text, uint64_t& out);
// Signed: optional leading '-'; fails on overflow.
bool parseInt64(std::string_view text, int64_t& out);
// Decimal or scientific notation, optional leading '-'; rejects nan and inf, which
// no kernel counter prints and which would poison downstream sums.
bool parseDouble(std::string_view text, double& out);

// `text` without leading and trailing spaces, tabs, '\r' and '\n'.
std::string_view trimSpace(std::string_view text);

// Walks `text` one line at a time. A last line without '\n' is returned; a final
// '\n' does not produce an extra empty line.
class LineSplitter {
 public:
  explicit LineSplitter(std::string_view text) : rest_(text) {}
  // Sets `line` to the next line (without '\n'); false when the text is used up.
  bool next(std::string_view& line);
  // 1-based number of the line last returned by next(), for messages.
  size_t lineNumber() const { return line_number_; }

 private:
  std::string_view rest_;
  size_t line_number_ = 0;
};

// Walks the fields of one line, separated by runs of spaces or tabs.
class FieldSplitter {
 public:
  explicit FieldSplitter(std::string_view line) : rest_(line) {}
  // Sets `field` to the next field; false when there are no more.
  bool next(std::string_view& field);

 private:
  std::string_view rest_;
};

// Splits `line` into space/tab-separated fields, storing the first fields.size()
// of them. Returns how many fields the line has, which may exceed fields.size().
size_t splitFields(std::string_view line, std::span<std::string_view> fields);

struct ParseProblem {
  std::string key;      // stable across intervals, so ThrottledLog can suppress repeats
  std::string message;  // says which file, which line, what is wrong, what was done
};

// Collects what a parser found wrong in one file, for the collector to log. Costs
// nothing when the input is good: strings are built only when a problem is added.
class ParseProblems {
 public:
  // `source` is the collector's name ("proc_stat") and `path` the file
  // ("/proc/stat"); both views must outlive this object.
  ParseProblems(std::string_view source, std::string_view path) : source_(source), path_(path) {}

  // Line `line_number` (1-based, text `line`) is bad; `what` says why and what was
  // done, e.g. "field 2 is not a number; line skipped". Produces:
  //   proc_stat: /proc/stat line 3 "cpu0 12 x": field 2 is not a number; line skipped
  void addLine(size_t line_number, std::string_view line, std::string_view what);
  // The file as a whole is bad, e.g. "file is empty; no samples".
  void addFile(std::string_view what);

  bool empty() const { return total_ == 0; }
  // How many problems were added, including those not kept.
  size_t count() const { return total_; }
  // The first kMaxKept problems; a file of garbage must not cost unbounded memory.
  const std::vector<ParseProblem>& kept() const { return kept_; }

  // Logs every kept problem through `log` (keyed by source, path and line, so the
  // same bad line is logged once per throttle period), plus how many were dropped.
  void logTo(ThrottledLog& log) const;

  static constexpr size_t kMaxKept = 16;

 private:
  void add(std::string key, std::string message);

  std::string_view source_;
  std::string_view path_;
  std::vector<ParseProblem> kept_;
  size_t total_ = 0;
};

// Reads `path` into `buffer` (reusing its capacity). On failure logs, throttled,
// "<source>: cannot read <path>: <strerror> (errno N); no samples from it this
// interval" and returns false.
bool readOrLog(FileReader& reader, ThrottledLog& log, std::string_view source,
               std::string_view path, std::string& buffer);

// The same for a slot filled by a ReadBatch: true when `slot` holds the file, else
// logs the same line (throttled) and returns false.
bool slotOrLog(const ReadSlot& slot, ThrottledLog& log, std::string_view source,
               std::string_view path);

}  // namespace tidemark::agent
