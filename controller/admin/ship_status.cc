#include "controller/admin/ship_status.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace tidemark::controller {

namespace {

constexpr int64_t kUnknownIntervalStaleAfterMs = 5 * 60'000;
// The CPU rate needs two recent samples; older ones say nothing about now.
constexpr int64_t kCpuRateWindowMs = 10 * 60'000;

using ShipKey = std::tuple<std::string, std::string, std::string>;  // host, ship, pier

std::string_view labelValue(const Labels& labels, std::string_view name) {
  for (const auto& label : labels) {
    if (label.name == name) return label.value;
  }
  return {};
}

class ShipJoin {
 public:
  // The ship a series belongs to, created on first sight; null for a series that
  // names no ship.
  ShipStatus* shipOf(const SeriesResult& series) {
    std::string_view ship = labelValue(series.labels, "ship");
    if (ship.empty() || series.values.empty()) return nullptr;
    ShipKey key{series.host, std::string(ship), std::string(labelValue(series.labels, "pier"))};
    auto [it, inserted] = ships_.try_emplace(std::move(key));
    if (inserted) {
      std::tie(it->second.host, it->second.ship, it->second.pier) = it->first;
    }
    return &it->second;
  }

  // Sets `field` of each ship to its series' newest value.
  void setNewest(const std::vector<SeriesResult>& results,
                 std::optional<double> ShipStatus::*field) {
    for (const auto& series : results) {
      if (ShipStatus* ship = shipOf(series)) ship->*field = series.values.back();
    }
  }

  std::vector<ShipStatus> take() {
    std::vector<ShipStatus> out;
    out.reserve(ships_.size());
    for (auto& [key, ship] : ships_) out.push_back(std::move(ship));
    return out;
  }

  std::map<ShipKey, ShipStatus>& ships() { return ships_; }

 private:
  std::map<ShipKey, ShipStatus> ships_;  // ordered: the output is sorted for free
};

}  // namespace

int64_t shipStaleAfterMs(uint32_t agent_interval_ms) {
  if (agent_interval_ms == 0) return kUnknownIntervalStaleAfterMs;
  return std::max<int64_t>(3 * int64_t{agent_interval_ms} + 5'000, 30'000);
}

std::vector<ShipStatus> joinShipSeries(
    const ShipSeries& series, int64_t now_ms,
    const std::function<int64_t(const std::string& host)>& stale_after_ms) {
  ShipJoin join;
  std::map<std::string, int64_t> bound_by_host;
  for (const auto& up : series.up) {
    ShipStatus* ship = join.shipOf(up);
    if (ship == nullptr) continue;
    auto [bound, inserted] = bound_by_host.try_emplace(up.host, 0);
    if (inserted) bound->second = stale_after_ms(up.host);
    ship->up_sample_ms = up.timestamps_ms.back();
    ship->stale_after_ms = bound->second;
    // A sample from the future (clock skew between hosts) counts as fresh.
    ship->up = up.values.back() >= 0.5 && now_ms - ship->up_sample_ms <= bound->second;
  }
  join.setNewest(series.pier_bytes, &ShipStatus::pier_bytes);
  join.setNewest(series.loom_bytes, &ShipStatus::loom_bytes);
  join.setNewest(series.loom_use_ratio, &ShipStatus::loom_use_ratio);
  join.setNewest(series.rss_bytes, &ShipStatus::rss_bytes);
  join.setNewest(series.cpu_seconds, &ShipStatus::cpu_seconds);
  for (const auto& cpu : series.cpu_recent) {
    ShipStatus* ship = join.shipOf(cpu);
    const size_t n = cpu.values.size();
    if (ship == nullptr || n < 2) continue;
    const double seconds =
        static_cast<double>(cpu.timestamps_ms[n - 1] - cpu.timestamps_ms[n - 2]) / 1000.0;
    const double used = cpu.values[n - 1] - cpu.values[n - 2];
    if (seconds > 0 && used >= 0 && std::isfinite(used)) ship->cpu_ratio = used / seconds;
  }
  for (const auto& pack : series.seconds_since_pack) {
    ShipStatus* ship = join.shipOf(pack);
    const double seconds = pack.values.back();
    if (ship == nullptr || !std::isfinite(seconds) || seconds < 0) continue;
    ship->last_pack_ms = pack.timestamps_ms.back() - std::llround(seconds * 1000.0);
  }
  for (auto& [key, ship] : join.ships()) {
    if (!ship.up) ship.cpu_ratio.reset();  // a rate from before it went down is not its use now
    if (ship.stale_after_ms == 0) ship.stale_after_ms = stale_after_ms(ship.host);
  }
  return join.take();
}

std::vector<ShipStatus> readShipStatuses(const HistorySource& history, const std::string& host,
                                         int64_t now_ms) {
  auto newest = [&](const char* metric) {
    SeriesQuery query;
    query.metric = metric;
    query.host = host;
    query.last_only = true;
    return history.query(query);
  };
  ShipSeries series;
  series.up = newest("urbit_ship_up");
  series.pier_bytes = newest("urbit_ship_pier_bytes");
  series.loom_bytes = newest("urbit_ship_loom_bytes");
  series.loom_use_ratio = newest("urbit_ship_loom_use_ratio");
  series.rss_bytes = newest("urbit_ship_rss_bytes");
  series.cpu_seconds = newest("urbit_ship_cpu_seconds_total");
  series.seconds_since_pack = newest("urbit_ship_seconds_since_pack");
  SeriesQuery cpu;
  cpu.metric = "urbit_ship_cpu_seconds_total";
  cpu.host = host;
  cpu.since_ms = now_ms - kCpuRateWindowMs;
  cpu.max_samples_per_series = 2;
  series.cpu_recent = history.query(cpu);

  const std::map<std::string, uint32_t> intervals = history.agentIntervals();
  return joinShipSeries(series, now_ms, [&](const std::string& ship_host) {
    auto it = intervals.find(ship_host);
    return shipStaleAfterMs(it == intervals.end() ? 0 : it->second);
  });
}

}  // namespace tidemark::controller
