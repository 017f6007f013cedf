// The fleet's Urbit ships as `tidemark ships` shows them: one row per (host, ship,
// pier), joined from the newest sample of each urbit_ship_* series the agents send.
// The join is a pure function over query results so it is tested without a store;
// readShipStatuses() feeds it from the store's last-value queries.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "controller/history/history_source.h"

namespace tidemark::controller {

struct ShipStatus {
  std::string host;
  std::string ship;  // the `ship` label
  std::string pier;  // the `pier` label
  // True when the newest urbit_ship_up sample is 1 and no older than stale_after_ms.
  bool up = false;
  int64_t up_sample_ms = 0;  // 0: no urbit_ship_up sample
  int64_t stale_after_ms = 0;
  std::optional<double> pier_bytes;
  std::optional<double> loom_bytes;
  std::optional<double> loom_use_ratio;
  std::optional<double> rss_bytes;
  std::optional<double> cpu_seconds;
  // CPU seconds per second between the newest two cpu samples; unset when the ship
  // is down, with fewer than two samples, or across a counter reset.
  std::optional<double> cpu_ratio;
  std::optional<int64_t> last_pack_ms;  // sample time - urbit_ship_seconds_since_pack
};

// Query results per metric, as SampleStore::query returns them. Every series but
// cpu_recent holds the newest sample only; cpu_recent holds up to the newest two.
struct ShipSeries {
  std::vector<SeriesResult> up;
  std::vector<SeriesResult> pier_bytes;
  std::vector<SeriesResult> loom_bytes;
  std::vector<SeriesResult> loom_use_ratio;
  std::vector<SeriesResult> rss_bytes;
  std::vector<SeriesResult> cpu_seconds;
  std::vector<SeriesResult> cpu_recent;
  std::vector<SeriesResult> seconds_since_pack;
};

// How old a ship's newest urbit_ship_up sample may be before the ship counts as
// down: 3 collection intervals of its host's agent plus 5 s of delivery slack, at
// least 30 s (as AgentPresence judges agents); 5 min when the interval is unknown
// (0: history imported without an agent).
int64_t shipStaleAfterMs(uint32_t agent_interval_ms);

// Joins the series into one status per ship, sorted by host, ship, pier. Series
// without a `ship` label are ignored. `stale_after_ms` gives the bound per host.
std::vector<ShipStatus> joinShipSeries(
    const ShipSeries& series, int64_t now_ms,
    const std::function<int64_t(const std::string& host)>& stale_after_ms);

// Reads the series of every ship (of `host` only, unless empty) from the store with
// last-value queries and joins them. Cost: one catalog lookup and one head read per
// series; no chunk is read for series with samples in their head.
std::vector<ShipStatus> readShipStatuses(const HistorySource& history, const std::string& host,
                                         int64_t now_ms);

}  // namespace tidemark::controller
