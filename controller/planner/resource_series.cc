#include "controller/planner/resource_series.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "controller/planner/counter_rates.h"

namespace tidemark::controller::planner {

namespace {

// What identifies one resource series: its host and the labels kept for it.
struct SeriesKey {
  std::string host;
  Labels labels;
  friend auto operator<=>(const SeriesKey&, const SeriesKey&) = default;
};

Labels keepLabels(const Labels& labels, std::initializer_list<std::string_view> names) {
  Labels kept;
  for (const auto& label : labels) {
    if (std::find(names.begin(), names.end(), label.name) != names.end()) kept.push_back(label);
  }
  return kept;  // the store's labels are sorted, so these are too
}

std::vector<SeriesResult> fetch(const HistorySource& history, const std::string& metric,
                                const ResourceWindow& window, Aggregation aggregation) {
  SeriesQuery query;
  query.metric = metric;
  query.host = window.host;
  query.since_ms = window.since_ms;
  query.until_ms = window.until_ms;
  query.step_ms = window.step_ms;
  query.aggregation = window.step_ms > 0 ? aggregation : Aggregation::kNone;
  return history.query(query);
}

// Free space read with the opposite reduction from used space: the peak of used
// (size - avail) comes with the low point of avail.
Aggregation opposite(Aggregation aggregation) {
  if (aggregation == Aggregation::kMax) return Aggregation::kMin;
  if (aggregation == Aggregation::kMin) return Aggregation::kMax;
  return aggregation;
}

using ByKey = std::map<SeriesKey, const SeriesResult*>;

ByKey index(const std::vector<SeriesResult>& results,
            std::initializer_list<std::string_view> label_names) {
  ByKey out;
  for (const auto& series : results) {
    out.emplace(SeriesKey{series.host, keepLabels(series.labels, label_names)}, &series);
  }
  return out;
}

// Combines two series point by point where both have a sample at the same time (the
// agent stamps every metric of one pass alike; steps align buckets).
template <typename Combine>
void joinByTimestamp(const SeriesResult& a, const SeriesResult& b, Combine combine) {
  size_t i = 0;
  size_t j = 0;
  while (i < a.timestamps_ms.size() && j < b.timestamps_ms.size()) {
    if (a.timestamps_ms[i] < b.timestamps_ms[j]) {
      ++i;
    } else if (b.timestamps_ms[j] < a.timestamps_ms[i]) {
      ++j;
    } else {
      combine(a.timestamps_ms[i], a.values[i], b.values[j]);
      ++i;
      ++j;
    }
  }
}

ResourceSeries startSeries(const SeriesKey& key, Resource resource) {
  ResourceSeries series;
  series.host = key.host;
  series.resource = resource;
  series.labels = key.labels;
  return series;
}

// Used = capacity - free, from a capacity metric and a free-space metric with the same key.
std::vector<ResourceSeries> capacityMinusFree(const HistorySource& history, Resource resource,
                                              const ResourceWindow& window,
                                              const std::string& capacity_metric,
                                              const std::string& free_metric,
                                              std::initializer_list<std::string_view> labels) {
  const auto capacities = fetch(history, capacity_metric, window, window.gauge_aggregation);
  const auto frees = fetch(history, free_metric, window, opposite(window.gauge_aggregation));
  const ByKey capacity_by_key = index(capacities, labels);
  std::vector<ResourceSeries> out;
  for (const auto& [key, free] : index(frees, labels)) {
    auto capacity = capacity_by_key.find(key);
    if (capacity == capacity_by_key.end()) continue;
    ResourceSeries series = startSeries(key, resource);
    joinByTimestamp(*capacity->second, *free, [&](int64_t ts, double size, double avail) {
      if (size <= 0) return;  // a pseudo filesystem or a broken reading: no fraction
      series.timestamps_ms.push_back(ts);
      series.used.push_back(size - avail);
      series.ratio.push_back((size - avail) / size);
      series.capacity = size;
    });
    if (!series.timestamps_ms.empty()) out.push_back(std::move(series));
  }
  return out;
}

std::vector<ResourceSeries> readPier(const HistorySource& history, const ResourceWindow& window) {
  const std::initializer_list<std::string_view> labels = {"pier", "ship"};
  const auto piers = fetch(history, "urbit_ship_pier_bytes", window, window.gauge_aggregation);
  const auto frees = fetch(history, "urbit_ship_filesystem_avail_bytes", window,
                           opposite(window.gauge_aggregation));
  const ByKey free_by_key = index(frees, labels);
  std::vector<ResourceSeries> out;
  for (const auto& [key, pier] : index(piers, labels)) {
    ResourceSeries series = startSeries(key, Resource::kPier);
    auto free = free_by_key.find(key);
    if (free == free_by_key.end()) {
      // Without the filesystem's free space the pier still has a history to trend.
      series.timestamps_ms = pier->timestamps_ms;
      series.used = pier->values;
    } else {
      joinByTimestamp(*pier, *free->second, [&](int64_t ts, double bytes, double avail) {
        series.timestamps_ms.push_back(ts);
        series.used.push_back(bytes);
        series.capacity = bytes + avail;
        series.ratio.push_back(series.capacity > 0 ? bytes / series.capacity : 0);
      });
    }
    if (!series.timestamps_ms.empty()) out.push_back(std::move(series));
  }
  return out;
}

std::vector<ResourceSeries> readLoom(const HistorySource& history, const ResourceWindow& window) {
  const std::initializer_list<std::string_view> labels = {"pier", "ship"};
  const auto ratios = fetch(history, "urbit_ship_loom_use_ratio", window, window.gauge_aggregation);
  const auto looms = fetch(history, "urbit_ship_loom_bytes", window, Aggregation::kLast);
  const ByKey loom_by_key = index(looms, labels);
  std::vector<ResourceSeries> out;
  for (const auto& [key, ratio] : index(ratios, labels)) {
    auto loom = loom_by_key.find(key);
    if (loom == loom_by_key.end()) continue;
    ResourceSeries series = startSeries(key, Resource::kLoom);
    joinByTimestamp(*ratio, *loom->second, [&](int64_t ts, double use, double loom_bytes) {
      series.timestamps_ms.push_back(ts);
      series.used.push_back(use * loom_bytes);
      series.ratio.push_back(use);
      series.capacity = loom_bytes;
    });
    if (!series.timestamps_ms.empty()) out.push_back(std::move(series));
  }
  return out;
}

// iowait is idle time spent waiting for I/O: the CPU could run other work, and the
// I/O resource already shows the wait.
bool isIdleMode(std::string_view mode) { return mode == "idle" || mode == "iowait"; }

std::vector<ResourceSeries> readCpu(const HistorySource& history, const ResourceWindow& window) {
  struct Time {
    double busy = 0;
    double total = 0;
  };
  std::map<std::string, std::map<int64_t, Time>> by_host;
  for (const auto& series : fetch(history, "node_cpu_seconds_total", window, Aggregation::kLast)) {
    std::string_view mode;
    for (const auto& label : series.labels) {
      if (label.name == "mode") mode = label.value;
    }
    const bool idle = isIdleMode(mode);
    auto& times = by_host[series.host];
    for (const auto& step : counterIncreases(series.timestamps_ms, series.values)) {
      Time& time = times[step.timestamp_ms];
      time.total += step.increase;
      if (!idle) time.busy += step.increase;
    }
  }
  std::vector<ResourceSeries> out;
  for (const auto& [host, times] : by_host) {
    ResourceSeries series = startSeries({host, {}}, Resource::kCpu);
    series.capacity = 1;
    for (const auto& [ts, time] : times) {
      if (time.total <= 0) continue;
      series.timestamps_ms.push_back(ts);
      series.used.push_back(time.busy / time.total);
      series.ratio.push_back(time.busy / time.total);
    }
    if (!series.timestamps_ms.empty()) out.push_back(std::move(series));
  }
  return out;
}

// Sums the per-second rates of counters by (host, device) and time.
void addRates(const std::vector<SeriesResult>& counters,
              std::map<SeriesKey, std::map<int64_t, double>>& rates, bool skip_loopback) {
  for (const auto& series : counters) {
    SeriesKey key{series.host, keepLabels(series.labels, {"device"})};
    if (skip_loopback && !key.labels.empty() && key.labels[0].value == "lo") continue;
    auto& points = rates[key];
    for (const auto& step : counterIncreases(series.timestamps_ms, series.values)) {
      points[step.timestamp_ms] += step.increase / step.seconds;
    }
  }
}

std::vector<ResourceSeries> readIo(const HistorySource& history, const ResourceWindow& window) {
  std::map<SeriesKey, std::map<int64_t, double>> rates;
  addRates(fetch(history, "node_disk_io_time_seconds_total", window, Aggregation::kLast), rates,
           false);
  std::vector<ResourceSeries> out;
  for (const auto& [key, points] : rates) {
    ResourceSeries series = startSeries(key, Resource::kIo);
    series.capacity = 1;
    for (const auto& [ts, busy] : points) {
      // Counter jitter can give a hair over 100% busy.
      const double fraction = std::clamp(busy, 0.0, 1.0);
      series.timestamps_ms.push_back(ts);
      series.used.push_back(fraction);
      series.ratio.push_back(fraction);
    }
    if (!series.timestamps_ms.empty()) out.push_back(std::move(series));
  }
  return out;
}

std::vector<ResourceSeries> readNetwork(const HistorySource& history,
                                        const ResourceWindow& window) {
  std::map<SeriesKey, std::map<int64_t, double>> rates;
  addRates(fetch(history, "node_network_receive_bytes_total", window, Aggregation::kLast), rates,
           true);
  addRates(fetch(history, "node_network_transmit_bytes_total", window, Aggregation::kLast), rates,
           true);
  // The newest link speed of each interface is its capacity (speeds rarely change;
  // interfaces without one, virtual or down, keep capacity 0 and no ratio).
  std::map<SeriesKey, double> speeds;
  for (const auto& series :
       fetch(history, "node_network_speed_bytes", window, Aggregation::kLast)) {
    if (series.values.empty() || !(series.values.back() > 0)) continue;
    speeds[SeriesKey{series.host, keepLabels(series.labels, {"device"})}] = series.values.back();
  }
  std::vector<ResourceSeries> out;
  for (const auto& [key, points] : rates) {
    ResourceSeries series = startSeries(key, Resource::kNetwork);
    auto speed = speeds.find(key);
    if (speed != speeds.end()) series.capacity = speed->second;
    for (const auto& [ts, bytes_per_second] : points) {
      series.timestamps_ms.push_back(ts);
      series.used.push_back(bytes_per_second);
      if (series.capacity > 0) series.ratio.push_back(bytes_per_second / series.capacity);
    }
    if (!series.timestamps_ms.empty()) out.push_back(std::move(series));
  }
  return out;
}

}  // namespace

std::string_view resourceName(Resource resource) {
  switch (resource) {
    case Resource::kDisk:
      return "disk";
    case Resource::kMemory:
      return "memory";
    case Resource::kPier:
      return "pier";
    case Resource::kLoom:
      return "loom";
    case Resource::kCpu:
      return "cpu";
    case Resource::kIo:
      return "io";
    case Resource::kNetwork:
      return "network";
  }
  return "unknown";
}

std::optional<Resource> parseResource(std::string_view name) {
  for (Resource resource : kAllResources) {
    if (resourceName(resource) == name) return resource;
  }
  return std::nullopt;
}

std::vector<ResourceSeries> readResource(const HistorySource& history, Resource resource,
                                         const ResourceWindow& window) {
  switch (resource) {
    case Resource::kDisk:
      return capacityMinusFree(history, resource, window, "node_filesystem_size_bytes",
                               "node_filesystem_avail_bytes", {"device", "fstype", "mountpoint"});
    case Resource::kMemory:
      return capacityMinusFree(history, resource, window, "node_memory_MemTotal_bytes",
                               "node_memory_MemAvailable_bytes", {});
    case Resource::kPier:
      return readPier(history, window);
    case Resource::kLoom:
      return readLoom(history, window);
    case Resource::kCpu:
      return readCpu(history, window);
    case Resource::kIo:
      return readIo(history, window);
    case Resource::kNetwork:
      return readNetwork(history, window);
  }
  return {};
}

std::vector<ResourceSeries> readAllResources(const HistorySource& history,
                                             const ResourceWindow& window) {
  std::vector<ResourceSeries> out;
  for (Resource resource : kAllResources) {
    auto series = readResource(history, resource, window);
    std::move(series.begin(), series.end(), std::back_inserter(out));
  }
  return out;
}

}  // namespace tidemark::controller::planner
