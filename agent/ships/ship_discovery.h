// Finds the Urbit ships on a host: from the process table (kings and their serfs,
// pier paths resolved against /proc/PID/cwd and checked against <pier>/.vere.lock)
// and from configured pier roots (every subfolder holding .urb/ is a pier, running
// or not; see pier_root_scan.h). The ship collector runs a scan on a slow cadence and
// tracks the PIDs it found in between.
//
// Scans are incremental: what a scan learnt of each process is kept, keyed by its PID
// and the inode of its /proc/PID folder (a new process on a reused PID gets a new
// one), so a later scan reads the cmdline and stat of new processes only. Kept per
// process: not urbit, or a king or serf with its command line, start ticks, parent
// and pier (resolved once, against the cwd it had when first seen). A new process is
// read at two scans in a row, so one caught between its fork and its exec is not
// taken for its parent. A pier whose
// single king is the one of the previous scan is not checked against its .vere.lock
// again. Every `full_scan_every`th scan is full: every cmdline, stat and lock is read
// again, which finds a process that exec'd into urbit after it was seen as something
// else (a wrapper that runs `exec urbit ...`) and a pier root entry that lost .urb/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "agent/ships/pier_root_scan.h"
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

// A full scan every 10th: about every 5 min at the default 30 s scan interval.
inline constexpr uint32_t kDefaultFullScanEvery = 10;

class ShipDiscovery {
 public:
  // `scan_batch` is the discovery's own batch: a scan needs several rounds of
  // reads within one call, which the agent's once-per-pass batch cannot give.
  // `full_scan_every`: 1 makes every scan full; 0 is taken as 1.
  ShipDiscovery(FileReader& reader, ReadBatch& scan_batch, ThrottledLog& log,
                std::vector<std::string> pier_roots,
                uint32_t full_scan_every = kDefaultFullScanEvery);

  // Scans processes and pier roots; one entry per pier, sorted by pier path. The
  // first scan is full.
  std::vector<DiscoveredShip> scan();

  // How many process command lines the last scan read (for tests and the agent's own cost).
  size_t lastScanProcesses() const { return cmdline_reads_; }
  // Whether the last scan was a full one.
  bool lastScanFull() const { return last_scan_full_; }
  // How many .vere.lock files the last scan read to choose kings.
  size_t lastScanLockReads() const { return lock_reads_; }
  // How many .urb stats the last scan ran under the pier roots.
  size_t lastScanPierRootStats() const { return pier_roots_.lastScanStats(); }

 private:
  struct Candidate {
    int64_t pid = 0;
    UrbitCommand command;
    std::string pier;  // resolved
    ShipProcess process;
    int64_t ppid = 0;
  };
  // What the scans learnt of one process.
  struct KnownProcess {
    uint64_t inode = 0;         // of /proc/PID when learnt
    uint64_t cmdline_hash = 0;  // of the command line last read
    // Read twice with the same command line. A process first seen between its fork
    // and its exec shows its parent's command line (a serf forked by its king, a
    // shell starting urbit): it is read again at the next scan before it is trusted.
    bool settled = false;
    uint64_t seen_in_scan = 0;  // the number of the last scan that listed it
    bool urbit = false;         // else `candidate` is unused
    Candidate candidate;
  };
  // A process whose cmdline this scan reads.
  struct Unread {
    int64_t pid = 0;
    uint64_t inode = 0;
    bool known = false;  // the same process as a previous scan's (a full scan reads it too)
  };
  // The single king a pier had at the previous scan, checked against its lock then.
  struct LockChecked {
    ShipProcess king;
    uint64_t checked_in_scan = 0;
  };
  void scanProcesses(std::unordered_map<std::string, DiscoveredShip>& ships, bool full);
  // Reads the cmdline of every process in `unread_`, then the stat (and cwd) of those
  // that run urbit, and records what was learnt in `known_`.
  void learnProcesses();
  // True when `kings` is one king, the same (PID and start) that the previous scan
  // found alone on `pier`: its .vere.lock need not be read again.
  bool lockUnchanged(const std::string& pier, const std::vector<size_t>& kings, bool full);
  // A pier no recognised king claims, whose .vere.lock names a live PID that holds
  // the lock: that process is the ship's runtime (a renamed binary, odd flags).
  void adoptLockHolder(DiscoveredShip& ship);
  // Reads /proc/PID/cwd (a symlink), as a host path; empty when unreadable.
  std::string processCwd(int64_t pid);
  // Picks the king among `kings` for `pier` using its .vere.lock; logs mismatches.
  std::optional<size_t> chooseKing(const std::string& pier, const std::vector<size_t>& kings);

  const std::string& pierPath(std::string_view base, std::string_view path);
  FileReader& reader_;
  ReadBatch& scan_batch_;
  ThrottledLog& log_;
  PierRootScan pier_roots_;
  uint32_t full_scan_every_;
  uint64_t scan_number_ = 0;
  // Every process listed by the last process scan, by PID; urbit or not.
  std::unordered_map<int64_t, KnownProcess> known_;
  std::unordered_map<std::string, LockChecked> locks_checked_;  // by pier
  std::vector<DirectoryEntry> proc_entries_;  // kept: a steady listing then allocates nothing
  std::vector<Unread> unread_;
  std::vector<const Candidate*> alive_;  // this scan's urbit processes, in `known_`
  std::vector<ReadSlot> cmdline_slots_;
  std::vector<ReadSlot> stat_slots_;
  std::vector<size_t> stat_of_;  // index in unread_ of each stat slot
  size_t cmdline_reads_ = 0;
  size_t lock_reads_ = 0;
  bool last_scan_full_ = false;
  std::string buffer_;
  // Canonical pier paths by what they were resolved from, for one scan: a new king
  // and its serf name the same pier (realpath(3) costs a syscall per path component).
  std::unordered_map<std::string, std::string> pier_paths_;
};

}  // namespace tidemark::agent
