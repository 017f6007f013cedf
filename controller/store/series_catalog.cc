#include "controller/store/series_catalog.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "controller/store/key_codec.h"

namespace tidemark::controller {

namespace {

void insertSorted(std::vector<uint64_t>& ids, uint64_t id) {
  // Ids are handed out in increasing order, so this is nearly always a push_back.
  if (ids.empty() || ids.back() < id) {
    ids.push_back(id);
  } else {
    ids.insert(std::lower_bound(ids.begin(), ids.end(), id), id);
  }
}

}  // namespace

std::string SeriesCatalog::postingKey(std::string_view metric, std::string_view host) {
  std::string key(metric);
  key.push_back('\0');
  key += host;
  return key;
}

std::string_view SeriesCatalog::storeKey(std::string_view key) {
  constexpr size_t kBlockBytes = 1 << 20;
  if (key_blocks_.empty() || block_size_ - block_used_ < key.size()) {
    block_size_ = std::max(kBlockBytes, key.size());
    key_blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* at = key_blocks_.back().get() + block_used_;
  std::memcpy(at, key.data(), key.size());
  block_used_ += key.size();
  return {at, key.size()};
}

void SeriesCatalog::add(uint64_t id, std::string key) {
  SeriesDescription description;
  if (!keys::parseSeriesKey(key, description.host, description.metric, description.labels)) return;
  std::unique_lock lock(mutex_);
  if (ids_.contains(key)) return;
  const std::string_view stored = storeKey(key);
  ids_.emplace(stored, id);
  if (keys_.size() <= id) keys_.resize(std::max<size_t>(id + 1, keys_.size() * 3 / 2));
  keys_[id] = stored;
  insertSorted(by_metric_[description.metric], id);
  insertSorted(by_metric_host_[postingKey(description.metric, description.host)], id);
  max_id_ = std::max(max_id_, id);
}

std::optional<uint64_t> SeriesCatalog::find(std::string_view key) const {
  std::shared_lock lock(mutex_);
  auto it = ids_.find(key);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

std::vector<uint64_t> SeriesCatalog::select(std::string_view metric, std::string_view host) const {
  std::shared_lock lock(mutex_);
  if (host.empty()) {
    auto it = by_metric_.find(std::string(metric));
    return it == by_metric_.end() ? std::vector<uint64_t>{} : it->second;
  }
  auto it = by_metric_host_.find(postingKey(metric, host));
  return it == by_metric_host_.end() ? std::vector<uint64_t>{} : it->second;
}

bool SeriesCatalog::describe(uint64_t id, SeriesDescription& out) const {
  std::shared_lock lock(mutex_);
  return describeLocked(id, out);
}

bool SeriesCatalog::describeLocked(uint64_t id, SeriesDescription& out) const {
  if (id >= keys_.size() || keys_[id].empty()) return false;
  out.id = id;
  return keys::parseSeriesKey(keys_[id], out.host, out.metric, out.labels);
}

size_t SeriesCatalog::size() const {
  std::shared_lock lock(mutex_);
  return ids_.size();
}

uint64_t SeriesCatalog::maxId() const {
  std::shared_lock lock(mutex_);
  return max_id_;
}

}  // namespace tidemark::controller
