// The series a simulated agent reports: node_exporter-like names and labels (CPU by
// mode, memory, vmstat, disks, network devices, filesystems, ...) and a value model
// per series (counters that only grow, noisy gauges that wander around a level,
// constants), so the controller sees what a real host sends, not random bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/metrics/series.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::fleet_sim {

enum class SeriesKind { kCounter, kGauge, kConstant };

struct SeriesTemplate {
  std::string name;
  Labels labels;  // sorted by name
  SeriesKind kind = SeriesKind::kGauge;
  double start = 0;  // counters: value at start; gauges: the level; constants: the value
  double rate = 0;   // counters: mean increase per second
  double noise = 0;  // gauges: relative standard deviation around the level
  double step = 1;   // values are multiples of this (0.01 for USER_HZ seconds, 1 for bytes)
};

// Exactly `count` series: a base set, then blocks of per-CPU, per-disk,
// per-interface and per-filesystem series in turn until `count` is reached.
std::vector<SeriesTemplate> buildCatalog(size_t count);

// Small, fast, seedable generator (SplitMix64).
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Roughly standard normal (sum of four uniforms, scaled): cheap and bounded.
  double normal() {
    return (uniform() + uniform() + uniform() + uniform() - 2.0) * 1.7320508075688772;
  }

 private:
  uint64_t state_;
};

// One host's current values of every catalog series.
class HostValues {
 public:
  HostValues(const std::vector<SeriesTemplate>& catalog, uint64_t seed);
  // Advances every series by `seconds` and writes the values into `out`.
  void advance(const std::vector<SeriesTemplate>& catalog, double seconds,
               std::vector<double>& out);

 private:
  Random random_;
  double scale_;  // this host's size relative to the catalog's (0.5 .. 2)
  std::vector<double> values_;
};

}  // namespace tidemark::fleet_sim
