// Every series the store knows, in memory: its index key (host, metric, labels) to
// its id and back, and postings by metric and by metric+host, so that selecting
// series for a query never touches the disk. Built from the `series` column family
// when the store opens (like Prometheus' head index); one writer adds, any number of
// readers select (internally locked).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/metrics/series.h"

namespace tidemark::controller {

struct SeriesDescription {
  uint64_t id = 0;
  std::string host;
  std::string metric;
  Labels labels;
};

class SeriesCatalog {
 public:
  // `key` is keys::seriesKey(host, metric, labels). Adding a known key is a no-op.
  void add(uint64_t id, std::string key);
  std::optional<uint64_t> find(std::string_view key) const;

  // Ids of the series of `metric` (every host when `host` is empty), ascending.
  std::vector<uint64_t> select(std::string_view metric, std::string_view host) const;
  // False when the id is unknown.
  bool describe(uint64_t id, SeriesDescription& out) const;
  // Calls `visit` with the description of each known id in `ids`, in order, under one
  // lock (a query describes every series it selects). `visit` may move from its
  // argument and must not call back into the catalog.
  template <typename Visit>
  void describeEach(const std::vector<uint64_t>& ids, Visit&& visit) const {
    SeriesDescription description;
    std::shared_lock lock(mutex_);
    for (uint64_t id : ids) {
      if (describeLocked(id, description)) visit(description);
    }
  }
  // Calls `visit(id, key)` for each known id in `ids`, in order, under one lock, with
  // the key as add() stored it: nothing parsed or copied. The views stay valid as long
  // as the catalog (keys are never removed or moved). `visit` must not call back in.
  template <typename Visit>
  void forEachKey(const std::vector<uint64_t>& ids, Visit&& visit) const {
    std::shared_lock lock(mutex_);
    for (uint64_t id : ids) {
      if (id < keys_.size() && !keys_[id].empty()) visit(id, keys_[id]);
    }
  }
  size_t size() const;
  // Largest id known (0 when empty).
  uint64_t maxId() const;

 private:
  static std::string postingKey(std::string_view metric, std::string_view host);
  bool describeLocked(uint64_t id, SeriesDescription& out) const;

  // Copies `key` into key_blocks_; the view stays valid as long as the catalog.
  std::string_view storeKey(std::string_view key);

  mutable std::shared_mutex mutex_;
  // Every key once, back to back in blocks that never move: a query describing its
  // series in id order reads memory in order instead of chasing a node per series.
  std::vector<std::unique_ptr<char[]>> key_blocks_;
  size_t block_used_ = 0;
  size_t block_size_ = 0;
  std::unordered_map<std::string_view, uint64_t> ids_;  // views into key_blocks_
  // Indexed by id (ids are dense, from 1): its key; empty where unknown.
  std::vector<std::string_view> keys_;
  std::unordered_map<std::string, std::vector<uint64_t>> by_metric_;
  std::unordered_map<std::string, std::vector<uint64_t>> by_metric_host_;
  uint64_t max_id_ = 0;
};

}  // namespace tidemark::controller
