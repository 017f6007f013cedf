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
                             std::vector<std::string> pier_roots)
    : reader_(reader), scan_batch_(scan_batch), log_(log), pier_roots_(std::move(pier_roots)) {}

std::vector<DiscoveredShip> ShipDiscovery::scan() {
  std::unordered_map<std::string, DiscoveredShip> ships;
  scanProcesses(ships);
  scanPierRoots(ships);
  for (auto& [pier, ship] : ships)
    if (!ship.king) adoptLockHolder(ship);
  std::vector<DiscoveredShip> out;
  out.reserve(ships.size());
  for (auto& [pier, ship] : ships) out.push_back(std::move(ship));
  std::sort(out.begin(), out.end(),
            [](const DiscoveredShip& a, const DiscoveredShip& b) { return a.pier < b.pier; });
  // A scan reads every process's cmdline and runs every 30 s or so: its buffers (about
  // 1 KB per process on the host) are given back rather than kept resident in between.
  std::vector<ReadSlot>().swap(cmdline_slots_);
  std::vector<ReadSlot>().swap(stat_slots_);
  std::vector<StatSlot>().swap(urb_slots_);
  std::vector<std::string>().swap(names_);
  std::vector<std::string>().swap(root_entries_);
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

void ShipDiscovery::scanProcesses(std::unordered_map<std::string, DiscoveredShip>& ships) {
  const int error = reader_.listDirectory("/proc", names_);
  if (error != 0) {
    log_.warn("ships:proc:list",
              fmt::format("ships: cannot list /proc: {} (errno {}); ships are found only under "
                          "the pier roots this scan",
                          std::strerror(error), error));
    return;
  }
  // Round 1: every process's command line, in one submission.
  std::vector<int64_t> pids;
  pids.reserve(names_.size());
  for (const auto& name : names_) {
    int64_t pid = 0;
    if (isPid(name, pid)) pids.push_back(pid);
  }
  if (cmdline_slots_.size() < pids.size()) cmdline_slots_.resize(pids.size());
  cmdline_slots_used_ = pids.size();
  for (size_t i = 0; i < pids.size(); ++i)
    scan_batch_.queueRead(procPath(pids[i], "cmdline"), cmdline_slots_[i]);
  scan_batch_.submit();

  std::vector<Candidate> candidates;
  std::unordered_map<int64_t, size_t> live_pids;  // pid -> index in pids
  live_pids_.clear();
  for (size_t i = 0; i < pids.size(); ++i) {
    live_pids.emplace(pids[i], i);
    live_pids_.insert(pids[i]);
    const ReadSlot& slot = cmdline_slots_[i];
    if (slot.error != 0) continue;  // exited meanwhile, or a kernel thread
    UrbitCommand command = parseUrbitCommandLine(slot.data);
    if (command.role == UrbitRole::kNone) continue;
    candidates.push_back({pids[i], std::move(command), {}, {pids[i], 0}, 0});
  }

  // Round 2: the candidates' stat (start time, parent) and their working folders.
  if (stat_slots_.size() < candidates.size()) stat_slots_.resize(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i)
    scan_batch_.queueRead(procPath(candidates[i].pid, "stat"), stat_slots_[i]);
  scan_batch_.submit();
  std::vector<Candidate> alive;
  for (size_t i = 0; i < candidates.size(); ++i) {
    Candidate& candidate = candidates[i];
    ProcessStat stat;
    if (stat_slots_[i].error != 0 || !parseProcessStat(stat_slots_[i].data, stat)) continue;
    candidate.process.start_ticks = stat.start_ticks;
    candidate.ppid = stat.ppid;
    std::string cwd;
    if (!candidate.command.pier.starts_with('/')) {
      cwd = processCwd(candidate.pid);
      if (cwd.empty()) {
        log_.warn(fmt::format("ships:cwd:{}", candidate.pid),
                  fmt::format("ships: PID {} runs urbit on the relative pier {:?} but its "
                              "/proc/{}/cwd is unreadable (the agent may lack the privilege); "
                              "skipped",
                              candidate.pid, candidate.command.pier, candidate.pid));
        continue;
      }
    }
    candidate.pier = pierPath(cwd, candidate.command.pier);
    alive.push_back(std::move(candidate));
  }

  std::unordered_map<std::string, std::vector<size_t>> kings;
  std::unordered_map<int64_t, size_t> king_by_pid;
  for (size_t i = 0; i < alive.size(); ++i) {
    if (alive[i].command.role != UrbitRole::kKing) continue;
    kings[alive[i].pier].push_back(i);
    king_by_pid.emplace(alive[i].pid, i);
  }
  for (auto& [pier, indices] : kings) {
    DiscoveredShip& ship = ships[pier];
    ship.pier = pier;
    const std::optional<size_t> king = chooseKing(pier, indices, alive, live_pids);
    if (!king) continue;
    ship.king = alive[*king].process;
    ship.loom_bits = alive[*king].command.loom_bits;
  }
  // Serfs: the child of the ship's king; else one naming the same pier (a king we
  // could not attribute); a serf with neither is an orphan and says nothing.
  for (const Candidate& serf : alive) {
    if (serf.command.role != UrbitRole::kSerf) continue;
    DiscoveredShip* owner = nullptr;
    if (auto parent = king_by_pid.find(serf.ppid); parent != king_by_pid.end()) {
      auto it = ships.find(alive[parent->second].pier);
      if (it != ships.end() && it->second.king && it->second.king->pid == serf.ppid)
        owner = &it->second;
    }
    if (owner == nullptr) {
      auto it = ships.find(serf.pier);
      if (it != ships.end() && it->second.king && !it->second.serf) owner = &it->second;
    }
    if (owner == nullptr) continue;
    owner->serf = serf.process;
    // The serf always carries the loom it was given; the king only when set by hand.
    if (serf.command.loom_bits) owner->loom_bits = serf.command.loom_bits;
  }
}

std::optional<size_t> ShipDiscovery::chooseKing(
    const std::string& pier, const std::vector<size_t>& kings,
    const std::vector<Candidate>& candidates,
    const std::unordered_map<int64_t, size_t>& live_pids) {
  std::optional<int64_t> lock_pid;
  const std::string lock_path = pier + "/.vere.lock";
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
    if (lock_pid && candidates[index].pid == *lock_pid) return index;
  // Oldest first: a second `urbit <pier>` refused by the lock is the newcomer.
  size_t chosen = kings.front();
  for (size_t index : kings)
    if (candidates[index].process.start_ticks < candidates[chosen].process.start_ticks)
      chosen = index;
  if (lock_pid) {
    const bool lock_pid_alive = live_pids.contains(*lock_pid);
    log_.warn("ships:lock_mismatch:" + pier,
              fmt::format("ships: {} names PID {} ({}) but PID {} runs urbit on this pier; "
                          "using PID {} (a ship in a container sees its own PIDs; else the lock "
                          "is stale)",
                          lock_path, *lock_pid, lock_pid_alive ? "alive" : "not running",
                          candidates[chosen].pid, candidates[chosen].pid));
  }
  return chosen;
}

void ShipDiscovery::adoptLockHolder(DiscoveredShip& ship) {
  const std::string lock_path = ship.pier + "/.vere.lock";
  if (reader_.read(lock_path, buffer_) != 0) return;
  const std::optional<int64_t> lock_pid = parseVereLock(buffer_);
  // A stale lock names a dead PID, or one since reused: only a live holder of the
  // fcntl lock counts (the kernel reports it in our PID namespace).
  if (!lock_pid || !live_pids_.contains(*lock_pid)) return;
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

void ShipDiscovery::scanPierRoots(std::unordered_map<std::string, DiscoveredShip>& ships) {
  for (const std::string& configured : pier_roots_) {
    const std::string root_dir = resolvePierPath(reader_.root(), "/", configured);
    const int error = reader_.listDirectory(root_dir, root_entries_);
    if (error != 0) {
      log_.warn("ships:pier_root:" + root_dir,
                fmt::format("ships: cannot list pier root {}: {} (errno {}); its piers are "
                            "skipped this scan",
                            root_dir, std::strerror(error), error));
      continue;
    }
    if (urb_slots_.size() < root_entries_.size()) urb_slots_.resize(root_entries_.size());
    const std::string prefix = root_dir == "/" ? "" : root_dir;
    for (size_t i = 0; i < root_entries_.size(); ++i)
      scan_batch_.queueStat(prefix + "/" + root_entries_[i] + "/.urb", urb_slots_[i]);
    scan_batch_.submit();
    for (size_t i = 0; i < root_entries_.size(); ++i) {
      const StatSlot& slot = urb_slots_[i];
      if (slot.error != 0 || !S_ISDIR(slot.stat.stx_mode)) continue;
      const std::string& pier = pierPath("/", prefix + "/" + root_entries_[i]);
      DiscoveredShip& ship = ships[pier];
      ship.pier = pier;
    }
  }
}

}  // namespace tidemark::agent
