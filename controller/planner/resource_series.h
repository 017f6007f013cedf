// The planner's and the triggers' view of the store: for each host (and each ship,
// filesystem or device on it) the history of one resource as used amount, capacity
// and used fraction on a common time grid. Counters become rates here, so callers
// never see raw node_exporter counters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/series.h"
#include "controller/history/history_source.h"

namespace tidemark::controller::planner {

enum class Resource {
  kDisk,     // a filesystem: used = size - avail bytes; labels device, fstype, mountpoint
  kMemory,   // a host: used = MemTotal - MemAvailable bytes
  kPier,     // a ship's pier on disk: used = pier bytes; capacity = pier + free bytes of
             // its filesystem (what the pier could grow into); labels ship, pier
  kLoom,     // a ship's loom: used = loom use ratio * loom bytes; labels ship, pier
  kCpu,      // a host: busy fraction of all CPUs (capacity 1)
  kIo,       // a block device: fraction of time busy (capacity 1); label device
  kNetwork,  // an interface: received + transmitted bytes/s; capacity: node_network_speed_bytes
             // (0 when the link reports no speed); label device
};

inline constexpr Resource kAllResources[] = {Resource::kDisk, Resource::kMemory, Resource::kPier,
                                             Resource::kLoom, Resource::kCpu,    Resource::kIo,
                                             Resource::kNetwork};

// "disk", "memory", "pier", "loom", "cpu", "io", "network".
std::string_view resourceName(Resource resource);
// The inverse of resourceName; nullopt for an unknown name.
std::optional<Resource> parseResource(std::string_view name);

struct ResourceSeries {
  std::string host;
  Resource resource = Resource::kDisk;
  // What tells this series apart on its host (see Resource); sorted by name.
  Labels labels;
  // The newest capacity: bytes for disk, memory, pier and loom; 1 for fractions
  // (cpu, io); link speed for network; 0 when unknown (a virtual or down interface).
  double capacity = 0;
  // One point per step, oldest first; the three vectors have the same length, except
  // `ratio`, which is empty when the capacity is unknown.
  std::vector<int64_t> timestamps_ms;
  std::vector<double> used;   // bytes, a busy fraction, or bytes/s
  std::vector<double> ratio;  // used / capacity at that time (capacity may change)
};

struct ResourceWindow {
  int64_t since_ms = 0;
  int64_t until_ms = INT64_MAX;
  // Bucket width; multiples of 5 min read the store's rollups (long windows stay
  // cheap). 0 reads raw samples. Counters yield one rate per pair of adjacent points.
  int64_t step_ms = 0;
  // Only this host; empty: every host.
  std::string host;
  // How gauges (bytes, ratios) are reduced within a step: kAvg follows the level;
  // kMax finds peaks (a pier just before a pack), kMin the floors after one.
  // Counters always use each bucket's last value. Default: kAvg.
  Aggregation gauge_aggregation = Aggregation::kAvg;
};

// The series of one resource in the window, sorted by (host, labels). Series with no
// point in the window are left out. Throws StoreError when the history cannot be read.
std::vector<ResourceSeries> readResource(const HistorySource& history, Resource resource,
                                         const ResourceWindow& window);

// Every resource, in kAllResources order.
std::vector<ResourceSeries> readAllResources(const HistorySource& history,
                                             const ResourceWindow& window);

}  // namespace tidemark::controller::planner
