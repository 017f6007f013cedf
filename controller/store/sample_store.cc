#include "controller/store/sample_store.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include <spdlog/spdlog.h>

#include <chrono>
#include <limits>

#include "common/errors/error.h"
#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/head_log.h"
#include "controller/store/host_record_codec.h"
#include "controller/store/key_codec.h"
#include "controller/store/prepared_heads.h"
#include "controller/store/retention_filter.h"
#include "controller/store/rollups.h"
#include "controller/store/series_head.h"

namespace tidemark::controller {

namespace {

constexpr const char* kSeriesFamily = "series";
constexpr const char* kChunksFamily = "chunks";
constexpr const char* kHeadLogFamily = "head_log";
constexpr const char* kHeadMetaFamily = "head_meta";
constexpr const char* kRollupsFamily = "rollups";
constexpr const char* kHostsFamily = "hosts";
constexpr const char* kAgentSeriesFamily = "agent_series";
constexpr const char* kStateFamily = "state";
constexpr const char* kTuningFamily = "tuning";
constexpr const char* kNextSeriesIdKey = "next_series_id";
constexpr const char* kNextCommitKey = "next_commit";

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw StoreError(what + ": " + status.ToString());
}

std::string u64Bytes(uint64_t value) {
  std::string out;
  keys::appendU64(out, value);
  return out;
}

rocksdb::ColumnFamilyOptions smallFamily() {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kLZ4Compression;
  return options;
}

// Sealed chunks are most of the bytes. They are bit-packed already; ZSTD over a
// 64 KiB block of one series' consecutive chunks still takes a share (measured in
// bench/README.md), and costs little because chunks are read a block at a time.
// Upper levels use LZ4: they are rewritten soon anyway.
rocksdb::ColumnFamilyOptions chunkFamily(std::shared_ptr<rocksdb::CompactionFilterFactory> filter) {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kLZ4Compression;
  options.bottommost_compression = rocksdb::kZSTD;
  options.bottommost_compression_opts.level = 3;
  options.bottommost_compression_opts.enabled = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 * 1024;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.compaction_filter_factory = std::move(filter);
  // Cold files are rewritten (and their expired chunks dropped) at least daily.
  options.periodic_compaction_seconds = 24 * 3600;
  return options;
}

// Head-log records live minutes to an hour and are deleted by range: no compression.
rocksdb::ColumnFamilyOptions headLogFamily() {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kNoCompression;
  return options;
}

int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::unique_ptr<SampleStore> SampleStore::open(const StoreOptions& options) {
  if (options.path.empty()) throw StoreError("store path is empty");
  if (options.chunk_samples < 2 || options.max_chunk_span_ms <= 0) {
    throw StoreError("store options: chunk_samples must be at least 2 and max_chunk_span positive");
  }
  StoreOptions resolved = options;
  if (!resolved.now_ms) resolved.now_ms = wallClockMs;

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;

  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options.path, &existing).ok() &&
      std::find(existing.begin(), existing.end(), "samples") != existing.end()) {
    throw StoreError("the store at " + options.path +
                     " was written by Tidemark's first, one-key-per-sample layout, which this "
                     "version does not read; move it away (or export it with `tidemark query "
                     "--json` and import it) and start with an empty data dir");
  }

  auto raw_filter = std::make_shared<RetentionFilterFactory>(
      RetentionRule{resolved.raw_retention_ms, resolved.max_chunk_span_ms}, resolved.now_ms,
      "tidemark.raw_retention");
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, smallFamily()},
      {kSeriesFamily, smallFamily()},
      {kChunksFamily, chunkFamily(raw_filter)},
      {kHeadLogFamily, headLogFamily()},
      {kHeadMetaFamily, smallFamily()},
      {kRollupsFamily, rollupFamilyOptions(resolved)},
      {kHostsFamily, smallFamily()},
      {kAgentSeriesFamily, smallFamily()},
      {kStateFamily, smallFamily()},
      {kTuningFamily, smallFamily()},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
  if (!status.ok()) {
    throw StoreError("cannot open the store at " + options.path + ": " + status.ToString());
  }
  auto store = std::unique_ptr<SampleStore>(
      new SampleStore(resolved, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
  store->loadState();
  return store;
}

SampleStore::SampleStore(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                         std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(options), db_(std::move(db)), handles_(std::move(handles)) {
  series_cf_ = handles_[1];
  chunks_cf_ = handles_[2];
  head_log_cf_ = handles_[3];
  head_meta_cf_ = handles_[4];
  rollups_cf_ = handles_[5];
  hosts_cf_ = handles_[6];
  agent_series_cf_ = handles_[7];
  state_cf_ = handles_[8];
  tuning_cf_ = handles_[9];
}

SampleStore::~SampleStore() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

int64_t SampleStore::nowMs() const { return options_.now_ms(); }

void SampleStore::loadState() {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), kNextSeriesIdKey, &value);
  if (status.ok()) {
    next_series_id_ = keys::readU64(value);
  } else if (!status.IsNotFound()) {
    check(status, "reading the series counter in " + options_.path);
  }
  status = db_->Get(rocksdb::ReadOptions(), kNextCommitKey, &value);
  if (status.ok()) {
    next_commit_ = keys::readU64(value);
  } else if (!status.IsNotFound()) {
    check(status, "reading the commit counter in " + options_.path);
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), series_cf_));
    for (it->Seek("k"); it->Valid() && it->key().starts_with("k"); it->Next()) {
      catalog_.add(keys::readU64(it->value().ToStringView()), it->key().ToString());
    }
    check(it->status(), "loading the series index from " + options_.path);
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), hosts_cf_));
    std::lock_guard lock(hosts_mutex_);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      HostState state = decodeHostRecord(it->value().ToStringView());
      hosts_[state.host] = std::move(state);
    }
    check(it->status(), "loading host records from " + options_.path);
  }
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), head_meta_cf_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8 || it->value().size() != 8) continue;
      headForWrite(keys::readU64(it->key().ToStringView())).sealed_through_ms =
          keys::readTimestamp(it->value().ToStringView());
    }
    check(it->status(), "loading head marks from " + options_.path);
  }
  replayHeadLog();
  last_flush_ms_ = nowMs();
  flush_mark_ = next_commit_;
}

std::vector<std::pair<std::string, std::string>> SampleStore::readState(
    std::string_view prefix) const {
  return readRecords(state_cf_, prefix, 0);
}

std::string SampleStore::writeState(const std::vector<std::pair<std::string, std::string>>& puts,
                                    const std::vector<std::string>& deletes) {
  return writeRecords(state_cf_, puts, deletes);
}

std::vector<std::pair<std::string, std::string>> SampleStore::readTuning(std::string_view prefix,
                                                                         size_t newest) const {
  return readRecords(tuning_cf_, prefix, newest);
}

std::string SampleStore::writeTuning(const std::vector<std::pair<std::string, std::string>>& puts,
                                     const std::vector<std::string>& deletes) {
  return writeRecords(tuning_cf_, puts, deletes);
}

std::vector<std::pair<std::string, std::string>> SampleStore::readRecords(
    rocksdb::ColumnFamilyHandle* family, std::string_view prefix, size_t newest) const {
  std::vector<std::pair<std::string, std::string>> records;
  const rocksdb::Slice start(prefix.data(), prefix.size());
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family));
  if (newest == 0) {
    for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
      records.emplace_back(it->key().ToString(), it->value().ToString());
    }
  } else {
    // Past every key under the prefix: keys here are far shorter than 64 bytes.
    const std::string end = std::string(prefix) + std::string(64, '\xff');
    for (it->SeekForPrev(end); it->Valid() && it->key().starts_with(start) && records.size() < newest;
         it->Prev()) {
      records.emplace_back(it->key().ToString(), it->value().ToString());
    }
  }
  check(it->status(), "reading " + family->GetName() + " records '" + std::string(prefix) +
                          "' from " + options_.path);
  return records;
}

std::string SampleStore::writeRecords(rocksdb::ColumnFamilyHandle* family,
                                      const std::vector<std::pair<std::string, std::string>>& puts,
                                      const std::vector<std::string>& deletes) {
  rocksdb::WriteBatch batch;
  for (const auto& key : deletes) batch.Delete(family, key);
  for (const auto& [key, value] : puts) batch.Put(family, key, value);
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  auto status = db_->Write(write_options, &batch);
  return status.ok() ? "" : status.ToString();
}

void SampleStore::replayHeadLog() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), head_log_cf_));
  std::vector<HeadLogRun> runs;
  bool first = true;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const uint64_t record = keys::readU64(it->key().ToStringView());
    if (first) head_log_deleted_to_ = record;
    first = false;
    if (!decodeHeadLogRecord(it->value().ToStringView(), runs)) {
      // A record is written whole in one RocksDB write, so damage here is the
      // disk's; the samples of other records are still good.
      spdlog::error("store {}: head-log record {} is damaged; its samples are lost", options_.path,
                    record);
      continue;
    }
    for (const auto& run : runs) {
      SeriesHead& head = headForWrite(run.series_id);
      for (size_t i = 0; i < run.timestamps_ms.size(); ++i) {
        // Sealed already, or logged twice (a head's remainder is logged again when
        // it is carried over a seal).
        if (run.timestamps_ms[i] <= head.newestMs()) continue;
        if (head.empty()) head.first_log = record;
        head.chunk.append(run.timestamps_ms[i], run.values[i]);
      }
    }
    next_commit_ = std::max(next_commit_, record + 1);
  }
  check(it->status(), "replaying the head log of " + options_.path);
}

SeriesHead* SampleStore::head(uint64_t series_id) const {
  return series_id < heads_.size() ? heads_[series_id].get() : nullptr;
}

SeriesHead& SampleStore::headForWrite(uint64_t series_id) {
  if (series_id >= heads_.size()) {
    heads_.resize(std::max<size_t>(series_id + 1, heads_.size() * 3 / 2));
  }
  if (!heads_[series_id]) heads_[series_id] = std::make_unique<SeriesHead>();
  return *heads_[series_id];
}

WriteSet SampleStore::beginWrite() {
  WriteSet writes;
  writes.lock_ = std::unique_lock(write_mutex_);
  writes.samples_ = std::move(spare_samples_);
  writes.samples_.clear();
  writes.next_series_id_ = next_series_id_;
  return writes;
}

uint64_t SampleStore::resolveSeries(WriteSet& writes, const std::string& host,
                                    std::string_view name, const Labels& labels) {
  std::string key = keys::seriesKey(host, name, labels);
  if (auto id = catalog_.find(key)) return *id;
  if (auto it = writes.new_series_.find(key); it != writes.new_series_.end()) return it->second;
  uint64_t id = writes.next_series_id_++;
  writes.batch_.Put(series_cf_, key, u64Bytes(id));
  writes.batch_.Put(series_cf_, "i" + u64Bytes(id), key);
  writes.batch_.Put(kNextSeriesIdKey, u64Bytes(writes.next_series_id_));
  writes.new_series_.emplace(std::move(key), id);
  hostForWrite(writes, host).series += 1;
  return id;
}

std::optional<uint64_t> SampleStore::findSeries(const WriteSet& writes, const std::string& host,
                                                std::string_view name,
                                                const Labels& labels) const {
  std::string key = keys::seriesKey(host, name, labels);
  if (auto id = catalog_.find(key)) return id;
  if (auto it = writes.new_series_.find(key); it != writes.new_series_.end()) return it->second;
  return std::nullopt;
}

void SampleStore::mapAgentSeries(WriteSet& writes, const std::string& host, uint64_t epoch,
                                 uint32_t agent_series_id, uint64_t series_id) {
  std::string key = keys::agentSeriesKey(host, epoch, agent_series_id);
  writes.batch_.Put(agent_series_cf_, key, u64Bytes(series_id));
  writes.new_agent_series_[std::move(key)] = series_id;
  writes.agent_mappings_.push_back({host, epoch, agent_series_id, series_id});
}

void SampleStore::rememberAgentSeries(const std::string& host, uint64_t epoch,
                                      uint32_t agent_series_id, uint64_t series_id) const {
  AgentSeriesTable& table = agent_tables_[host];
  if (table.epoch != epoch) {
    // A new epoch numbers its series afresh; the old epoch's batches are refused.
    table.epoch = epoch;
    table.series_ids.clear();
  }
  // Ids are small and dense; a wild one (a hostile agent) stays on the slow path.
  if (agent_series_id >= 1'000'000) return;
  if (table.series_ids.size() <= agent_series_id) table.series_ids.resize(agent_series_id + 1, 0);
  table.series_ids[agent_series_id] = series_id;
}

std::optional<uint64_t> SampleStore::agentSeries(const WriteSet& writes, const std::string& host,
                                                 uint64_t epoch, uint32_t agent_series_id) const {
  if (!writes.new_agent_series_.empty()) {
    auto it = writes.new_agent_series_.find(keys::agentSeriesKey(host, epoch, agent_series_id));
    if (it != writes.new_agent_series_.end()) return it->second;
  }
  if (auto table = agent_tables_.find(host); table != agent_tables_.end() &&
                                             table->second.epoch == epoch &&
                                             agent_series_id < table->second.series_ids.size() &&
                                             table->second.series_ids[agent_series_id] != 0) {
    return table->second.series_ids[agent_series_id];
  }
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), agent_series_cf_,
                         keys::agentSeriesKey(host, epoch, agent_series_id), &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "looking up an agent series in " + options_.path);
  const uint64_t id = keys::readU64(value);
  rememberAgentSeries(host, epoch, agent_series_id, id);
  return id;
}

void SampleStore::appendSample(WriteSet& writes, uint64_t series_id, int64_t timestamp_ms,
                               double value) {
  writes.samples_.push_back({series_id, timestamp_ms, value});
}

void SampleStore::reserveSamples(WriteSet& writes, size_t count) {
  writes.samples_.reserve(writes.samples_.size() + count);
}

void SampleStore::appendSamples(WriteSet& writes, uint64_t series_id,
                                std::span<const int64_t> timestamps_ms,
                                std::span<const double> values) {
  const size_t count = std::min(timestamps_ms.size(), values.size());
  // Geometric growth: reserving exactly size + count would copy everything pending at
  // each series of a big import request.
  if (writes.samples_.capacity() < writes.samples_.size() + count) {
    writes.samples_.reserve(std::max(writes.samples_.size() + count, writes.samples_.capacity() * 2));
  }
  for (size_t i = 0; i < count; ++i) writes.samples_.push_back({series_id, timestamps_ms[i], values[i]});
}

HostState& SampleStore::hostForWrite(WriteSet& writes, const std::string& host) {
  auto it = writes.hosts_.find(host);
  if (it != writes.hosts_.end()) return it->second;
  HostState state;
  {
    std::lock_guard lock(hosts_mutex_);
    if (auto existing = hosts_.find(host); existing != hosts_.end()) state = existing->second;
  }
  state.host = host;
  return writes.hosts_.emplace(host, std::move(state)).first->second;
}

std::string SampleStore::commit(WriteSet& writes) {
  const int64_t now = nowMs();
  const bool flush_due = flush_forced_ || (options_.head_flush_interval_ms > 0 &&
                                           now - last_flush_ms_ >= options_.head_flush_interval_ms);
  PreparedHeads prepared;
  try {
    prepareSamples(writes, prepared, flush_due);
  } catch (const std::exception& e) {
    return std::string("preparing chunks: ") + e.what();
  }
  writes.batch_.Put(kNextCommitKey, u64Bytes(next_commit_ + 1));
  for (const auto& [host, state] : writes.hosts_) {
    writes.batch_.Put(hosts_cf_, host, encodeHostRecord(state));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  {
    // Readers copy heads and take a DB snapshot under the shared lock: they see the
    // state before this write or after it, never a chunk both sealed and in the head.
    std::unique_lock heads_lock(heads_mutex_);
    auto status = db_->Write(write_options, &writes.batch_);
    if (!status.ok()) return status.ToString();
    for (auto& part : prepared.parts) {
      for (auto& [id, next] : part->replacements) {
        if (id >= heads_.size()) heads_.resize(std::max<size_t>(id + 1, heads_.size() * 3 / 2));
        heads_[id] = std::move(next);
      }
      for (const auto& append : part->appends) {
        SeriesHead& target = headForWrite(append.series_id);
        if (target.empty()) target.first_log = next_commit_;
        for (size_t i = append.begin; i < append.end; ++i) {
          target.chunk.append(part->timestamps_ms[i], part->values[i]);
        }
      }
    }
  }
  ++next_commit_;
  next_series_id_ = writes.next_series_id_;
  for (auto& [key, id] : writes.new_series_) catalog_.add(id, key);
  for (const auto& mapping : writes.agent_mappings_) {
    rememberAgentSeries(mapping.host, mapping.epoch, mapping.agent_series_id, mapping.series_id);
  }
  {
    std::lock_guard lock(hosts_mutex_);
    for (auto& [host, state] : writes.hosts_) hosts_[host] = std::move(state);
  }
  if (flush_due) {
    flush_forced_ = false;
    last_flush_ms_ = now;
    flush_mark_ = next_commit_;
    truncateHeadLog();
  }
  if (commit_listener_ && !writes.samples_.empty()) commit_listener_(writes.samples_);
  // Kept up to 16 MiB (an import request of 256 Ki samples takes 6 MiB); a bigger one is
  // rare and given back.
  constexpr size_t kMaxSpareSamples = (16u << 20) / sizeof(CommittedSample);
  if (writes.samples_.capacity() <= kMaxSpareSamples) {
    spare_samples_ = std::move(writes.samples_);
    spare_samples_.clear();
  }
  if (writes.lock_.owns_lock()) writes.lock_.unlock();
  return {};
}

void SampleStore::truncateHeadLog() {
  uint64_t low = next_commit_;
  for (const auto& head : heads_) {
    if (head && !head->empty()) low = std::min(low, head->first_log);
  }
  if (low <= head_log_deleted_to_) return;
  // Not synced: if lost, the records are replayed and skipped as already sealed.
  auto status = db_->DeleteRange(rocksdb::WriteOptions(), head_log_cf_,
                                 u64Bytes(head_log_deleted_to_), u64Bytes(low));
  if (!status.ok()) {
    spdlog::warn("store {}: cannot cut the head log below record {}: {}", options_.path, low,
                 status.ToString());
    return;
  }
  head_log_deleted_to_ = low;
}

std::vector<HostState> SampleStore::hosts() const {
  std::lock_guard lock(hosts_mutex_);
  std::vector<HostState> out;
  out.reserve(hosts_.size());
  for (const auto& [_, state] : hosts_) out.push_back(state);
  return out;
}

std::optional<HostState> SampleStore::host(const std::string& host) const {
  std::lock_guard lock(hosts_mutex_);
  auto it = hosts_.find(host);
  if (it == hosts_.end()) return std::nullopt;
  return it->second;
}

uint64_t SampleStore::seriesCount() const {
  std::lock_guard lock(hosts_mutex_);
  uint64_t total = 0;
  for (const auto& [_, state] : hosts_) total += state.series;
  return total;
}

uint64_t SampleStore::sampleCount() const {
  std::lock_guard lock(hosts_mutex_);
  uint64_t total = 0;
  for (const auto& [_, state] : hosts_) total += state.samples;
  return total;
}

}  // namespace tidemark::controller
