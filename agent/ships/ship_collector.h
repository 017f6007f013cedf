// Collects the urbit_ship_* series for every ship on the host (names in
// README.md's Metrics section). Cheap per interval: a full process scan and full
// pier walks run on their own slower cadences; each interval reads only the known
// PIDs' CPU and memory (their /proc/PID/stat through the agent's batch, or one read of
// a BPF task iterator for all of them), .http.ports and a few statx.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/filesystem_statter.h"
#include "agent/io/cost_chooser.h"
#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "agent/ships/bpf_task_sampler.h"
#include "agent/ships/folder_watch.h"
#include "agent/ships/log_tail.h"
#include "agent/ships/maintenance_log.h"
#include "agent/ships/memory_failures.h"
#include "agent/ships/pack_evidence.h"
#include "agent/ships/pier_walk.h"
#include "agent/ships/ship_discovery.h"
#include "common/logging/throttled_log.h"
#include "common/time/clock.h"

namespace tidemark::agent {

// Where the kings' and serfs' CPU time, RSS and start time come from each pass.
enum class ProcessStatsSource : uint8_t {
  kAuto,          // measured on this host (cost_chooser.h): the cheaper of the two below
  kProc,          // each process's /proc/PID/stat, read through the pass's batch
  kTaskIterator,  // one read of a BPF task iterator for all of them (bpf_task_sampler.h)
};
// "auto", "proc" or "bpf"; nullopt for anything else.
std::optional<ProcessStatsSource> parseProcessStatsSource(std::string_view text);

struct ShipCollectorOptions {
  // Folders whose subfolders holding .urb/ are piers (reported down when not running).
  std::vector<std::string> pier_roots;
  // Ship log to count memory failures in, by pier path or ship name. Default: none.
  std::map<std::string, std::string> ship_logs;
  // The agent's maintenance log (STATE_DIR/maintenance.log); empty: none.
  std::string maintenance_log_path;
  // Where file evidence of packs and melds is kept (STATE_DIR/pack_evidence.log, see
  // pack_evidence.h); empty: no evidence is looked for.
  std::string pack_evidence_path;
  // A snapshot shrinking by at least this share between two passes is recorded as a
  // probable pack. Default: 0.2.
  double snapshot_shrink_ratio = 0.2;
  // Process scans (see ship_discovery.h: incremental, reading only new processes).
  // Also at once when a known PID disappears or a pier root changes. Default: 30 s.
  int64_t process_scan_interval_ms = 30'000;
  // Every Nth process scan reads every process's cmdline again (a process that
  // exec'd into urbit is found then). Default: 10, about every 5 min at 30 s.
  uint32_t full_process_scan_every = kDefaultFullScanEvery;
  // Full pier walks; in between only the growing files are statted. Default: 5 min.
  int64_t pier_walk_interval_ms = 300'000;
  // Serf map counts (/proc/PID/maps can be megabytes). Default: 5 min.
  int64_t map_count_interval_ms = 300'000;
  // Learn of changes to each pier folder, its .urb/log and its .urb/chk (which ask for
  // an .http.ports read or a walk) from inotify instead of a statx of each every pass.
  // Where inotify is refused, or its watch limit is hit, those folders are statted as
  // before. Default: true.
  bool watch_folders = true;
  // At most this many inotify watches (3 folders and the 1-3 tracked files per pier),
  // below the kernel's own limit; tests force the per-folder fallback with it. 0: as
  // many as the kernel allows. Default: 0.
  size_t max_folder_watches = 0;
  // The tracked files (newest event log, snapshot) are statted when their inotify
  // watch saw a change, and every this many passes anyway, for writers inotify does
  // not see (a shared mapping; another host writing over NFS). 1: every pass, as
  // without inotify. Default: 30.
  uint32_t tracked_stat_every_passes = 30;
  // Where process CPU, RSS and start times come from. The task iterator reads the live
  // kernel, so it is used only when the reader's root is "/", and only where the kernel
  // allows it (else /proc, with one log line saying why). Default: kAuto.
  ProcessStatsSource process_stats = ProcessStatsSource::kAuto;
  // kAuto's probes: /proc and the task iterator alternate pass by pass, each pass's
  // process CPU is compared. Both its period (probe + hold) and the io_uring hand-off
  // probe's are 616 passes, and this one starts after that one's first probe ends, so
  // the two never alternate on the same passes (which would charge one's costs to the
  // other's modes).
  CostChooserOptions process_stats_probe{.warmup_passes = 20, .probe_passes = 16,
                                         .hold_passes = 600};
  // Opens the task iterator; tests inject one that is refused. Empty: BpfTaskSampler::open.
  std::function<std::unique_ptr<BpfTaskSampler>(std::string& why)> open_task_sampler;
};

class ShipCollector final : public Collector {
 public:
  // `side_batch` serves the process scan and the pier walks, which need several
  // submissions within one pass; per-interval reads go through prepare()'s batch.
  ShipCollector(FileReader& reader, ReadBatch& side_batch, ThrottledLog& log, const Clock& clock,
                FilesystemStatter& statter, ShipCollectorOptions options);
  ~ShipCollector() override;

  std::string_view name() const override { return "ships"; }
  void prepare(ReadBatch& batch) override;
  void collect(SampleWriter& out) override;

  // How many full process scans and pier walks ran (for tests and cost reports).
  uint64_t processScans() const { return process_scans_; }
  // The process discovery, for its per-scan counts.
  const ShipDiscovery& discovery() const { return discovery_; }
  uint64_t pierWalks() const { return pier_walks_; }
  // Stats of tracked files queued so far (for tests and the agent's own cost).
  uint64_t trackedStats() const { return tracked_stats_; }
  // Times the folder fds and watches of the ship at `pier` were (re)opened (0 for a
  // pier not known).
  uint64_t folderOpens(const std::string& pier) const;
  // inotify watches now: pier folders and tracked files (0 when it is off or refused).
  size_t folderWatches() const { return watch_ ? watch_->watches() : 0; }
  // Where the last pass read process stats from (kProc or kTaskIterator).
  ProcessStatsSource lastProcessStatsSource() const { return pass_source_; }
  // The process-stats chooser, for its medians (meaningful with kAuto and the iterator open).
  const CostChooser<ProcessStatsSource>& processStatsChooser() const { return source_chooser_; }

 private:
  struct Ship;
  void rescan();
  // Adds an inotify watch of `path` (kNoWatch when refused); the kernel's watch limit
  // is logged, throttled, for folders and files apart.
  int addWatch(const std::string& path, FolderWatch::Target target);
  void rewatch(Ship& ship);
  // Watches the files a walk tracks, after the walk opened them.
  void rewatchTracked(Ship& ship);
  // Whether tracked file `index` is statted this pass: its watch saw an event, it has
  // none, or the pass count says so.
  bool trackedStatDue(Ship& ship, size_t index, bool every) const;
  // True when the ship's folder fds and watches can be kept at a scan: all open and
  // watched, with no event since they were opened.
  bool foldersSteady(const Ship& ship) const;
  void pollFolderWatch();
  void applyFolderChanges();
  void walk(int64_t now_ms);
  void collectShip(Ship& ship, SampleWriter& out);
  // Up, RSS, CPU, map count and HTTP ports.
  void collectShipProcesses(Ship& ship, std::span<const LabelView> labels, SampleWriter& out);
  // This pass's view of one of a ship's processes: from its stat slot or from the task
  // iterator. False when the process is gone (or another has its PID).
  bool processUsage(const ShipProcess& process, const ReadSlot& stat_slot,
                    ProcessUsage& usage) const;
  void openTaskSampler();
  ProcessStatsSource sourceForPass() const;
  void trackProcesses();
  void sampleTasks();
  void recordPassCost();
  void pollShipLog(Ship& ship);
  void writeSecondsSince(Ship& ship, std::span<const LabelView> labels, SampleWriter& out);
  void writeFilesystemAvail(SampleWriter& out);

  FileReader& reader_;
  ThrottledLog& log_;
  const Clock& clock_;
  FilesystemStatter& statter_;
  ShipCollectorOptions options_;
  std::unique_ptr<FolderWatch> watch_;  // null: inotify off or refused
  ShipDiscovery discovery_;
  PierWalker walker_;
  std::optional<MaintenanceLog> maintenance_;
  std::optional<PackEvidenceLog> evidence_;
  std::map<std::string, std::unique_ptr<Ship>> ships_;  // by pier path; stable addresses
  struct DeviceAvail {
    uint32_t major = 0;
    uint32_t minor = 0;
    std::optional<uint64_t> avail_bytes;
  };
  std::vector<DeviceAvail> devices_;  // this pass's statfs per filesystem
  // Filesystems whose first statfs (through statter_) named a local superblock type:
  // statted directly from then on, without the timeout thread's hand-off. Learnt
  // again at every full walk, since a device number can be reused by another mount.
  std::vector<std::pair<uint32_t, uint32_t>> local_devices_;
  StatvfsStatter direct_statter_;
  std::vector<StatSlot> root_slots_;
  std::vector<uint64_t> root_mtimes_ns_;
  ReadSlot max_map_count_slot_;
  std::optional<int64_t> last_scan_ms_;
  std::optional<int64_t> last_walk_ms_;
  std::optional<int64_t> last_maps_ms_;
  bool rescan_requested_ = true;
  bool maps_this_pass_ = false;
  uint64_t process_scans_ = 0;
  uint64_t pier_walks_ = 0;
  uint64_t tracked_stats_ = 0;
  int64_t ticks_per_second_;
  int64_t page_bytes_;
  std::unique_ptr<BpfTaskSampler> task_sampler_;  // null: /proc only
  CostChooser<ProcessStatsSource> source_chooser_;
  ProcessStatsSource pass_source_ = ProcessStatsSource::kProc;
  // The task iterator failed this pass: the process series sit it out.
  bool process_stats_missing_ = false;
  int64_t pass_started_cpu_ns_ = 0;
  std::vector<int32_t> tracked_pids_;  // scratch for trackProcesses()
  SeriesHandle source_handles_[2];     // tidemark_agent_process_stats_source: proc, bpf
};

}  // namespace tidemark::agent
