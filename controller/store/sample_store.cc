#include "controller/store/sample_store.h"

#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "common/errors/error.h"
#include "controller/store/host_record_codec.h"
#include "controller/store/key_codec.h"

namespace tidemark::controller {

namespace {

constexpr const char* kSeriesFamily = "series";
constexpr const char* kSamplesFamily = "samples";
constexpr const char* kHostsFamily = "hosts";
constexpr const char* kAgentSeriesFamily = "agent_series";
constexpr const char* kNextSeriesIdKey = "next_series_id";

rocksdb::ColumnFamilyOptions familyOptions(bool bulk) {
  rocksdb::ColumnFamilyOptions options;
  // Samples are most of the bytes: LZ4 while hot, ZSTD once they settle at the bottom.
  options.compression = rocksdb::kLZ4Compression;
  if (bulk) options.bottommost_compression = rocksdb::kZSTD;
  return options;
}

std::string encodeValue(double value) {
  std::string out(sizeof value, '\0');
  std::memcpy(out.data(), &value, sizeof value);
  return out;
}

double decodeValue(std::string_view bytes) {
  double value = 0;
  if (bytes.size() == sizeof value) std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

void check(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw StoreError(what + ": " + status.ToString());
}

bool matches(const LabelMatcher& matcher, const Labels& labels, const std::regex* pattern) {
  std::string_view value;
  for (const auto& label : labels) {
    if (label.name == matcher.name) value = label.value;
  }
  switch (matcher.op) {
    case LabelMatcher::Op::kEqual:
      return value == matcher.value;
    case LabelMatcher::Op::kNotEqual:
      return value != matcher.value;
    case LabelMatcher::Op::kRegexMatch:
      return std::regex_match(value.begin(), value.end(), *pattern);
    case LabelMatcher::Op::kRegexNoMatch:
      return !std::regex_match(value.begin(), value.end(), *pattern);
  }
  return false;
}

}  // namespace

std::unique_ptr<SampleStore> SampleStore::open(const StoreOptions& options) {
  if (options.path.empty()) throw StoreError("store path is empty");
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, familyOptions(false)},
      {kSeriesFamily, familyOptions(false)},
      {kSamplesFamily, familyOptions(true)},
      {kHostsFamily, familyOptions(false)},
      {kAgentSeriesFamily, familyOptions(false)},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto status = rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
  if (!status.ok()) {
    throw StoreError("cannot open the store at " + options.path + ": " + status.ToString());
  }
  auto store = std::unique_ptr<SampleStore>(
      new SampleStore(options, std::unique_ptr<rocksdb::DB>(raw), std::move(handles)));
  store->loadState();
  return store;
}

SampleStore::SampleStore(const StoreOptions& options, std::unique_ptr<rocksdb::DB> db,
                         std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(options), db_(std::move(db)), handles_(std::move(handles)) {
  series_cf_ = handles_[1];
  samples_cf_ = handles_[2];
  hosts_cf_ = handles_[3];
  agent_series_cf_ = handles_[4];
}

SampleStore::~SampleStore() {
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  db_->Close();
}

void SampleStore::loadState() {
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), kNextSeriesIdKey, &value);
  if (status.ok()) {
    next_series_id_ = keys::readU64(value);
  } else if (!status.IsNotFound()) {
    check(status, "reading the series counter in " + options_.path);
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), hosts_cf_));
  std::lock_guard lock(hosts_mutex_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    HostState state = decodeHostRecord(it->value().ToStringView());
    hosts_[state.host] = std::move(state);
  }
  check(it->status(), "loading host records from " + options_.path);
}

WriteSet SampleStore::beginWrite() const {
  WriteSet writes;
  writes.next_series_id_ = next_series_id_;
  return writes;
}

uint64_t SampleStore::resolveSeries(WriteSet& writes, const std::string& host,
                                    std::string_view name, const Labels& labels) {
  std::string key = keys::seriesKey(host, name, labels);
  if (auto it = series_ids_.find(key); it != series_ids_.end()) return it->second;
  if (auto it = writes.new_series_.find(key); it != writes.new_series_.end()) return it->second;
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), series_cf_, key, &value);
  if (status.ok()) {
    uint64_t id = keys::readU64(value);
    series_ids_.emplace(std::move(key), id);
    return id;
  }
  if (!status.IsNotFound()) check(status, "looking up a series in " + options_.path);
  uint64_t id = writes.next_series_id_++;
  std::string id_bytes;
  keys::appendU64(id_bytes, id);
  writes.batch_.Put(series_cf_, key, id_bytes);
  writes.batch_.Put(series_cf_, "i" + id_bytes, key);
  std::string counter;
  keys::appendU64(counter, writes.next_series_id_);
  writes.batch_.Put(kNextSeriesIdKey, counter);
  writes.new_series_.emplace(std::move(key), id);
  hostForWrite(writes, host).series += 1;
  return id;
}

std::optional<uint64_t> SampleStore::findSeries(const WriteSet& writes, const std::string& host,
                                                std::string_view name,
                                                const Labels& labels) const {
  std::string key = keys::seriesKey(host, name, labels);
  if (auto it = series_ids_.find(key); it != series_ids_.end()) return it->second;
  if (auto it = writes.new_series_.find(key); it != writes.new_series_.end()) return it->second;
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), series_cf_, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "looking up a series in " + options_.path);
  return keys::readU64(value);
}

void SampleStore::mapAgentSeries(WriteSet& writes, const std::string& host, uint64_t epoch,
                                 uint32_t agent_series_id, uint64_t series_id) {
  std::string key = keys::agentSeriesKey(host, epoch, agent_series_id);
  std::string value;
  keys::appendU64(value, series_id);
  writes.batch_.Put(agent_series_cf_, key, value);
  writes.new_agent_series_[std::move(key)] = series_id;
}

std::optional<uint64_t> SampleStore::agentSeries(const WriteSet& writes, const std::string& host,
                                                 uint64_t epoch, uint32_t agent_series_id) const {
  std::string key = keys::agentSeriesKey(host, epoch, agent_series_id);
  if (auto it = writes.new_agent_series_.find(key); it != writes.new_agent_series_.end()) {
    return it->second;
  }
  if (auto it = agent_series_.find(key); it != agent_series_.end()) return it->second;
  std::string value;
  auto status = db_->Get(rocksdb::ReadOptions(), agent_series_cf_, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, "looking up an agent series in " + options_.path);
  uint64_t id = keys::readU64(value);
  const_cast<SampleStore*>(this)->agent_series_.emplace(std::move(key), id);
  return id;
}

void SampleStore::appendSample(WriteSet& writes, uint64_t series_id, int64_t timestamp_ms,
                               double value) {
  writes.batch_.Put(samples_cf_, keys::sampleKey(series_id, timestamp_ms), encodeValue(value));
  ++writes.samples_;
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
  for (const auto& [host, state] : writes.hosts_) {
    writes.batch_.Put(hosts_cf_, host, encodeHostRecord(state));
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync_writes;
  auto status = db_->Write(write_options, &writes.batch_);
  if (!status.ok()) return status.ToString();
  next_series_id_ = writes.next_series_id_;
  for (auto& [key, id] : writes.new_series_) series_ids_.emplace(key, id);
  for (auto& [key, id] : writes.new_agent_series_) agent_series_[key] = id;
  std::lock_guard lock(hosts_mutex_);
  for (auto& [host, state] : writes.hosts_) hosts_[host] = std::move(state);
  return {};
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

std::vector<SeriesResult> SampleStore::query(const SeriesQuery& query) const {
  std::vector<std::optional<std::regex>> patterns;
  for (const auto& matcher : query.matchers) {
    if (matcher.op == LabelMatcher::Op::kRegexMatch ||
        matcher.op == LabelMatcher::Op::kRegexNoMatch) {
      try {
        patterns.emplace_back(std::regex(matcher.value, std::regex::ECMAScript));
      } catch (const std::regex_error& e) {
        throw std::invalid_argument("label matcher " + matcher.name + "=~\"" + matcher.value +
                                    "\": invalid regular expression: " + e.what());
      }
    } else {
      patterns.emplace_back(std::nullopt);
    }
  }

  std::vector<SeriesResult> results;
  const std::string prefix = keys::seriesKeyPrefix(query.metric, query.host);
  rocksdb::ReadOptions read_options;
  std::unique_ptr<rocksdb::Iterator> index(db_->NewIterator(read_options, series_cf_));
  for (index->Seek(prefix); index->Valid() && index->key().starts_with(prefix); index->Next()) {
    SeriesResult series;
    if (!keys::parseSeriesKey(index->key().ToStringView(), series.host, series.metric,
                              series.labels)) {
      continue;
    }
    bool selected = true;
    for (size_t i = 0; i < query.matchers.size() && selected; ++i) {
      selected = matches(query.matchers[i], series.labels, patterns[i] ? &*patterns[i] : nullptr);
    }
    if (!selected) continue;

    const uint64_t id = keys::readU64(index->value().ToStringView());
    const std::string start = keys::sampleKey(id, query.since_ms);
    const std::string end = keys::sampleKey(id, query.until_ms);
    std::unique_ptr<rocksdb::Iterator> samples(db_->NewIterator(read_options, samples_cf_));
    for (samples->Seek(start); samples->Valid() && samples->key().compare(end) <= 0;
         samples->Next()) {
      series.timestamps_ms.push_back(keys::readTimestamp(samples->key().ToStringView().substr(8)));
      series.values.push_back(decodeValue(samples->value().ToStringView()));
    }
    check(samples->status(), "reading samples from " + options_.path);
    if (query.max_samples_per_series > 0 &&
        series.values.size() > query.max_samples_per_series) {
      const auto drop = series.values.size() - query.max_samples_per_series;
      series.values.erase(series.values.begin(), series.values.begin() + drop);
      series.timestamps_ms.erase(series.timestamps_ms.begin(), series.timestamps_ms.begin() + drop);
    }
    if (!series.values.empty()) results.push_back(std::move(series));
  }
  check(index->status(), "reading the series index in " + options_.path);
  // Index order is by encoded key (length-prefixed); people read label order.
  std::sort(results.begin(), results.end(), [](const SeriesResult& a, const SeriesResult& b) {
    return std::tie(a.host, a.labels) < std::tie(b.host, b.labels);
  });
  return results;
}

}  // namespace tidemark::controller
