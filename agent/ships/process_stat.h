// The few fields of /proc/PID/stat the ship collector needs: CPU time, RSS, and
// the start time that tells a live process from a later one reusing its PID.
#pragma once

#include <cstdint>
#include <string_view>

namespace tidemark::agent {

struct ProcessStat {
  int64_t ppid = 0;
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  uint64_t start_ticks = 0;  // since boot; unique per PID incarnation
  uint64_t rss_pages = 0;
};

// Parses /proc/PID/stat; false when the text is not one. The command name may
// hold spaces and ')', so fields are counted from its last ')'.
bool parseProcessStat(std::string_view text, ProcessStat& out);

}  // namespace tidemark::agent
