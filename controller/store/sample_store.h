// The controller's history: a time-series engine inside one RocksDB database.
//
// * Series index: `series` maps (host, metric, labels) to an id and back; the whole
//   index is also held in memory (SeriesCatalog) with postings by metric and host.
// * Samples: each series has an in-memory head (a compressed open chunk); when it
//   holds `chunk_samples` samples, or spans `max_chunk_span_ms`, it is sealed into
//   `chunks` (key: series id, start, uniquifier; value: a compressed chunk, see
//   chunk/). Head samples are made durable by the `head_log` record written in the
//   same RocksDB write as the rest of the commit (so they are in the WAL before the
//   ack) and replayed on open. Samples older than a series' newest (late or
//   backfilled) are written straight into chunks of their own.
// * Rollups: `rollups` holds 5 min and 1 h (min, max, sum, count, last) per series,
//   built from raw data as windows complete (rollup_builder.h).
// * State: small records of the controller's own subsystems (trigger states), under
//   a key prefix per subsystem, kept across restarts.
// * Tuning: the tuning service's proposals, audit log, knob reports and counters
//   (controller/tuning/tuning_store.h), in a column family of its own because the
//   audit log only grows.
// * Retention per resolution by compaction filters (retention_filter.h).
//
// Threading: writers take turns (a WriteSet holds the write lock from beginWrite to
// commit); any number of readers. Nothing is visible, and no in-memory state
// changes, until commit succeeds.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/metrics/series.h"
#include "controller/store/series_catalog.h"
#include "controller/store/store_options.h"

namespace tidemark::controller {

struct HostState {
  std::string host;
  uint64_t epoch = 0;
  uint64_t last_sequence = 0;
  int64_t last_seen_ms = 0;
  uint64_t series = 0;
  uint64_t samples = 0;
  std::string agent_version;
  std::string boot_id;
  uint32_t interval_ms = 0;
  std::vector<std::pair<std::string, std::string>> facts;
};

struct LabelMatcher {
  enum class Op { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };
  std::string name;
  std::string value;
  Op op = Op::kEqual;
};

enum class Aggregation { kNone, kMin, kMax, kAvg, kSum, kLast, kCount };

struct RollupBucket;
// A bucket's value under `aggregation` (kNone with a step: the average): the one rule
// every history backend follows, so rollups and remote queries give the same points.
double aggregateBucket(const RollupBucket& bucket, Aggregation aggregation);

struct SeriesQuery {
  std::string metric;
  std::string host;  // empty: every host
  std::vector<LabelMatcher> matchers;
  int64_t since_ms = 0;
  int64_t until_ms = INT64_MAX;
  uint32_t max_samples_per_series = 0;  // 0: all; else the newest N
  // With a step, samples are aggregated into step-aligned buckets (timestamp = the
  // bucket's start); steps of 5 min or more read the rollups where they exist.
  int64_t step_ms = 0;
  Aggregation aggregation = Aggregation::kNone;  // kNone with a step means kAvg
  // Only the newest sample of each series (since/until still bound it). Callers that
  // only want last values should call lastValues(): no per-series allocation.
  bool last_only = false;
};

struct SeriesResult {
  std::string host;
  std::string metric;
  Labels labels;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

// The newest sample of one series, as SampleStore::lastValues returns it. The views
// point into the store's series catalog and stay valid as long as the store; labels
// are decoded only by whoever renders them.
struct LastValue {
  uint64_t series_id = 0;
  std::string_view host;
  std::string_view metric;
  std::string_view encoded_labels;  // keys::seriesKey's label bytes (keys::nextLabel reads them)
  int64_t timestamp_ms = 0;
  double value = 0;

  Labels labels() const;
  // The value of label `name`; empty when absent.
  std::string_view label(std::string_view name) const;
};

class SampleStore;
struct SeriesHead;

// One sample of a commit, as a commit listener sees it (SampleStore::setCommitListener).
struct CommittedSample {
  uint64_t series_id;
  int64_t timestamp_ms;
  double value;
};

// The pending writes of one group commit. Holds the store's write lock.
class WriteSet {
 public:
  size_t samples() const { return samples_.size(); }

 private:
  friend class SampleStore;
  using PendingSample = CommittedSample;
  std::unique_lock<std::mutex> lock_;
  rocksdb::WriteBatch batch_;
  std::vector<PendingSample> samples_;
  std::unordered_map<std::string, uint64_t> new_series_;       // series key -> id
  std::map<std::string, uint64_t> new_agent_series_;           // agent key -> id
  struct AgentMapping {
    std::string host;
    uint64_t epoch;
    uint32_t agent_series_id;
    uint64_t series_id;
  };
  std::vector<AgentMapping> agent_mappings_;  // the same, for the writer's tables
  std::map<std::string, HostState> hosts_;                     // host -> state after commit
  uint64_t next_series_id_ = 0;
};

class SampleStore {
 public:
  // Opens or creates the database at options.path. Throws StoreError naming the
  // path and RocksDB's status.
  static std::unique_ptr<SampleStore> open(const StoreOptions& options);
  ~SampleStore();

  // Waits for the write lock (held until commit or until the WriteSet is destroyed).
  WriteSet beginWrite();

  // The id of the series (host, name, labels), created in `writes` when new.
  // `labels` must be sorted by name.
  uint64_t resolveSeries(WriteSet& writes, const std::string& host, std::string_view name,
                         const Labels& labels);

  // The id of the series when it exists, committed or pending in `writes`; unlike
  // resolveSeries it never creates one. `labels` must be sorted by name.
  std::optional<uint64_t> findSeries(const WriteSet& writes, const std::string& host,
                                     std::string_view name, const Labels& labels) const;

  // Maps an agent's own series id (unique in its epoch) to a stored series.
  void mapAgentSeries(WriteSet& writes, const std::string& host, uint64_t epoch,
                      uint32_t agent_series_id, uint64_t series_id);
  // The stored series for an agent's id, seen through `writes`; nullopt when unknown.
  std::optional<uint64_t> agentSeries(const WriteSet& writes, const std::string& host,
                                      uint64_t epoch, uint32_t agent_series_id) const;

  void appendSample(WriteSet& writes, uint64_t series_id, int64_t timestamp_ms, double value);
  // Room for `count` more samples in `writes`, for a caller that knows how many it adds
  // (an import request): one allocation instead of a copy at each doubling.
  void reserveSamples(WriteSet& writes, size_t count);
  // Many samples of one series, oldest first (import, backfill).
  void appendSamples(WriteSet& writes, uint64_t series_id, std::span<const int64_t> timestamps_ms,
                     std::span<const double> values);

  // The host's state as of `writes` (pending changes included); a fresh state when unknown.
  HostState& hostForWrite(WriteSet& writes, const std::string& host);

  // Writes everything atomically (one WAL write, synced per options). Returns an
  // empty string on success, else RocksDB's error; on failure nothing is applied.
  [[nodiscard]] std::string commit(WriteSet& writes);

  // Called by commit() after every successful write with that commit's samples
  // (grouped by series id, each series' samples in the order they were added), while
  // the write lock is still held: listeners see commits in commit order and must be
  // quick (remote write copies them into its own queue) and must not write to the
  // store. One listener; set it before the first commit.
  using CommitListener = std::function<void(std::span<const CommittedSample>)>;
  void setCommitListener(CommitListener listener) { commit_listener_ = std::move(listener); }

  // Readers (thread-safe).
  // The series' host, metric and labels; false when the id is unknown.
  bool describeSeries(uint64_t series_id, SeriesDescription& out) const {
    return catalog_.describe(series_id, out);
  }
  std::vector<HostState> hosts() const;
  std::optional<HostState> host(const std::string& host) const;
  uint64_t seriesCount() const;
  uint64_t sampleCount() const;
  // Throws std::invalid_argument for an invalid regular expression in a matcher.
  std::vector<SeriesResult> query(const SeriesQuery& query) const;
  // The newest sample in [since_ms, until_ms] of each series `query` selects (metric,
  // host, matchers; its other fields are ignored), sorted by (host, labels) like
  // query(); series without a sample in range are left out. Reads a series' head
  // when it holds a sample in range, else seeks back from its newest chunk. Throws
  // std::invalid_argument for an invalid regular expression, StoreError for a
  // corrupt chunk (naming the series).
  std::vector<LastValue> lastValues(const SeriesQuery& query) const;

  // Seals every head into chunks and compacts the whole database (bulk loads,
  // benchmarks, before a backup). Returns RocksDB's error, empty on success.
  [[nodiscard]] std::string compact();
  // Bytes of live SST files per column family, and their sum under "total".
  std::map<std::string, uint64_t> diskUsage() const;
  // Bytes the heads hold in memory (chunk buffers and bookkeeping).
  uint64_t headBytes() const;

  // Every state record whose key starts with `prefix`, in key order. Throws StoreError.
  std::vector<std::pair<std::string, std::string>> readState(std::string_view prefix) const;
  // Deletes then puts state records in one write (synced like a commit). Returns
  // RocksDB's error, empty on success; on failure nothing is applied.
  [[nodiscard]] std::string writeState(const std::vector<std::pair<std::string, std::string>>& puts,
                                       const std::vector<std::string>& deletes);

  // The same two for the `tuning` column family. With `newest` > 0 readTuning returns
  // only the last `newest` records under the prefix, newest (highest key) first.
  std::vector<std::pair<std::string, std::string>> readTuning(std::string_view prefix,
                                                              size_t newest = 0) const;
  [[nodiscard]] std::string writeTuning(const std::vector<std::pair<std::string, std::string>>& puts,
                                        const std::vector<std::string>& deletes);

  const std::string& path() const { return options_.path; }
  const StoreOptions& options() const { return options_; }

 private:
  SampleStore(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
              std::vector<rocksdb::ColumnFamilyHandle*> handles);
  void loadState();
  void replayHeadLog();
  // Deletes the head-log records every head has sealed past.
  void truncateHeadLog();
  int64_t nowMs() const;
  SeriesHead* head(uint64_t series_id) const;
  SeriesHead& headForWrite(uint64_t series_id);
  // Adds the chunk puts, rollups, head marks and the head-log record of `writes` to its
  // batch (the next-commit counter is the caller's); leaves the heads to install after a
  // successful write in `prepared`. Throws on a chunk the codec refuses; the commit must
  // then be dropped whole. Big commits are prepared in parts on several threads
  // (sample_store_prepare.cc).
  struct PreparedHeads;
  struct PreparedPart;
  void prepareSamples(WriteSet& writes, PreparedHeads& prepared, bool seal_all_heads);
  // The samples of one part, grouped by series (each series in this part only).
  void prepareSeries(PreparedPart& part, PreparedPart& flushed,
                     std::span<const CommittedSample> pending, uint64_t commit);
  // Seals the head `current` plus `ts`/`values` (in order, newer than the head): full
  // chunks are written, the rest becomes the series' new head (everything when
  // `everything`).
  void sealHead(PreparedPart& part, uint64_t series_id, const SeriesHead* current,
                std::span<const int64_t> ts, std::span<const double> values, bool everything,
                uint64_t commit);
  void putChunk(PreparedPart& part, uint64_t series_id, std::span<const int64_t> timestamps_ms,
                std::span<const double> values, uint64_t uniquifier);
  // Chunks of at most chunk_samples (and the span limit) for a sorted run, and its rollups.
  void putChunks(PreparedPart& part, uint64_t series_id, std::span<const int64_t> timestamps_ms,
                 std::span<const double> values, uint64_t uniquifier);
  // The samples of one series in [since, until], oldest first; `snapshot` and the
  // head copy must be taken together under heads_mutex_.
  void readSeries(uint64_t series_id, int64_t since_ms, int64_t until_ms,
                  const rocksdb::Snapshot* snapshot, std::vector<int64_t>& timestamps_ms,
                  std::vector<double>& values) const;

  // The newest sample of a series' chunks in [since, until] (raw retention applied by
  // the caller); false when there is none.
  bool newestChunkSample(uint64_t series_id, int64_t since_ms, int64_t until_ms,
                         const rocksdb::Snapshot* snapshot, int64_t& timestamp_ms,
                         double& value) const;

  StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* series_cf_;
  rocksdb::ColumnFamilyHandle* chunks_cf_;
  rocksdb::ColumnFamilyHandle* head_log_cf_;
  rocksdb::ColumnFamilyHandle* head_meta_cf_;
  rocksdb::ColumnFamilyHandle* rollups_cf_;
  rocksdb::ColumnFamilyHandle* hosts_cf_;
  rocksdb::ColumnFamilyHandle* agent_series_cf_;
  rocksdb::ColumnFamilyHandle* state_cf_;
  rocksdb::ColumnFamilyHandle* tuning_cf_;
  std::vector<std::pair<std::string, std::string>> readRecords(rocksdb::ColumnFamilyHandle* family,
                                                               std::string_view prefix,
                                                               size_t newest) const;
  std::string writeRecords(rocksdb::ColumnFamilyHandle* family,
                           const std::vector<std::pair<std::string, std::string>>& puts,
                           const std::vector<std::string>& deletes);

  std::mutex write_mutex_;  // one WriteSet at a time
  CommitListener commit_listener_;
  SeriesCatalog catalog_;
  // Writer-side state (under write_mutex_).
  // Per host: the agent series ids of its current epoch, dense (agents number their
  // series 1, 2, ...); 0 where unknown. One string hash per lookup instead of a
  // key built and hashed into a map of every agent series of the fleet.
  struct AgentSeriesTable {
    uint64_t epoch = 0;
    std::vector<uint64_t> series_ids;
  };
  mutable std::unordered_map<std::string, AgentSeriesTable> agent_tables_;
  void rememberAgentSeries(const std::string& host, uint64_t epoch, uint32_t agent_series_id,
                           uint64_t series_id) const;
  uint64_t next_series_id_ = 1;
  // The pending-samples array of the last commit, cleared, lent to the next WriteSet:
  // big commits (import requests) reuse its pages instead of growing a fresh array
  // (copies and page faults were a fifth of an import's commit thread).
  std::vector<CommittedSample> spare_samples_;
  uint64_t next_commit_ = 1;         // head-log record number, also the chunk uniquifier
  uint64_t head_log_deleted_to_ = 0;  // records below this are deleted
  int64_t last_flush_ms_ = 0;
  bool flush_forced_ = false;  // compact(): seal every head in the next commit
  uint64_t flush_mark_ = 0;  // heads whose oldest sample is logged before this get sealed

  // Heads, indexed by series id; replaced only under heads_mutex_ held exclusively,
  // which readers share to copy a consistent view together with a DB snapshot.
  mutable std::shared_mutex heads_mutex_;
  std::vector<std::unique_ptr<SeriesHead>> heads_;

  // Host states are read by the admin thread too.
  mutable std::mutex hosts_mutex_;
  std::map<std::string, HostState> hosts_;
};

}  // namespace tidemark::controller
