#include "controller/store/series_catalog.h"

#include <algorithm>
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

void SeriesCatalog::add(uint64_t id, std::string key) {
  SeriesDescription description;
  if (!keys::parseSeriesKey(key, description.host, description.metric, description.labels)) return;
  std::unique_lock lock(mutex_);
  auto [it, inserted] = ids_.emplace(std::move(key), id);
  if (!inserted) return;
  if (keys_.size() <= id) keys_.resize(std::max<size_t>(id + 1, keys_.size() * 3 / 2), nullptr);
  keys_[id] = &it->first;
  insertSorted(by_metric_[description.metric], id);
  insertSorted(by_metric_host_[postingKey(description.metric, description.host)], id);
  max_id_ = std::max(max_id_, id);
}

std::optional<uint64_t> SeriesCatalog::find(std::string_view key) const {
  std::shared_lock lock(mutex_);
  auto it = ids_.find(std::string(key));
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
  if (id >= keys_.size() || keys_[id] == nullptr) return false;
  out.id = id;
  return keys::parseSeriesKey(*keys_[id], out.host, out.metric, out.labels);
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
