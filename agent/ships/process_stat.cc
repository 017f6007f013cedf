#include "agent/ships/process_stat.h"

#include <array>

#include "agent/collectors/parse_util.h"

namespace tidemark::agent {
namespace {

// Field numbers of proc(5), counted from 1 ("pid"); field 3 is the first after ')'.
constexpr size_t kFirstAfterName = 3;
constexpr size_t kPpid = 4;
constexpr size_t kUtime = 14;
constexpr size_t kStime = 15;
constexpr size_t kStartTime = 22;
constexpr size_t kRss = 24;

}  // namespace

bool parseProcessStat(std::string_view text, ProcessStat& out) {
  const size_t close = text.rfind(')');
  if (close == std::string_view::npos) return false;
  std::array<std::string_view, kRss - kFirstAfterName + 1> fields;
  const size_t count = splitFields(trimSpace(text.substr(close + 1)), fields);
  if (count < fields.size()) return false;
  auto field = [&](size_t number) { return fields[number - kFirstAfterName]; };
  int64_t ppid = 0;
  ProcessStat parsed;
  if (!parseInt64(field(kPpid), ppid) || !parseUint64(field(kUtime), parsed.utime_ticks) ||
      !parseUint64(field(kStime), parsed.stime_ticks) ||
      !parseUint64(field(kStartTime), parsed.start_ticks) ||
      !parseUint64(field(kRss), parsed.rss_pages)) {
    return false;
  }
  parsed.ppid = ppid;
  out = parsed;
  return true;
}

}  // namespace tidemark::agent
