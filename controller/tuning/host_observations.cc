#include "controller/tuning/host_observations.h"

#include <map>

#include "controller/planner/counter_rates.h"

namespace tidemark::controller {

namespace {

// A newest value older than this says nothing about the host now.
constexpr int64_t kFreshnessMs = 24 * 3600'000;

std::vector<LastValue> newest(const HistorySource& history, const std::string& host,
                              const std::string& metric, int64_t now_ms) {
  SeriesQuery query;
  query.metric = metric;
  query.host = host;
  query.since_ms = now_ms - kFreshnessMs;
  query.until_ms = now_ms;
  return history.lastValues(query);
}

// The mean rate of each device's counter over the window; devices with fewer than
// two samples are left out.
std::map<std::string, double> deviceRates(const HistorySource& history, const std::string& host,
                                          const std::string& metric, int64_t now_ms) {
  SeriesQuery query;
  query.metric = metric;
  query.host = host;
  query.since_ms = now_ms - kInterfaceRateWindowMs;
  query.until_ms = now_ms;
  std::map<std::string, double> rates;
  for (const auto& series : history.query(query)) {
    double increase = 0;
    double seconds = 0;
    for (const auto& step : planner::counterIncreases(series.timestamps_ms, series.values)) {
      increase += step.increase;
      seconds += step.seconds;
    }
    if (seconds <= 0) continue;
    for (const auto& label : series.labels) {
      if (label.name == "device") rates[label.value] = increase / seconds;
    }
  }
  return rates;
}

}  // namespace

HostObservations observeHost(const HistorySource& history, const std::string& host,
                             int64_t now_ms) {
  HostObservations observed;
  std::map<std::string, ShipObservation> ships;
  const std::pair<const char*, std::optional<double> ShipObservation::*> ship_series[] = {
      {"urbit_ship_seconds_since_pack", &ShipObservation::seconds_since_pack},
      {"urbit_ship_seconds_since_meld", &ShipObservation::seconds_since_meld},
      {"urbit_ship_loom_bytes", &ShipObservation::loom_bytes},
      {"urbit_ship_loom_use_ratio", &ShipObservation::loom_use_ratio},
      {"urbit_ship_serf_map_count", &ShipObservation::serf_map_count},
      {"urbit_ship_up", nullptr},  // names ships that have no other series yet
  };
  for (const auto& [metric, field] : ship_series) {
    for (const auto& last : newest(history, host, metric, now_ms)) {
      const std::string ship(last.label("ship"));
      if (ship.empty()) continue;
      auto& observation = ships[ship];
      observation.ship = ship;
      if (observation.pier.empty()) observation.pier = std::string(last.label("pier"));
      if (field != nullptr) observation.*field = last.value;
    }
  }
  for (auto& [name, ship] : ships) observed.ships.push_back(std::move(ship));

  for (const auto& last : newest(history, host, "node_memory_MemAvailable_bytes", now_ms)) {
    observed.mem_available_bytes = last.value;
  }
  for (const auto& last : newest(history, host, "node_memory_SwapFree_bytes", now_ms)) {
    observed.swap_free_bytes = last.value;
  }

  const auto receive = deviceRates(history, host, "node_network_receive_bytes_total", now_ms);
  const auto transmit = deviceRates(history, host, "node_network_transmit_bytes_total", now_ms);
  std::map<std::string, InterfaceObservation> interfaces;
  for (const auto& [device, rate] : receive) {
    interfaces[device].device = device;
    interfaces[device].receive_bytes_per_second = rate;
  }
  for (const auto& [device, rate] : transmit) {
    interfaces[device].device = device;
    interfaces[device].transmit_bytes_per_second = rate;
  }
  for (const auto& last : newest(history, host, "node_network_speed_bytes", now_ms)) {
    auto found = interfaces.find(std::string(last.label("device")));
    if (found != interfaces.end()) found->second.speed_bytes_per_second = last.value;
  }
  for (auto& [device, interface] : interfaces) observed.interfaces.push_back(std::move(interface));
  return observed;
}

}  // namespace tidemark::controller
