#include "agent/memory/program_pages.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fstream>
#include <sstream>

namespace tidemark::agent {
namespace {

bool parseHex(std::string_view text, uintptr_t& out) {
  if (text.empty() || text.size() > 16) return false;
  uintptr_t value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    value = value * 16 + static_cast<uintptr_t>(digit);
  }
  out = value;
  return true;
}

}  // namespace

std::vector<MappedRange> mappingsOfFile(std::string_view maps_text, std::string_view path) {
  std::vector<MappedRange> ranges;
  while (!maps_text.empty()) {
    const size_t newline = maps_text.find('\n');
    std::string_view line = maps_text.substr(0, newline);
    maps_text = newline == std::string_view::npos ? std::string_view() : maps_text.substr(newline + 1);
    // "begin-end perms offset dev inode   path": the path is what follows the fifth
    // field's spaces, and may itself hold spaces.
    size_t at = 0;
    for (int field = 0; field < 5 && at != std::string_view::npos; ++field) {
      at = line.find(' ', at);
      if (at != std::string_view::npos) at = line.find_first_not_of(' ', at);
    }
    if (at == std::string_view::npos || line.substr(at) != path) continue;
    const size_t dash = line.find('-');
    const size_t space = line.find(' ');
    MappedRange range;
    if (dash == std::string_view::npos || space < dash ||
        !parseHex(line.substr(0, dash), range.begin) ||
        !parseHex(line.substr(dash + 1, space - dash - 1), range.end) || range.end <= range.begin)
      continue;
    ranges.push_back(range);
  }
  return ranges;
}

PageOutResult pageOutMappingsOf(std::string path) {
  PageOutResult result;
  if (path.empty()) {
    char exe[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof exe);
    if (length <= 0 || static_cast<size_t>(length) >= sizeof exe) {
      result.error = errno != 0 ? errno : ENAMETOOLONG;
      return result;
    }
    path.assign(exe, static_cast<size_t>(length));
  }
  std::ifstream maps("/proc/self/maps");
  std::stringstream text;
  text << maps.rdbuf();
  for (const MappedRange& range : mappingsOfFile(text.str(), path)) {
    // Without read-ahead, a page a pass runs faults back alone: read-ahead would bring
    // 128 KB of its neighbours into the page cache, and the fault-around then maps 64 KB
    // of them, most of it code no pass runs (0.4 MB of the agent's RSS with 100 ships).
    ::madvise(reinterpret_cast<void*>(range.begin), range.end - range.begin, MADV_RANDOM);
    if (::madvise(reinterpret_cast<void*>(range.begin), range.end - range.begin, MADV_PAGEOUT) !=
        0) {
      if (result.error == 0) result.error = errno;
      continue;
    }
    ++result.ranges;
    result.bytes += range.end - range.begin;
  }
  return result;
}

}  // namespace tidemark::agent
