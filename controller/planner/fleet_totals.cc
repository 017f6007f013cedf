#include "controller/planner/fleet_totals.h"

#include <set>
#include <utility>

namespace tidemark::controller::planner {

namespace {

std::string shipOf(const ResourceSeries& series) {
  for (const auto& label : series.labels) {
    if (label.name == "ship") return label.value;
  }
  return {};
}

bool isShipResource(Resource resource) {
  return resource == Resource::kPier || resource == Resource::kLoom;
}

}  // namespace

FleetTotals fleetTotals(const std::vector<ResourceSeries>& series) {
  FleetTotals fleet;
  std::set<std::string> hosts;
  std::set<std::pair<std::string, std::string>> ships;
  for (const auto& one : series) {
    hosts.insert(one.host);
    if (isShipResource(one.resource)) ships.emplace(one.host, shipOf(one));
    const bool bytes = one.resource == Resource::kDisk || one.resource == Resource::kMemory ||
                       one.resource == Resource::kLoom;
    if (!bytes || one.used.empty() || one.capacity <= 0) continue;
    CapacityTotal& total = fleet.totals[one.resource];
    total.used += one.used.back();
    total.capacity += one.capacity;
  }
  fleet.hosts = hosts.size();
  fleet.ships = ships.size();
  return fleet;
}

std::map<std::string, uint64_t> shipsPerHost(const std::vector<ResourceSeries>& series) {
  std::set<std::pair<std::string, std::string>> ships;
  for (const auto& one : series) {
    if (isShipResource(one.resource)) ships.emplace(one.host, shipOf(one));
  }
  std::map<std::string, uint64_t> per_host;
  for (const auto& [host, ship] : ships) ++per_host[host];
  return per_host;
}

}  // namespace tidemark::controller::planner
