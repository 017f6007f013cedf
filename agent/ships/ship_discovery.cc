#include "agent/ships/ship_discovery.h"

#include <fcntl.h>
#include <linux/stat.h>
#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>

#include "agent/collectors/parse_util.h"
#include "agent/ships/pier_files.h"
#include "agent/ships/process_stat.h"

namespace tidemark::agent {
namespace {

bool isPid(std::string_view name, int64_t& pid) {
  uint64_t value = 0;
  if (!parseUint64(name, value) || value == 0 || value > INT_MAX) return false;
  pid = static_cast<int64_t>(value);
  return true;
}

std::string procPath(int64_t pid, std::string_view file) {
  return fmt::format("/proc/{}/{}", pid, file);
}

}  // namespace

std::string resolvePierPath(const std::string& root, std::string_view base, std::string_view path) {
  std::filesystem::path joined(path);
  if (!joined.is_absolute()) joined = std::filesystem::path(base) / joined;
  std::string lexical = joined.lexically_normal().string();
  while (lexical.size() > 1 && lexical.back() == '/') lexical.pop_back();
  // Canonical, so a pier reached through a symlink is one ship, not two.
  const std::string resolved = resolveUnderRoot(root, lexical);
  char real[PATH_MAX];
  if (::realpath(resolved.c_str(), real) == nullptr) return lexical;
  std::string_view canonical(real);
  if (!root.empty()) {
    // A fixture root: keep the host view; a symlink leading out of the root keeps the lexical path.
    if (!canonical.starts_with(root) ||
        (canonical.size() > root.size() && canonical[root.size()] != '/')) {
      return lexical;
    }
    canonical.remove_prefix(root.size());
    if (canonical.empty()) return "/";
  }
  return std::string(canonical);
}

ShipDiscovery::ShipDiscovery(FileReader& reader, ReadBatch& scan_batch, ThrottledLog& log,
                             std::vector<std::string> pier_roots, uint32_t full_scan_every)
    : reader_(reader),
      scan_batch_(scan_batch),
      log_(log),
      pier_roots_(reader, scan_batch, log, std::move(pier_roots)),
      full_scan_every_(full_scan_every == 0 ? 1 : full_scan_every) {}

std::vector<DiscoveredShip> ShipDiscovery::scan() {
  const bool full = scan_number_ % full_scan_every_ == 0;
  ++scan_number_;
  last_scan_full_ = full;
  lock_reads_ = 0;
  std::unordered_map<std::string, DiscoveredShip> ships;
  scanProcesses(ships, full);
  pier_roots_.scan(full, [&](const std::string& pier) { ships[pier].pier = pier; });
  for (auto& [pier, ship] : ships)
    if (!ship.king) adoptLockHolder(ship);
  std::vector<DiscoveredShip> out;
  out.reserve(ships.size());
  for (auto& [pier, ship] : ships) out.push_back(std::move(ship));
  std::sort(out.begin(), out.end(),
            [](const DiscoveredShip& a, const DiscoveredShip& b) { return a.pier < b.pier; });
  // Sized by the processes read, which a full scan makes every process on the host
  // (about 1 KB each): given back rather than kept resident for the next 30 s.
  std::vector<ReadSlot>().swap(cmdline_slots_);
  std::vector<ReadSlot>().swap(stat_slots_);
  std::unordered_map<std::string, std::string>().swap(pier_paths_);
  return out;
}

const std::string& ShipDiscovery::pierPath(std::string_view base, std::string_view path) {
  std::string key(path);
  if (!path.starts_with('/')) key.append(1, '\0').append(base);
  auto [it, added] = pier_paths_.try_emplace(std::move(key));
  if (added) it->second = resolvePierPath(reader_.root(), base, path);
  return it->second;
}

std::string ShipDiscovery::processCwd(int64_t pid) {
  const std::string link = resolveUnderRoot(reader_.root(), procPath(pid, "cwd"));
  char target[PATH_MAX];
  const ssize_t length = ::readlink(link.c_str(), target, sizeof target);
  if (length <= 0 || static_cast<size_t>(length) >= sizeof target) return {};
  return std::string(target, static_cast<size_t>(length));
}

void ShipDiscovery::learnProcesses() {
  // Round 1: the command lines, in one submission.
  if (cmdline_slots_.size() < unread_.size()) cmdline_slots_.resize(unread_.size());
  cmdline_reads_ = unread_.size();
  for (size_t i = 0; i < unread_.size(); ++i)
    scan_batch_.queueRead(procPath(unread_[i].pid, "cmdline"), cmdline_slots_[i]);
  if (!unread_.empty()) scan_batch_.submit();

  stat_of_.clear();
  for (size_t i = 0; i < unread_.size(); ++i) {
    const Unread& process = unread_[i];
    const ReadSlot& slot = cmdline_slots_[i];
    if (slot.error != 0) {
      // Exited meanwhile (or unreadable for now): nothing learnt, read again if listed.
      known_.erase(process.pid);
      continue;
    }
    KnownProcess& known = known_[process.pid];
    const uint64_t cmdline_hash = std::hash<std::string_view>{}(slot.data);
    known.settled = process.known && known.cmdline_hash == cmdline_hash;
    known.cmdline_hash = cmdline_hash;
    UrbitCommand command = parseUrbitCommandLine(slot.data);
    // The pier resolved when the process was first seen stays while it names the same
    // one: its cwd may have moved since.
    const bool keep_pier = process.known && known.urbit && command.role != UrbitRole::kNone &&
                           known.candidate.command.pier == command.pier;
    if (!keep_pier) known.candidate.pier.clear();
    known.inode = process.inode;
    known.seen_in_scan = scan_number_;
    known.urbit = command.role != UrbitRole::kNone;
    known.candidate.pid = process.pid;
    known.candidate.command = std::move(command);
    if (known.urbit) stat_of_.push_back(i);
  }

  // Round 2: the urbit processes' stat (start time, parent) and working folders.
  if (stat_slots_.size() < stat_of_.size()) stat_slots_.resize(stat_of_.size());
  for (size_t i = 0; i < stat_of_.size(); ++i)
    scan_batch_.queueRead(procPath(unread_[stat_of_[i]].pid, "stat"), stat_slots_[i]);
  if (!stat_of_.empty()) scan_batch_.submit();
  for (size_t i = 0; i < stat_of_.size(); ++i) {
    const int64_t pid = unread_[stat_of_[i]].pid;
    Candidate& candidate = known_[pid].candidate;
    ProcessStat stat;
    if (stat_slots_[i].error != 0 || !parseProcessStat(stat_slots_[i].data, stat)) {
      known_.erase(pid);
      continue;
    }
    candidate.process = {pid, stat.start_ticks};
    candidate.ppid = stat.ppid;
    if (!candidate.pier.empty()) continue;
    std::string cwd;
    if (!candidate.command.pier.starts_with('/')) {
      cwd = processCwd(pid);
      if (cwd.empty()) {
        log_.warn(fmt::format("ships:cwd:{}", pid),
                  fmt::format("ships: PID {} runs urbit on the relative pier {:?} but its "
                              "/proc/{}/cwd is unreadable (the agent may lack the privilege); "
                              "skipped",
                              pid, candidate.command.pier, pid));
        known_.erase(pid);  // tried again next scan
        continue;
      }
    }
    candidate.pier = pierPath(cwd, candidate.command.pier);
  }
}

void ShipDiscovery::scanProcesses(std::unordered_map<std::string, DiscoveredShip>& ships,
                                  bool full) {
  cmdline_reads_ = 0;
  alive_.clear();
  const int error = reader_.listDirectoryEntries("/proc", proc_entries_);
  if (error != 0) {
    log_.warn("ships:proc:list",
              fmt::format("ships: cannot list /proc: {} (errno {}); ships are found only under "
                          "the pier roots this scan",
                          std::strerror(error), error));
    return;
  }
  unread_.clear();
  for (const DirectoryEntry& entry : proc_entries_) {
    int64_t pid = 0;
    if (!isPid(entry.name, pid)) continue;
    auto it = known_.find(pid);
    const bool same = it != known_.end() && it->second.inode == entry.inode;
    if (same) it->second.seen_in_scan = scan_number_;
    if (full || !same || !it->second.settled) unread_.push_back({pid, entry.inode, same});
  }
  learnProcesses();
  // Forget the processes gone; what is left is this scan's process table.
  for (auto it = known_.begin(); it != known_.end();) {
    if (it->second.seen_in_scan != scan_number_) {
      it = known_.erase(it);
      continue;
    }
    if (it->second.urbit) alive_.push_back(&it->second.candidate);
    ++it;
  }
  // In PID order, as the listing was: which of two equal kings is met first must not
  // depend on the hash table's order.
  std::sort(alive_.begin(), alive_.end(),
            [](const Candidate* a, const Candidate* b) { return a->pid < b->pid; });

  std::unordered_map<std::string, std::vector<size_t>> kings;
  std::unordered_map<int64_t, size_t> king_by_pid;
  for (size_t i = 0; i < alive_.size(); ++i) {
    if (alive_[i]->command.role != UrbitRole::kKing) continue;
    kings[alive_[i]->pier].push_back(i);
    king_by_pid.emplace(alive_[i]->pid, i);
  }
  for (auto& [pier, indices] : kings) {
    DiscoveredShip& ship = ships[pier];
    ship.pier = pier;
    const std::optional<size_t> king =
        lockUnchanged(pier, indices, full) ? indices.front() : chooseKing(pier, indices);
    if (!king) continue;
    ship.king = alive_[*king]->process;
    ship.loom_bits = alive_[*king]->command.loom_bits;
    if (indices.size() == 1) locks_checked_[pier] = {ship.king.value(), scan_number_};
  }
  for (auto it = locks_checked_.begin(); it != locks_checked_.end();) {
    if (it->second.checked_in_scan != scan_number_) {
      it = locks_checked_.erase(it);
    } else {
      ++it;
    }
  }
  // Serfs: the child of the ship's king; else one naming the same pier (a king we
  // could not attribute); a serf with neither is an orphan and says nothing.
  for (const Candidate* serf : alive_) {
    if (serf->command.role != UrbitRole::kSerf) continue;
    DiscoveredShip* owner = nullptr;
    if (auto parent = king_by_pid.find(serf->ppid); parent != king_by_pid.end()) {
      auto it = ships.find(alive_[parent->second]->pier);
      if (it != ships.end() && it->second.king && it->second.king->pid == serf->ppid)
        owner = &it->second;
    }
    if (owner == nullptr) {
      auto it = ships.find(serf->pier);
      if (it != ships.end() && it->second.king && !it->second.serf) owner = &it->second;
    }
    if (owner == nullptr) continue;
    owner->serf = serf->process;
    // The serf always carries the loom it was given; the king only when set by hand.
    if (serf->command.loom_bits) owner->loom_bits = serf->command.loom_bits;
  }
}

bool ShipDiscovery::lockUnchanged(const std::string& pier, const std::vector<size_t>& kings,
                                  bool full) {
  // With one king the lock only decides what is logged, and that was logged when
  // this king was first checked (and is again at each full scan).
  if (full || kings.size() != 1) return false;
  auto it = locks_checked_.find(pier);
  return it != locks_checked_.end() && it->second.king == alive_[kings.front()]->process;
}

std::optional<size_t> ShipDiscovery::chooseKing(const std::string& pier,
                                                const std::vector<size_t>& kings) {
  std::optional<int64_t> lock_pid;
  const std::string lock_path = pier + "/.vere.lock";
  ++lock_reads_;
  const int error = reader_.read(lock_path, buffer_);
  if (error == 0) {
    lock_pid = parseVereLock(buffer_);
    if (!lock_pid) {
      log_.warn("ships:lock:" + pier,
                fmt::format("ships: {} holds {:?}, not a PID; the process table alone decides",
                            lock_path, std::string(trimSpace(buffer_).substr(0, 40))));
    }
  }
  for (size_t index : kings)
    if (lock_pid && alive_[index]->pid == *lock_pid) return index;
  // Oldest first: a second `urbit <pier>` refused by the lock is the newcomer.
  size_t chosen = kings.front();
  for (size_t index : kings)
    if (alive_[index]->process.start_ticks < alive_[chosen]->process.start_ticks) chosen = index;
  if (lock_pid) {
    const bool lock_pid_alive = known_.contains(*lock_pid);
    log_.warn("ships:lock_mismatch:" + pier,
              fmt::format("ships: {} names PID {} ({}) but PID {} runs urbit on this pier; "
                          "using PID {} (a ship in a container sees its own PIDs; else the lock "
                          "is stale)",
                          lock_path, *lock_pid, lock_pid_alive ? "alive" : "not running",
                          alive_[chosen]->pid, alive_[chosen]->pid));
  }
  return chosen;
}

void ShipDiscovery::adoptLockHolder(DiscoveredShip& ship) {
  const std::string lock_path = ship.pier + "/.vere.lock";
  if (reader_.read(lock_path, buffer_) != 0) return;
  const std::optional<int64_t> lock_pid = parseVereLock(buffer_);
  // A stale lock names a dead PID, or one since reused: only a live holder of the
  // fcntl lock counts (the kernel reports it in our PID namespace).
  if (!lock_pid || !known_.contains(*lock_pid)) return;
  const std::string resolved = resolveUnderRoot(reader_.root(), lock_path);
  const int fd = ::open(resolved.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool probed = ::fcntl(fd, F_GETLK, &probe) == 0;
  ::close(fd);
  if (!probed || probe.l_type == F_UNLCK || probe.l_pid != *lock_pid) return;
  ProcessStat stat;
  if (reader_.read(procPath(*lock_pid, "stat"), buffer_) != 0 || !parseProcessStat(buffer_, stat))
    return;
  ship.king = ShipProcess{*lock_pid, stat.start_ticks};
  log_.warn("ships:lock_holder:" + ship.pier,
            fmt::format("ships: PID {} holds {} but its command line is not a recognised urbit "
                        "king; counted as the ship's runtime (no serf, default loom)",
                        *lock_pid, lock_path));
}

}  // namespace tidemark::agent
