#include "agent/ships/ship_collector.h"

#include <fcntl.h>
#include <spdlog/fmt/fmt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <set>
#include <tuple>

#include "agent/collectors/parse_util.h"
#include "agent/ships/pier_files.h"
#include "agent/ships/process_stat.h"

namespace tidemark::agent {
namespace {

constexpr std::string_view kMaxMapCountPath = "/proc/sys/vm/max_map_count";

std::string_view shipName(std::string_view pier) {
  const size_t slash = pier.rfind('/');
  return slash == std::string_view::npos ? pier : pier.substr(slash + 1);
}

bool due(const std::optional<int64_t>& last_ms, int64_t now_ms, int64_t interval_ms) {
  return !last_ms || now_ms - *last_ms >= interval_ms;
}

std::string_view sourceName(ProcessStatsSource source) {
  return source == ProcessStatsSource::kTaskIterator ? "the BPF task iterator" : "/proc/PID/stat";
}

size_t countLines(std::string_view text) {
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  if (!text.empty() && text.back() != '\n') ++lines;
  return lines;
}

}  // namespace

// The series every ship has under its fixed labels (ship, pier[, kind]), each with a
// SeriesHandle per ship so a steady pass skips the registry's lookups.
namespace {
enum SeriesIndex : size_t {
  kUp,
  kRss,
  kCpu,
  kMapCount,
  kPierBytes,
  kEventLogBytes,
  kNewestEpochBytes,
  kEpochs,
  kSnapshotBytes,
  kLoomBytes,
  kLoomUse,
  kSincePack,
  kSinceMeld,
  kFilesystemAvail,
  kMeme,
  kMprotect,
  kMapping,
  kSeriesCount
};
// The three folders of a pier whose changes matter: the pier's own (.http.ports comes
// and goes), .urb/log (a new epoch) and .urb/chk (another snapshot layout).
enum FolderIndex : size_t { kPierFolder, kLogFolder, kChkFolder, kFolderCount };
}  // namespace

// Everything known about one pier between passes, and its slots for this pass.
struct ShipCollector::Ship {
  Ship() {
    // /proc/PID/stat is one record, produced whole: no zero-byte read to prove its end.
    king_stat.one_record = true;
    serf_stat.one_record = true;
  }
  ~Ship() {
    closeFolderFds();
    closeTrackedFds();
  }
  Ship(const Ship&) = delete;
  Ship& operator=(const Ship&) = delete;

  // The pier folder and its .urb/log and .urb/chk, so the per-pass stats resolve at
  // most two names. Opened again at a process scan unless the ship runs the same
  // processes and none of the three watched folders saw an event since the last
  // opening (a pier moved away and made anew is then followed, and a steady scan
  // costs no open, close or inotify_add_watch per ship). An fd of -1 (not there, or
  // out of fds): stats of its paths go by the next shorter folder, or by absolute path.
  void reopenFolderFds() {
    closeFolderFds();
    const std::string* paths[] = {&resolved_pier, &resolved_log_dir, &resolved_chk_dir};
    for (size_t i = 0; i < folder_fds.size(); ++i)
      folder_fds[i] = ::open(paths[i]->c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  void closeFolderFds() {
    for (int& fd : folder_fds) {
      if (fd >= 0) ::close(fd);
      fd = -1;
    }
  }
  // The files a walk tracks (newest data.mdb, the snapshot) are statted through an
  // O_PATH fd each, opened after every walk: no path walk per pass. A walk follows
  // every event in .urb/log and .urb/chk (a new epoch, a snapshot renamed over), and
  // a tracked file replaced some other way shows a link count of 0 (see
  // refreshReplacedTracked).
  void reopenTrackedFds(const std::string& root) {
    closeTrackedFds();
    tracked_fds.assign(size.tracked.size(), -1);
    for (size_t i = 0; i < tracked_fds.size(); ++i)
      tracked_fds[i] = openTracked(resolveUnderRoot(root, size.tracked[i].path));
  }
  static int openTracked(const std::string& resolved_path) {
    return ::open(resolved_path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  }
  void closeTrackedFds() {
    for (int fd : tracked_fds)
      if (fd >= 0) ::close(fd);
    tracked_fds.clear();
  }
  void queueTrackedStat(ReadBatch& batch, size_t index) {
    if (index < tracked_fds.size() && tracked_fds[index] >= 0) {
      batch.queueStatAt(tracked_fds[index], "", tracked_slots[index]);
    } else {
      queueStat(batch, size.tracked[index].path, tracked_slots[index]);
    }
  }
  // A tracked file whose fd answered a link count of 0 was deleted or renamed over
  // since it was opened: stat its path now (once, not a pass late), hold the new file
  // and walk the pier again. Returns whether any was.
  bool refreshReplacedTracked(const std::string& root) {
    bool replaced = false;
    for (size_t i = 0; i < tracked_fds.size() && i < tracked_slots.size(); ++i) {
      StatSlot& slot = tracked_slots[i];
      // A filesystem that does not report link counts leaves the fd trusted.
      if (tracked_fds[i] < 0 || slot.error != 0 || !(slot.stat.stx_mask & STATX_NLINK) ||
          slot.stat.stx_nlink != 0)
        continue;
      replaced = true;
      const std::string path = resolveUnderRoot(root, size.tracked[i].path);
      ::close(tracked_fds[i]);
      tracked_fds[i] = openTracked(path);
      slot.error =
          ::statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, kStatSlotMask, &slot.stat) == 0
              ? 0
              : errno;
    }
    return replaced;
  }

  // Queues a stat of `path` (the pier, or a path below it) relative to the deepest
  // open folder holding it.
  void queueStat(ReadBatch& batch, std::string_view path, StatSlot& slot) const {
    const std::string* folders[] = {&pier, &log_dir_path, &chk_dir_path};
    for (size_t i = folder_fds.size(); i-- > 0;) {
      const std::string& folder = *folders[i];
      if (folder_fds[i] < 0 || !path.starts_with(folder)) continue;
      std::string_view rest = path.substr(folder.size());
      if (!rest.empty() && rest.front() != '/') continue;  // a sibling sharing the prefix
      if (!rest.empty()) rest.remove_prefix(1);
      batch.queueStatAt(folder_fds[i], rest, slot);
      return;
    }
    batch.queueStat(path, slot);
  }

  std::array<int, kFolderCount> folder_fds{-1, -1, -1};  // pier, .urb/log, .urb/chk
  // The folders' inotify watches (FolderWatch::kNoWatch: statted every pass instead),
  // the generation each was last acted on, and which were statted this pass.
  std::array<int, kFolderCount> watch_ids{FolderWatch::kNoWatch, FolderWatch::kNoWatch,
                                          FolderWatch::kNoWatch};
  std::array<uint64_t, kFolderCount> seen_generations{};
  std::array<bool, kFolderCount> stat_queued{};
  uint64_t folder_opens = 0;
  // The watches' generations when the folder fds were last opened.
  std::array<uint64_t, kFolderCount> opened_generations{};
  std::array<SeriesHandle, kSeriesCount> handles;
  std::string pier;
  std::string name;
  std::string resolved_pier;  // under the root, for statfs and the folder fds
  std::string resolved_log_dir, resolved_chk_dir;
  // Paths built once per discovery, so a steady pass formats nothing.
  std::string ports_path, log_dir_path, chk_dir_path;
  std::string king_stat_path, serf_stat_path, serf_maps_path;
  std::optional<ShipProcess> king;
  std::optional<ShipProcess> serf;
  int loom_bits = kDefaultLoomBits;

  PierSize size;
  bool walk_needed = true;
  std::vector<StatSlot> tracked_slots;
  std::vector<int> tracked_fds;  // parallel to size.tracked; -1: statted by path
  // Their inotify watches (kNoWatch: statted every pass), and the generation each
  // was last statted at.
  std::vector<int> tracked_watch_ids;
  std::vector<uint64_t> tracked_seen_generations;
  uint32_t passes_since_full_stat = 0;
  StatSlot pier_slot;  // the pier folder: its filesystem (device) for the free space
  StatSlot log_dir_slot;
  StatSlot chk_dir_slot;
  ReadSlot king_stat;
  ReadSlot serf_stat;
  ReadSlot ports;
  // .http.ports is created and removed in the pier folder, so it is read again only
  // when the folder's mtime moved, the king changed, or at a process scan (a rewrite
  // in place leaves the folder alone).
  bool ports_needed = true;
  bool ports_queued = false;
  uint64_t ports_pier_mtime_ns = 0;
  ReadSlot serf_maps;
  std::vector<HttpPort> port_list;
  std::vector<SeriesHandle> port_handles;  // parallel to port_list, reset when it is reread
  std::optional<uint64_t> map_count;
  // The CPU counter's last value and whose it was (the king's and serf's start times):
  // /proc's ticks truncate, so a pass through /proc after one through the task iterator
  // (ns) could report less; the counter never goes back unless a process restarted.
  double cpu_seconds_reported = 0;
  std::pair<uint64_t, uint64_t> cpu_owner{0, 0};

  std::unique_ptr<LogTail> log;
  // The log's size when first seen: pack lines before it are older than this agent's
  // watch and carry no time, so they are not taken as evidence (after a restart the
  // evidence file still holds what was seen before).
  std::optional<uint64_t> log_backlog_end;
  MemoryFailureCounts failures;
  uint64_t last_snapshot_bytes = 0;  // the previous pass's, 0 while unknown
};

ShipCollector::ShipCollector(FileReader& reader, ReadBatch& side_batch, ThrottledLog& log,
                             const Clock& clock, FilesystemStatter& statter,
                             ShipCollectorOptions options)
    : reader_(reader),
      log_(log),
      clock_(clock),
      statter_(statter),
      options_(std::move(options)),
      discovery_(reader, side_batch, log, options_.pier_roots, options_.full_process_scan_every),
      walker_(reader, side_batch, log),
      ticks_per_second_(::sysconf(_SC_CLK_TCK)),
      page_bytes_(::sysconf(_SC_PAGESIZE)),
      source_chooser_(ProcessStatsSource::kProc, ProcessStatsSource::kTaskIterator,
                      options_.process_stats_probe) {
  if (!options_.maintenance_log_path.empty())
    maintenance_.emplace(options_.maintenance_log_path, log_);
  if (!options_.pack_evidence_path.empty()) evidence_.emplace(options_.pack_evidence_path, log_);
  if (ticks_per_second_ <= 0) ticks_per_second_ = 100;
  if (page_bytes_ <= 0) page_bytes_ = 4096;
  if (options_.watch_folders) {
    watch_ = std::make_unique<FolderWatch>(options_.max_folder_watches);
    if (!watch_->available()) {
      log_.warn("ships:inotify", fmt::format("ships: {}; pier folders are statted every pass "
                                             "instead",
                                             watch_->why()));
      watch_.reset();
    }
  }
  root_slots_.resize(options_.pier_roots.size());
  root_mtimes_ns_.assign(options_.pier_roots.size(), 0);
  max_map_count_slot_.one_record = true;  // a sysctl: its value comes whole in one read
  openTaskSampler();
}

std::optional<ProcessStatsSource> parseProcessStatsSource(std::string_view text) {
  if (text == "auto") return ProcessStatsSource::kAuto;
  if (text == "proc") return ProcessStatsSource::kProc;
  if (text == "bpf") return ProcessStatsSource::kTaskIterator;
  return std::nullopt;
}

void ShipCollector::openTaskSampler() {
  if (options_.process_stats == ProcessStatsSource::kProc) return;
  std::string why;
  if (!reader_.root().empty()) {
    why = fmt::format("the host is read under the root {}, and the task iterator sees only the "
                      "live kernel",
                      reader_.root());
  } else {
    task_sampler_ = options_.open_task_sampler ? options_.open_task_sampler(why)
                                               : BpfTaskSampler::open(why);
  }
  if (task_sampler_) {
    if (options_.process_stats == ProcessStatsSource::kTaskIterator)
      spdlog::info("ships: process CPU and memory come from the BPF task iterator");
    return;
  }
  const std::string message =
      fmt::format("ships: process CPU and memory come from /proc/PID/stat: {}", why);
  // Asked for by name, its refusal is worth a warning; under auto it is the usual case
  // for an agent without CAP_BPF.
  if (options_.process_stats == ProcessStatsSource::kTaskIterator) {
    log_.warn("ships:task-iterator", message);
  } else {
    spdlog::info("{}", message);
  }
}

ProcessStatsSource ShipCollector::sourceForPass() const {
  if (!task_sampler_) return ProcessStatsSource::kProc;
  if (options_.process_stats == ProcessStatsSource::kTaskIterator)
    return ProcessStatsSource::kTaskIterator;
  return source_chooser_.next();
}

void ShipCollector::trackProcesses() {
  tracked_pids_.clear();
  for (const auto& [pier, ship] : ships_) {
    if (ship->king) tracked_pids_.push_back(static_cast<int32_t>(ship->king->pid));
    if (ship->serf) tracked_pids_.push_back(static_cast<int32_t>(ship->serf->pid));
  }
  if (int error = task_sampler_->track(tracked_pids_); error != 0) {
    log_.warn("ships:task-iterator",
              fmt::format("ships: the BPF task iterator cannot track {} processes ({}); process "
                          "CPU and memory come from /proc/PID/stat from now on",
                          tracked_pids_.size(), std::strerror(error)));
    task_sampler_.reset();
    pass_source_ = ProcessStatsSource::kProc;
  }
}

void ShipCollector::sampleTasks() {
  process_stats_missing_ = false;
  if (pass_source_ != ProcessStatsSource::kTaskIterator) return;
  if (int error = task_sampler_->sample(); error != 0) {
    // This pass queued no /proc reads: its process series sit it out, without calling
    // any ship down.
    log_.warn("ships:task-iterator",
              fmt::format("ships: cannot read the BPF task iterator ({}); process CPU and "
                          "memory come from /proc/PID/stat from the next pass on",
                          std::strerror(error)));
    task_sampler_.reset();
    process_stats_missing_ = true;
  }
}

void ShipCollector::recordPassCost() {
  if (options_.process_stats != ProcessStatsSource::kAuto || !task_sampler_) return;
  const size_t probes = source_chooser_.probes();
  const ProcessStatsSource before = source_chooser_.kept();
  // Outside a probe only the pass count matters.
  source_chooser_.record(source_chooser_.probing() ? processCpuNs() - pass_started_cpu_ns_ : 0);
  if (source_chooser_.probes() == probes) return;
  // Logged when the first probe decides and whenever a later one changes its mind.
  if (probes > 0 && source_chooser_.kept() == before) return;
  spdlog::info("ships: process CPU and memory come from {} (measured {:.0f} us a pass with the "
               "BPF task iterator, {:.0f} us with /proc/PID/stat)",
               sourceName(source_chooser_.kept()),
               source_chooser_.medianNs(ProcessStatsSource::kTaskIterator) / 1e3,
               source_chooser_.medianNs(ProcessStatsSource::kProc) / 1e3);
}

bool ShipCollector::processUsage(const ShipProcess& process, const ReadSlot& stat_slot,
                                 ProcessUsage& usage) const {
  if (pass_source_ == ProcessStatsSource::kTaskIterator) {
    const ProcessUsage* seen = task_sampler_ ? task_sampler_->find(static_cast<int32_t>(process.pid))
                                             : nullptr;
    if (seen == nullptr) return false;
    usage = *seen;
  } else {
    ProcessStat stat;
    if (stat_slot.error != 0 || !parseProcessStat(stat_slot.data, stat)) return false;
    usage.start_ticks = stat.start_ticks;
    usage.rss_pages = stat.rss_pages;
    usage.cpu_ns = (stat.utime_ticks + stat.stime_ticks) *
                   (1'000'000'000 / static_cast<uint64_t>(ticks_per_second_));
  }
  return usage.start_ticks == process.start_ticks;
}

ShipCollector::~ShipCollector() = default;

uint64_t ShipCollector::folderOpens(const std::string& pier) const {
  auto it = ships_.find(pier);
  return it == ships_.end() ? 0 : it->second->folder_opens;
}

bool ShipCollector::foldersSteady(const Ship& ship) const {
  if (!watch_) return false;
  for (size_t i = 0; i < kFolderCount; ++i) {
    if (ship.folder_fds[i] < 0 || ship.watch_ids[i] == FolderWatch::kNoWatch) return false;
    const uint64_t generation = watch_->generation(ship.watch_ids[i]);
    if (generation == FolderWatch::kGone || generation != ship.opened_generations[i]) return false;
  }
  return true;
}

int ShipCollector::addWatch(const std::string& path, FolderWatch::Target target) {
  int error = 0;
  const int id = watch_->add(path, error, target);
  if (id == FolderWatch::kNoWatch && error == ENOSPC) {
    const bool folder = target == FolderWatch::Target::kFolder;
    log_.warn(folder ? "ships:inotify_limit" : "ships:inotify_limit_files",
              fmt::format("ships: inotify watch limit reached at {} ({} watched); such {} are "
                          "statted every pass instead (raise fs.inotify.max_user_watches)",
                          path, watch_->watches(), folder ? "folders" : "files"));
  }
  return id;
}

void ShipCollector::rewatch(Ship& ship) {
  if (!watch_) return;
  const std::string* paths[] = {&ship.resolved_pier, &ship.resolved_log_dir,
                                &ship.resolved_chk_dir};
  for (size_t i = 0; i < kFolderCount; ++i) {
    const int id = ship.folder_fds[i] >= 0 ? addWatch(*paths[i], FolderWatch::Target::kFolder)
                                           : FolderWatch::kNoWatch;
    // A folder watched anew (first seen, made anew, or back from statting): what
    // happened before its watch is unknown, so it counts as changed once.
    if (id != ship.watch_ids[i]) ship.seen_generations[i] = FolderWatch::kGone;
    watch_->release(ship.watch_ids[i]);  // after add(): the same folder keeps its watch
    ship.watch_ids[i] = id;
  }
  // The pier's device (for its filesystem's free space) is no longer statted every
  // pass while the folder is watched: take it now.
  if (ship.watch_ids[kPierFolder] != FolderWatch::kNoWatch) {
    ship.pier_slot.error =
        ::statx(ship.folder_fds[kPierFolder], "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
                kStatSlotMask, &ship.pier_slot.stat) == 0
            ? 0
            : errno;
  }
}

void ShipCollector::rewatchTracked(Ship& ship) {
  if (!watch_) return;
  std::vector<int> ids(ship.size.tracked.size(), FolderWatch::kNoWatch);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i >= ship.tracked_fds.size() || ship.tracked_fds[i] < 0) continue;
    ids[i] = addWatch(resolveUnderRoot(reader_.root(), ship.size.tracked[i].path),
                      FolderWatch::Target::kFileContent);
  }
  for (int id : ship.tracked_watch_ids) watch_->release(id);  // after add(), as in rewatch()
  ship.tracked_watch_ids = std::move(ids);
  // What happened before the watch is unknown: every tracked file is statted once.
  ship.tracked_seen_generations.assign(ship.tracked_watch_ids.size(), FolderWatch::kGone);
}

bool ShipCollector::trackedStatDue(Ship& ship, size_t index, bool every) const {
  if (every || !watch_ || index >= ship.tracked_watch_ids.size() ||
      ship.tracked_watch_ids[index] == FolderWatch::kNoWatch ||
      ship.tracked_slots[index].error != 0) {
    return true;
  }
  const uint64_t generation = watch_->generation(ship.tracked_watch_ids[index]);
  if (generation == FolderWatch::kGone) return true;  // deleted: the log folder's walk follows
  if (generation == ship.tracked_seen_generations[index]) return false;
  // Noted before the stat: an event between the two brings another stat next pass.
  ship.tracked_seen_generations[index] = generation;
  return true;
}

void ShipCollector::pollFolderWatch() {
  if (!watch_) return;
  if (const int error = watch_->poll(); error != 0) {
    log_.warn("ships:inotify_read",
              fmt::format("ships: reading inotify events: {} (errno {}); folder changes "
                          "may be seen late",
                          std::strerror(error), error));
  }
}

void ShipCollector::applyFolderChanges() {
  for (auto& [pier, ship_ptr] : ships_) {
    Ship& ship = *ship_ptr;
    for (size_t i = 0; i < kFolderCount; ++i) {
      const uint64_t generation =
          watch_ ? watch_->generation(ship.watch_ids[i]) : FolderWatch::kGone;
      ship.stat_queued[i] = generation == FolderWatch::kGone;
      if (ship.stat_queued[i] || generation == ship.seen_generations[i]) continue;
      ship.seen_generations[i] = generation;
      // What a moved mtime asks for, one pass sooner than a stat would tell it.
      if (i == kPierFolder) {
        ship.ports_needed = true;
      } else {
        ship.walk_needed = true;
      }
    }
  }
}

void ShipCollector::rescan() {
  ++process_scans_;
  rescan_requested_ = false;
  std::vector<DiscoveredShip> found = discovery_.scan();
  std::set<std::string> seen;
  for (DiscoveredShip& discovered : found) {
    seen.insert(discovered.pier);
    auto& slot = ships_[discovered.pier];
    if (!slot) {
      slot = std::make_unique<Ship>();
      slot->pier = discovered.pier;
      slot->name = std::string(shipName(discovered.pier));
      slot->ports_path = slot->pier + "/.http.ports";
      slot->log_dir_path = slot->pier + "/.urb/log";
      slot->chk_dir_path = slot->pier + "/.urb/chk";
      slot->resolved_pier = resolveUnderRoot(reader_.root(), slot->pier);
      slot->resolved_log_dir = resolveUnderRoot(reader_.root(), slot->log_dir_path);
      slot->resolved_chk_dir = resolveUnderRoot(reader_.root(), slot->chk_dir_path);
      auto log_path = options_.ship_logs.find(slot->pier);
      if (log_path == options_.ship_logs.end()) log_path = options_.ship_logs.find(slot->name);
      if (log_path != options_.ship_logs.end())
        slot->log = std::make_unique<LogTail>(resolveUnderRoot(reader_.root(), log_path->second));
    }
    Ship& ship = *slot;
    const std::optional<ShipProcess> serf = discovered.king ? discovered.serf : std::nullopt;
    if (!(ship.king == discovered.king && ship.serf == serf && foldersSteady(ship))) {
      ship.reopenFolderFds();
      rewatch(ship);
      ++ship.folder_opens;
      for (size_t i = 0; i < kFolderCount; ++i)
        ship.opened_generations[i] = watch_ ? watch_->generation(ship.watch_ids[i]) : 0;
    }
    ship.ports_needed = true;
    ship.king = discovered.king;
    ship.serf = serf;
    // A stopped ship keeps the loom it last ran with: it boots with the same flags.
    if (discovered.king) ship.loom_bits = discovered.loom_bits.value_or(kDefaultLoomBits);
    ship.king_stat_path = ship.king ? fmt::format("/proc/{}/stat", ship.king->pid) : "";
    ship.serf_stat_path = ship.serf ? fmt::format("/proc/{}/stat", ship.serf->pid) : "";
    ship.serf_maps_path = ship.serf ? fmt::format("/proc/{}/maps", ship.serf->pid) : "";
  }
  // A ship found only by its process that has stopped: down while its pier exists.
  for (auto it = ships_.begin(); it != ships_.end();) {
    Ship& ship = *it->second;
    if (!seen.contains(ship.pier)) {
      ship.king.reset();
      ship.serf.reset();
      struct stat urb {};
      const std::string urb_path = resolveUnderRoot(reader_.root(), ship.pier + "/.urb");
      if (::stat(urb_path.c_str(), &urb) != 0 || !S_ISDIR(urb.st_mode)) {
        if (watch_) {
          for (int id : ship.watch_ids) watch_->release(id);
          for (int id : ship.tracked_watch_ids) watch_->release(id);
        }
        it = ships_.erase(it);
        continue;
      }
    }
    ++it;
  }
}

void ShipCollector::walk(int64_t now_ms) {
  const bool all = due(last_walk_ms_, now_ms, options_.pier_walk_interval_ms);
  std::vector<std::string> piers;
  std::vector<Ship*> walked;
  for (auto& [pier, ship] : ships_) {
    if (!all && !ship->walk_needed) continue;
    piers.push_back(pier);
    walked.push_back(ship.get());
  }
  if (piers.empty()) return;
  if (all) {
    last_walk_ms_ = now_ms;
    local_devices_.clear();
  }
  ++pier_walks_;
  std::vector<PierSize> sizes;
  walker_.walk(piers, sizes);
  for (size_t i = 0; i < walked.size(); ++i) {
    walked[i]->size = std::move(sizes[i]);
    walked[i]->walk_needed = false;
    walked[i]->tracked_slots.resize(walked[i]->size.tracked.size());
    walked[i]->reopenTrackedFds(reader_.root());
    rewatchTracked(*walked[i]);
  }
}

void ShipCollector::prepare(ReadBatch& batch) {
  pass_source_ = sourceForPass();
  if (options_.process_stats == ProcessStatsSource::kAuto && task_sampler_ &&
      source_chooser_.probing())
    pass_started_cpu_ns_ = processCpuNs();
  const int64_t now = clock_.monotonicMs();
  // Before a scan, which keeps a ship's folder fds only while its folders saw no event.
  pollFolderWatch();
  if (rescan_requested_ || due(last_scan_ms_, now, options_.process_scan_interval_ms)) {
    last_scan_ms_ = now;
    rescan();
  }
  applyFolderChanges();
  walk(now);
  if (pass_source_ == ProcessStatsSource::kTaskIterator) trackProcesses();
  const bool read_stats = pass_source_ == ProcessStatsSource::kProc;
  maps_this_pass_ = due(last_maps_ms_, now, options_.map_count_interval_ms);
  if (maps_this_pass_) last_maps_ms_ = now;

  batch.queueRead(kMaxMapCountPath, max_map_count_slot_);
  for (size_t i = 0; i < options_.pier_roots.size(); ++i)
    batch.queueStat(options_.pier_roots[i], root_slots_[i]);
  for (auto& [pier, ship_ptr] : ships_) {
    Ship& ship = *ship_ptr;
    if (ship.stat_queued[kPierFolder]) ship.queueStat(batch, pier, ship.pier_slot);
    if (ship.stat_queued[kLogFolder]) ship.queueStat(batch, ship.log_dir_path, ship.log_dir_slot);
    if (ship.stat_queued[kChkFolder]) ship.queueStat(batch, ship.chk_dir_path, ship.chk_dir_slot);
    const bool every = ++ship.passes_since_full_stat >= options_.tracked_stat_every_passes;
    if (every) ship.passes_since_full_stat = 0;
    for (size_t i = 0; i < ship.size.tracked.size(); ++i) {
      if (!trackedStatDue(ship, i, every)) continue;
      ship.queueTrackedStat(batch, i);
      ++tracked_stats_;
    }
    ship.ports_queued = false;
    if (!ship.king) continue;
    if (read_stats) batch.queueRead(ship.king_stat_path, ship.king_stat);
    ship.ports_queued = ship.ports_needed;
    if (ship.ports_queued) batch.queueRead(ship.ports_path, ship.ports);
    if (ship.serf) {
      if (read_stats) batch.queueRead(ship.serf_stat_path, ship.serf_stat);
      if (maps_this_pass_) batch.queueRead(ship.serf_maps_path, ship.serf_maps);
    }
  }
}

void ShipCollector::collect(SampleWriter& out) {
  if (max_map_count_slot_.error == 0) {
    uint64_t value = 0;
    if (parseUint64(trimSpace(max_map_count_slot_.data), value)) {
      out.add("node_vm_max_map_count", static_cast<double>(value));
    }
  }
  // A pier root that gained or lost a folder: look for new piers at the next pass.
  for (size_t i = 0; i < root_slots_.size(); ++i) {
    if (root_slots_[i].error != 0) continue;
    const uint64_t mtime = mtimeNs(root_slots_[i].stat);
    if (root_mtimes_ns_[i] != 0 && mtime != root_mtimes_ns_[i]) rescan_requested_ = true;
    root_mtimes_ns_[i] = mtime;
  }
  if (maintenance_) maintenance_->refresh();
  if (evidence_) evidence_->refresh();
  sampleTasks();
  for (auto& [pier, ship] : ships_) collectShip(*ship, out);
  writeFilesystemAvail(out);
  const bool iterator = pass_source_ == ProcessStatsSource::kTaskIterator;
  const LabelView source_labels[] = {{"source", iterator ? "bpf" : "proc"}};
  out.add(source_handles_[iterator ? 1 : 0], "tidemark_agent_process_stats_source", 1,
          source_labels);
  recordPassCost();
}

void ShipCollector::collectShip(Ship& ship, SampleWriter& out) {
  const LabelView labels[] = {{"ship", ship.name}, {"pier", ship.pier}};
  // When the task iterator failed this pass no /proc read was queued either: nothing is
  // known of the processes, which is not the same as their being gone.
  if (!process_stats_missing_ || !ship.king) collectShipProcesses(ship, labels, out);
  if (ship.stat_queued[kPierFolder] && ship.pier_slot.error == 0) {
    const uint64_t pier_mtime = mtimeNs(ship.pier_slot.stat);
    if (pier_mtime != ship.ports_pier_mtime_ns) ship.ports_needed = true;
    ship.ports_pier_mtime_ns = pier_mtime;
  }

  // Disk: the walk's totals corrected by this pass's stats of the growing files; a
  // changed .urb/log or .urb/chk (a new epoch, another snapshot layout) asks for a walk.
  if (ship.size.walked) {
    if ((ship.stat_queued[kLogFolder] && ship.log_dir_slot.error == 0 &&
         mtimeNs(ship.log_dir_slot.stat) != ship.size.log_dir_mtime_ns) ||
        (ship.stat_queued[kChkFolder] && ship.chk_dir_slot.error == 0 &&
         mtimeNs(ship.chk_dir_slot.stat) != ship.size.chk_dir_mtime_ns)) {
      ship.walk_needed = true;
    }
    if (ship.refreshReplacedTracked(reader_.root())) ship.walk_needed = true;
    const PierSizeNow now = applyCheap(ship.size, ship.tracked_slots);
    if (evidence_ && ship.last_snapshot_bytes > 0 &&
        snapshotShrankClearly(ship.last_snapshot_bytes, now.snapshot_bytes,
                              options_.snapshot_shrink_ratio)) {
      evidence_->record(clock_.wallMs() / 1000, ship.pier, MaintenanceJob::kPack,
                        fmt::format("the snapshot shrinking from {} to {} bytes",
                                    ship.last_snapshot_bytes, now.snapshot_bytes));
    }
    if (now.snapshot_bytes > 0) ship.last_snapshot_bytes = now.snapshot_bytes;
    out.add(ship.handles[kPierBytes], "urbit_ship_pier_bytes",
            static_cast<double>(now.allocated_bytes), labels);
    out.add(ship.handles[kEventLogBytes], "urbit_ship_event_log_bytes",
            static_cast<double>(now.event_log_bytes), labels);
    out.add(ship.handles[kNewestEpochBytes], "urbit_ship_event_log_newest_epoch_bytes",
            static_cast<double>(now.newest_epoch_bytes), labels);
    out.add(ship.handles[kEpochs], "urbit_ship_event_log_epochs",
            static_cast<double>(ship.size.epochs), labels);
    out.add(ship.handles[kSnapshotBytes], "urbit_ship_snapshot_bytes",
            static_cast<double>(now.snapshot_bytes), labels);
    const double loom_bytes = std::ldexp(1.0, ship.loom_bits);
    out.add(ship.handles[kLoomBytes], "urbit_ship_loom_bytes", loom_bytes, labels);
    out.add(ship.handles[kLoomUse], "urbit_ship_loom_use_ratio",
            static_cast<double>(now.snapshot_bytes) / loom_bytes, labels);
  } else {
    ship.walk_needed = true;
    out.add(ship.handles[kLoomBytes], "urbit_ship_loom_bytes", std::ldexp(1.0, ship.loom_bits),
            labels);
  }

  writeSecondsSince(ship, labels, out);
  if (ship.log) {
    pollShipLog(ship);
    const std::tuple<std::string_view, uint64_t, SeriesIndex> kinds[] = {
        {"meme", ship.failures.meme, kMeme},
        {"mprotect", ship.failures.mprotect, kMprotect},
        {"mapping", ship.failures.mapping, kMapping}};
    for (const auto& [kind, count, index] : kinds) {
      const LabelView kind_labels[] = {{"ship", ship.name}, {"pier", ship.pier}, {"kind", kind}};
      out.add(ship.handles[index], "urbit_ship_memory_failures_total", static_cast<double>(count),
              kind_labels);
    }
  }
}

void ShipCollector::collectShipProcesses(Ship& ship, std::span<const LabelView> labels,
                                         SampleWriter& out) {
  // Processes: the king must still be the one discovered (same start time), else the
  // ship stopped (or restarted under a new PID, which the next scan finds).
  ProcessUsage king_usage, serf_usage;
  bool up = false;
  if (ship.king) {
    up = processUsage(*ship.king, ship.king_stat, king_usage);
    if (!up) {
      ship.king.reset();
      ship.serf.reset();
      rescan_requested_ = true;
    }
  }
  out.add(ship.handles[kUp], "urbit_ship_up", up ? 1 : 0, labels);
  if (up) {
    const bool serf_ok = ship.serf && processUsage(*ship.serf, ship.serf_stat, serf_usage);
    if (ship.serf && !serf_ok) {
      ship.serf.reset();  // the king restarts its serf; the next scan finds the new one
      rescan_requested_ = true;
    }
    const uint64_t rss_pages = king_usage.rss_pages + (serf_ok ? serf_usage.rss_pages : 0);
    const double cpu_seconds =
        static_cast<double>(king_usage.cpu_ns + (serf_ok ? serf_usage.cpu_ns : 0)) / 1e9;
    const std::pair<uint64_t, uint64_t> owner{king_usage.start_ticks,
                                              serf_ok ? serf_usage.start_ticks : 0};
    if (owner != ship.cpu_owner) {
      ship.cpu_owner = owner;
      ship.cpu_seconds_reported = 0;
    }
    ship.cpu_seconds_reported = std::max(ship.cpu_seconds_reported, cpu_seconds);
    out.add(ship.handles[kRss], "urbit_ship_rss_bytes",
            static_cast<double>(rss_pages) * static_cast<double>(page_bytes_), labels);
    out.add(ship.handles[kCpu], "urbit_ship_cpu_seconds_total", ship.cpu_seconds_reported,
            labels);
    if (serf_ok && maps_this_pass_ && ship.serf_maps.error == 0)
      ship.map_count = countLines(ship.serf_maps.data);
    // Read every 5 min and a few KB to MBs per serf: not kept resident in between.
    if (maps_this_pass_) std::string().swap(ship.serf_maps.data);
    if (!serf_ok) ship.map_count.reset();
    if (ship.map_count)
      out.add(ship.handles[kMapCount], "urbit_ship_serf_map_count",
              static_cast<double>(*ship.map_count), labels);

    if (ship.ports_queued) {
      ship.ports_needed = false;
      if (ship.ports.error == 0) {
        ParseProblems problems("ships", ship.ports_path);
        parseHttpPorts(ship.ports.data, ship.port_list, problems);
        problems.logTo(log_);
      } else {
        ship.port_list.clear();
      }
      ship.port_handles.assign(ship.port_list.size(), SeriesHandle{});
    }
    for (size_t i = 0; i < ship.port_list.size() && i < ship.port_handles.size(); ++i) {
      const HttpPort& port = ship.port_list[i];
      const LabelView port_labels[] = {{"ship", ship.name},
                                       {"pier", ship.pier},
                                       {"secure", port.secure ? "true" : "false"},
                                       {"scope", port.loopback ? "loopback" : "public"}};
      out.add(ship.port_handles[i], "urbit_ship_http_port", port.port, port_labels);
    }
  } else {
    ship.map_count.reset();
    ship.port_list.clear();
    ship.port_handles.clear();
    ship.ports_needed = true;
  }
}

void ShipCollector::pollShipLog(Ship& ship) {
  if (!ship.log_backlog_end) {
    struct stat log_stat {};
    ship.log_backlog_end = ::stat(ship.log->path().c_str(), &log_stat) == 0
                               ? static_cast<uint64_t>(log_stat.st_size)
                               : 0;
  }
  // A poll that starts inside the backlog reads only old lines (up to the tail's
  // per-poll bound, so a line just past the backlog may be missed as evidence).
  const bool backlog = ship.log->offset() < *ship.log_backlog_end;
  const uint64_t restarts = ship.log->restarts();
  const int error = ship.log->poll([&](std::string_view line) {
    countMemoryFailure(line, ship.failures);
    if (!evidence_ || backlog) return;
    if (const auto job = packOrMeldIn(line))
      evidence_->record(clock_.wallMs() / 1000, ship.pier, *job, "the ship's log");
  });
  // Truncated or replaced: what it holds from now on is new.
  if (ship.log->restarts() != restarts) ship.log_backlog_end = 0;
  if (error != 0) {
    log_.warn("ships:ship_log:" + ship.pier,
              fmt::format("ships: cannot read the log of {} at {}: {} (errno {}); memory "
                          "failure counts hold their last values",
                          ship.pier, ship.log->path(), std::strerror(error), error));
  }
}

void ShipCollector::writeSecondsSince(Ship& ship, std::span<const LabelView> labels,
                                      SampleWriter& out) {
  // The newest of what the agent ran (maintenance log) and what the files show.
  auto newest = [](std::optional<int64_t> a, std::optional<int64_t> b) {
    if (!a) return b;
    if (!b) return a;
    return std::optional<int64_t>(std::max(*a, *b));
  };
  std::optional<int64_t> pack, meld;
  if (maintenance_) {
    pack = maintenance_->lastPack(ship.pier);
    meld = maintenance_->lastMeld(ship.pier);
  }
  if (evidence_) {
    pack = newest(pack, evidence_->lastPack(ship.pier));
    meld = newest(meld, evidence_->lastMeld(ship.pier));
  }
  const double now_seconds = static_cast<double>(clock_.wallMs()) / 1000.0;
  if (pack)
    out.add(ship.handles[kSincePack], "urbit_ship_seconds_since_pack",
            std::max(0.0, now_seconds - static_cast<double>(*pack)), labels);
  if (meld)
    out.add(ship.handles[kSinceMeld], "urbit_ship_seconds_since_meld",
            std::max(0.0, now_seconds - static_cast<double>(*meld)), labels);
}

void ShipCollector::writeFilesystemAvail(SampleWriter& out) {
  // One statfs per filesystem, however many piers share it; a few filesystems at
  // most, so a linear search over reused storage (no allocation per pass).
  devices_.clear();
  for (auto& [pier, ship] : ships_) {
    if (ship->pier_slot.error != 0) continue;
    const DeviceAvail key{ship->pier_slot.stat.stx_dev_major, ship->pier_slot.stat.stx_dev_minor,
                          std::nullopt};
    auto it = std::find_if(devices_.begin(), devices_.end(), [&](const DeviceAvail& device) {
      return device.major == key.major && device.minor == key.minor;
    });
    if (it == devices_.end()) {
      devices_.push_back(key);
      it = devices_.end() - 1;
      FilesystemUsage usage;
      const std::pair<uint32_t, uint32_t> device{key.major, key.minor};
      const bool local =
          std::find(local_devices_.begin(), local_devices_.end(), device) != local_devices_.end();
      const int error = (local ? direct_statter_ : statter_).statfs(ship->resolved_pier, usage);
      if (error == 0) {
        it->avail_bytes = usage.avail_bytes;
        if (!local && isLocalSuperblockType(usage.type)) local_devices_.push_back(device);
      } else {
        log_.warn("ships:statfs:" + pier,
                  fmt::format("ships: statfs {}: {} (errno {}); no free space for the piers on "
                              "its filesystem this pass",
                              ship->resolved_pier, std::strerror(error), error));
      }
    }
    if (it->avail_bytes) {
      const LabelView labels[] = {{"ship", ship->name}, {"pier", ship->pier}};
      out.add(ship->handles[kFilesystemAvail], "urbit_ship_filesystem_avail_bytes",
              static_cast<double>(*it->avail_bytes), labels);
    }
  }
}

}  // namespace tidemark::agent
