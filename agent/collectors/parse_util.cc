#include "agent/collectors/parse_util.h"

#include <spdlog/fmt/fmt.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace tidemark::agent {
namespace {

constexpr size_t kMaxQuotedLine = 120;

bool isFieldSpace(char c) { return c == ' ' || c == '\t'; }
bool isTrimSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

template <typename T>
bool parseWhole(std::string_view text, T& out) {
  if (text.empty()) return false;
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return false;
  out = value;
  return true;
}

// Keeps log lines single-line and bounded even when a file holds binary garbage.
std::string quoteLine(std::string_view line) {
  std::string out;
  const bool cut = line.size() > kMaxQuotedLine;
  if (cut) line = line.substr(0, kMaxQuotedLine);
  out.reserve(line.size() + 8);
  out += '"';
  for (char c : line) {
    if (c == '\t') {
      out += "\\t";
    } else {
      out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    }
  }
  if (cut) out += "...";
  out += '"';
  return out;
}

}  // namespace

bool parseUint64(std::string_view text, uint64_t& out) {
  // from_chars accepts no '+', but guard '-' explicitly: it must not wrap around.
  if (!text.empty() && text.front() == '-') return false;
  return parseWhole(text, out);
}

bool parseInt64(std::string_view text, int64_t& out) { return parseWhole(text, out); }

bool parseDouble(std::string_view text, double& out) {
  double value;
  if (!parseWhole(text, value) || !std::isfinite(value)) return false;
  out = value;
  return true;
}

std::string_view trimSpace(std::string_view text) {
  while (!text.empty() && isTrimSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isTrimSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool LineSplitter::next(std::string_view& line) {
  if (rest_.empty()) return false;
  const size_t newline = rest_.find('\n');
  if (newline == std::string_view::npos) {
    line = rest_;
    rest_ = {};
  } else {
    line = rest_.substr(0, newline);
    rest_.remove_prefix(newline + 1);
  }
  ++line_number_;
  return true;
}

bool FieldSplitter::next(std::string_view& field) {
  size_t start = 0;
  while (start < rest_.size() && isFieldSpace(rest_[start])) ++start;
  if (start == rest_.size()) {
    rest_ = {};
    return false;
  }
  size_t end = start;
  while (end < rest_.size() && !isFieldSpace(rest_[end])) ++end;
  field = rest_.substr(start, end - start);
  rest_.remove_prefix(end);
  return true;
}

size_t splitFields(std::string_view line, std::span<std::string_view> fields) {
  FieldSplitter splitter(line);
  std::string_view field;
  size_t n = 0;
  while (splitter.next(field)) {
    if (n < fields.size()) fields[n] = field;
    ++n;
  }
  return n;
}

void ParseProblems::addLine(size_t line_number, std::string_view line, std::string_view what) {
  if (total_++ >= kMaxKept) return;
  add(fmt::format("{}:{}:line {}", source_, path_, line_number),
      fmt::format("{}: {} line {} {}: {}", source_, path_, line_number, quoteLine(line), what));
}

void ParseProblems::addFile(std::string_view what) {
  if (total_++ >= kMaxKept) return;
  add(fmt::format("{}:{}:file", source_, path_), fmt::format("{}: {}: {}", source_, path_, what));
}

void ParseProblems::add(std::string key, std::string message) {
  kept_.push_back({std::move(key), std::move(message)});
}

void ParseProblems::logTo(ThrottledLog& log) const {
  for (const auto& problem : kept_) log.warn(problem.key, problem.message);
  if (total_ > kept_.size()) {
    log.warn(fmt::format("{}:{}:dropped", source_, path_),
             fmt::format("{}: {}: {} more problems not logged individually", source_, path_,
                         total_ - kept_.size()));
  }
}

namespace {

void logReadError(ThrottledLog& log, std::string_view source, std::string_view path, int error) {
  log.warn(fmt::format("{}:{}:read", source, path),
           fmt::format("{}: cannot read {}: {} (errno {}); no samples from it this interval",
                       source, path, std::strerror(error), error));
}

}  // namespace

bool readOrLog(FileReader& reader, ThrottledLog& log, std::string_view source,
               std::string_view path, std::string& buffer) {
  const int error = reader.read(path, buffer);
  if (error == 0) return true;
  logReadError(log, source, path, error);
  return false;
}

bool slotOrLog(const ReadSlot& slot, ThrottledLog& log, std::string_view source,
               std::string_view path) {
  if (slot.error == 0) return true;
  logReadError(log, source, path, slot.error);
  return false;
}

}  // namespace tidemark::agent
