// Fleet-wide sums of the newest point of each resource series: how many hosts and
// ships there are, and how much disk, memory and loom is used out of how much.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "controller/planner/resource_series.h"

namespace tidemark::controller::planner {

struct CapacityTotal {
  double used = 0;
  double capacity = 0;
  double free() const { return capacity - used; }
};

struct FleetTotals {
  uint64_t hosts = 0;  // hosts with at least one resource series
  uint64_t ships = 0;  // distinct (host, ship) among pier and loom series
  // Only resources measured in bytes with a known capacity: disk, memory, loom.
  // Piers are left out: they live on the disks already counted.
  std::map<Resource, CapacityTotal> totals;
};

FleetTotals fleetTotals(const std::vector<ResourceSeries>& series);

// Ships seen on each host (pier and loom series), for "too many ships on one host".
std::map<std::string, uint64_t> shipsPerHost(const std::vector<ResourceSeries>& series);

}  // namespace tidemark::controller::planner
