// Finds the Urbit ships on a host: from the process table (kings and their serfs,
// pier paths resolved against /proc/PID/cwd and checked against <pier>/.vere.lock)
// and from configured pier roots (every subfolder holding .urb/ is a pier, running
// or not). A full scan reads every process's cmdline, so the ship collector runs it
// on a slow cadence and tracks the PIDs it found in between.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "agent/ships/urbit_command_line.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

struct ShipProcess {
  int64_t pid = 0;
  uint64_t start_ticks = 0;  // from /proc/PID/stat; tells PID reuse apart
  bool operator==(const ShipProcess&) const = default;
};

struct DiscoveredShip {
  std::string pier;  // absolute and canonical, as seen on the host
  std::optional<ShipProcess> king;
  std::optional<ShipProcess> serf;
  std::optional<int> loom_bits;  // from the king's or the serf's --loom
};

// `path` joined to `base` when relative, then made canonical: symlinks resolved
// under `root` where the path exists, "." and ".." removed, no trailing slash.
std::string resolvePierPath(const std::string& root, std::string_view base, std::string_view path);

class ShipDiscovery {
 public:
  // `scan_batch` is the discovery's own batch: a scan needs several rounds of
  // reads within one call, which the agent's once-per-pass batch cannot give.
  ShipDiscovery(FileReader& reader, ReadBatch& scan_batch, ThrottledLog& log,
                std::vector<std::string> pier_roots);

  // Scans processes and pier roots; one entry per pier, sorted by pier path.
  std::vector<DiscoveredShip> scan();

  // How many process command lines the last scan read (for tests and the agent's own cost).
  size_t lastScanProcesses() const { return cmdline_slots_used_; }

 private:
  struct Candidate {
    int64_t pid = 0;
    UrbitCommand command;
    std::string pier;  // resolved
    ShipProcess process;
    int64_t ppid = 0;
  };
  void scanProcesses(std::unordered_map<std::string, DiscoveredShip>& ships);
  void scanPierRoots(std::unordered_map<std::string, DiscoveredShip>& ships);
  // A pier no recognised king claims, whose .vere.lock names a live PID that holds
  // the lock: that process is the ship's runtime (a renamed binary, odd flags).
  void adoptLockHolder(DiscoveredShip& ship);
  // Reads /proc/PID/cwd (a symlink), as a host path; empty when unreadable.
  std::string processCwd(int64_t pid);
  // Picks the king among `kings` for `pier` using its .vere.lock; logs mismatches.
  std::optional<size_t> chooseKing(const std::string& pier, const std::vector<size_t>& kings,
                                   const std::vector<Candidate>& candidates,
                                   const std::unordered_map<int64_t, size_t>& live_pids);

  const std::string& pierPath(std::string_view base, std::string_view path);
  FileReader& reader_;
  ReadBatch& scan_batch_;
  ThrottledLog& log_;
  std::vector<std::string> pier_roots_;
  std::unordered_set<int64_t> live_pids_;  // every PID of the last process scan
  std::vector<std::string> names_;
  std::vector<std::string> root_entries_;
  std::vector<ReadSlot> cmdline_slots_;
  std::vector<ReadSlot> stat_slots_;
  std::vector<StatSlot> urb_slots_;
  size_t cmdline_slots_used_ = 0;
  std::string buffer_;
  // Canonical pier paths by what they were resolved from, for one scan: a king and
  // its serf, and the pier roots' folders, name the same piers (realpath(3) costs a
  // syscall per path component).
  std::unordered_map<std::string, std::string> pier_paths_;
};

}  // namespace tidemark::agent
