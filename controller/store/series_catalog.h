// Every series the store knows, in memory: its index key (host, metric, labels) to
// its id and back, and postings by metric and by metric+host, so that selecting
// series for a query never touches the disk. Built from the `series` column family
// when the store opens (like Prometheus' head index); one writer adds, any number of
// readers select (internally locked).
#pragma once

#include <cstdint>
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
  size_t size() const;
  // Largest id known (0 when empty).
  uint64_t maxId() const;

 private:
  static std::string postingKey(std::string_view metric, std::string_view host);

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, uint64_t> ids_;
  // Indexed by id (ids are dense, from 1): its key, owned by ids_ (whose nodes never move).
  std::vector<const std::string*> keys_;
  std::unordered_map<std::string, std::vector<uint64_t>> by_metric_;
  std::unordered_map<std::string, std::vector<uint64_t>> by_metric_host_;
  uint64_t max_id_ = 0;
};

}  // namespace tidemark::controller
