// The agent's record of maintenance jobs run on piers, STATE_DIR/maintenance.log,
// one line per finished job, appended by the tuner:
//
//   <unix_seconds> <pier path> <pack|meld|roll|chop> <ok|failed>
//
// e.g. "1763900000 /var/urbit/sampel-palnet pack ok". The pier path is absolute and
// holds no spaces (lines with other field counts are skipped). Only `ok` jobs count
// as the last pack or meld; the file is followed incrementally (LogTail).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "agent/ships/log_tail.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

enum class MaintenanceJob { kPack, kMeld, kRoll, kChop };

struct MaintenanceEntry {
  int64_t unix_seconds = 0;
  std::string_view pier;
  MaintenanceJob job = MaintenanceJob::kPack;
  bool ok = false;
};

// Parses one line of the log; false when it is malformed.
bool parseMaintenanceLine(std::string_view line, MaintenanceEntry& out);

// "pack", "meld", "roll", "chop": the job's word in the log.
std::string_view maintenanceJobName(MaintenanceJob job);

// Appends `entry` as one line to the log at `path` (a plain path, not under the
// agent's root: the log is the agent's own state). One write on an O_APPEND file,
// then fsync, so concurrent appenders never interleave and a finished job is on
// disk before the next step. Throws std::runtime_error naming the path and the
// system's reason, or the pier when it is not absolute or holds whitespace (the
// line would not parse back).
void appendMaintenanceLine(const std::string& path, const MaintenanceEntry& entry);

class MaintenanceLog {
 public:
  MaintenanceLog(std::string path, ThrottledLog& log) : tail_(std::move(path)), log_(log) {}

  // Reads what was appended since the last call; a missing file is normal (no job yet).
  void refresh();

  // Unix seconds of the newest successful pack / meld of `pier`, when one is recorded.
  std::optional<int64_t> lastPack(std::string_view pier) const;
  std::optional<int64_t> lastMeld(std::string_view pier) const;

 private:
  struct Last {
    std::optional<int64_t> pack;
    std::optional<int64_t> meld;
  };
  void apply(std::string_view line);

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };

  LogTail tail_;
  ThrottledLog& log_;
  // Looked up by string_view every pass for every ship: no key string is built.
  std::unordered_map<std::string, Last, Hash, std::equal_to<>> last_;
  uint64_t bad_lines_ = 0;
};

}  // namespace tidemark::agent
