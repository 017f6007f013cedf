#include "agent/ships/process_stat.h"

#include <string.h>

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
  // The name (field 2) may hold spaces and ')': the fields start after the last ')'.
  // memrchr, and one walk over the fields: this runs for two processes per ship
  // every pass.
  const void* close = ::memrchr(text.data(), ')', text.size());
  if (close == nullptr) return false;
  const char* at = static_cast<const char*>(close) + 1;
  const char* const end = text.data() + text.size();
  auto separator = [](char c) { return c == ' ' || c == '\n' || c == '\t'; };
  int64_t ppid = 0;
  ProcessStat parsed;
  bool ok = true;
  size_t number = kFirstAfterName - 1;
  while (number < kRss) {
    while (at < end && separator(*at)) ++at;
    if (at == end) return false;
    const char* const field_start = at;
    while (at < end && !separator(*at)) ++at;
    const std::string_view field(field_start, static_cast<size_t>(at - field_start));
    switch (++number) {
      case kPpid: ok = parseInt64(field, ppid); break;
      case kUtime: ok = parseUint64(field, parsed.utime_ticks); break;
      case kStime: ok = parseUint64(field, parsed.stime_ticks); break;
      case kStartTime: ok = parseUint64(field, parsed.start_ticks); break;
      case kRss: ok = parseUint64(field, parsed.rss_pages); break;
      default: break;
    }
    if (!ok) return false;
  }
  parsed.ppid = ppid;
  out = parsed;
  return true;
}

}  // namespace tidemark::agent
