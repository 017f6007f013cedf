// The controller's history: series, samples and host records in one RocksDB
// database. This is the simple layout (one key per sample); the compressed
// time-series engine replaces the sample layout behind the same interface.
//
// Threading: one writer (the ingest thread) and any number of readers (admin).
// Writes go through a WriteSet that is committed atomically with one WAL write;
// nothing is visible, and no in-memory cache changes, until commit succeeds.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/metrics/series.h"
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

struct SeriesQuery {
  std::string metric;
  std::string host;  // empty: every host
  std::vector<LabelMatcher> matchers;
  int64_t since_ms = 0;
  int64_t until_ms = INT64_MAX;
  uint32_t max_samples_per_series = 0;  // 0: all; else the newest N
};

struct SeriesResult {
  std::string host;
  std::string metric;
  Labels labels;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

class SampleStore;

// The pending writes of one group commit.
class WriteSet {
 public:
  size_t samples() const { return samples_; }

 private:
  friend class SampleStore;
  rocksdb::WriteBatch batch_;
  std::unordered_map<std::string, uint64_t> new_series_;       // series key -> id
  std::map<std::string, uint64_t> new_agent_series_;           // agent key -> id
  std::map<std::string, HostState> hosts_;                     // host -> state after commit
  uint64_t next_series_id_ = 0;
  size_t samples_ = 0;
};

class SampleStore {
 public:
  // Opens or creates the database at options.path. Throws StoreError naming the
  // path and RocksDB's status.
  static std::unique_ptr<SampleStore> open(const StoreOptions& options);
  ~SampleStore();

  WriteSet beginWrite() const;

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

  // The host's state as of `writes` (pending changes included); a fresh state when unknown.
  HostState& hostForWrite(WriteSet& writes, const std::string& host);

  // Writes everything atomically (one WAL write, synced per options). Returns an
  // empty string on success, else RocksDB's error; on failure nothing is applied.
  [[nodiscard]] std::string commit(WriteSet& writes);

  // Readers (thread-safe).
  std::vector<HostState> hosts() const;
  std::optional<HostState> host(const std::string& host) const;
  uint64_t seriesCount() const;
  uint64_t sampleCount() const;
  // Throws std::invalid_argument for an invalid regular expression in a matcher.
  std::vector<SeriesResult> query(const SeriesQuery& query) const;

  const std::string& path() const { return options_.path; }

 private:
  SampleStore(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
              std::vector<rocksdb::ColumnFamilyHandle*> handles);
  void loadState();

  StoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* series_cf_;
  rocksdb::ColumnFamilyHandle* samples_cf_;
  rocksdb::ColumnFamilyHandle* hosts_cf_;
  rocksdb::ColumnFamilyHandle* agent_series_cf_;

  // Writer-side caches (ingest thread only).
  std::unordered_map<std::string, uint64_t> series_ids_;
  std::unordered_map<std::string, uint64_t> agent_series_;
  uint64_t next_series_id_ = 1;

  // Host states are read by the admin thread too.
  mutable std::mutex hosts_mutex_;
  std::map<std::string, HostState> hosts_;
};

}  // namespace tidemark::controller
