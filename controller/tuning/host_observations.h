// What the store's newest samples say about one host, as the recommender needs it:
// its ships (pack and meld age, loom, serf mappings), free memory and how busy each
// network interface is. Read with HistorySource::lastValues and counter rates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "controller/history/history_source.h"

namespace tidemark::controller {

struct ShipObservation {
  std::string ship;  // the `ship` label: the pier folder's name
  std::string pier;  // the `pier` label: the pier's absolute path
  std::optional<double> seconds_since_pack;
  std::optional<double> seconds_since_meld;
  std::optional<double> loom_bytes;
  std::optional<double> loom_use_ratio;
  std::optional<double> serf_map_count;
};

struct InterfaceObservation {
  std::string device;
  double receive_bytes_per_second = 0;
  double transmit_bytes_per_second = 0;
  std::optional<double> speed_bytes_per_second;  // link speed; unknown for virtual links
};

struct HostObservations {
  std::vector<ShipObservation> ships;  // by ship name
  std::optional<double> mem_available_bytes;
  std::optional<double> swap_free_bytes;
  std::vector<InterfaceObservation> interfaces;  // those with a rate over the window
};

// How far back the network rates look. Default: 10 minutes.
inline constexpr int64_t kInterfaceRateWindowMs = 10 * 60'000;

// The observations of `host` as of `now_ms`: newest values no older than a day,
// interface rates over the last kInterfaceRateWindowMs. Throws StoreError.
HostObservations observeHost(const HistorySource& history, const std::string& host, int64_t now_ms);

}  // namespace tidemark::controller
