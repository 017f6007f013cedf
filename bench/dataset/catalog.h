// The series of one simulated node, shaped like node_exporter's: the same metric
// names and labels, and value behaviour like a real host's (counters that grow in
// steps, noisy gauges, constants, rarely changing series). Every host of the fleet
// has the same catalog; their values differ by seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tidemark::bench {

// How a series' value moves from one scrape to the next.
enum class Model {
  kCpuSeconds,    // counter, + ~rate*interval with noise, 2 decimals (USER_HZ ticks)
  kMillis,        // counter of seconds with millisecond resolution (disk io time)
  kByteCounter,   // counter of bytes, bursty growth, integer
  kEventCounter,  // counter of events, Poisson-like growth, integer
  kRareCounter,   // counter that moves a few times a day (errors, drops)
  kPageGauge,     // bytes in 4 KiB pages, random walk every scrape (memory)
  kSlowGauge,     // bytes that change every few minutes (filesystem free)
  kConstant,      // never changes (sizes, boot time, mtu)
  kLoad,          // mean-reverting, 2 decimals (load averages, PSI averages)
  kSmallInt,      // small integer gauge (procs running, io in progress)
  kFullFloat,     // a float with every digit used (clock offset, temperatures in 1/1000)
  kWallClock,     // node_time_seconds: the scrape time in seconds with microseconds
  kPState,        // CPU frequency: one of a few P-states, switching now and then
};

struct SeriesSpec {
  std::string family;  // # TYPE name (counters without _total)
  std::string name;    // sample name
  std::string labels;  // rendered, e.g. cpu="0",mode="idle" (no braces); empty: none
  bool counter = false;
  Model model = Model::kConstant;
  double base = 0;  // starting value, or the gauge's centre
  double rate = 0;  // counters: mean growth per second; gauges: noise scale
};

// The first `series` specs of a node's catalog, grouped by family (families in a
// fixed order). Grows the number of CPUs, disks and sensors until `series` is reached.
std::vector<SeriesSpec> nodeCatalog(size_t series);

}  // namespace tidemark::bench
