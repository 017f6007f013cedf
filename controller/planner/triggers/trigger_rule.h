// A scaling trigger rule: which resource (or raw metric) to watch, the condition and
// how long it must hold, and what the operator should do when it fires. Rules come
// from the controller's config (trigger_config.h) or defaultTriggerRules().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::controller {

// What a rule watches. Each resource yields one value per subject (host, or host
// plus labels such as a filesystem, device or ship), see trigger_sources.h.
enum class TriggerResource {
  kMemory,      // used RAM / total, per host
  kDisk,        // used / size, per filesystem
  kCpu,         // busy CPU time / all CPU time, per host
  kDiskIo,      // time the device was busy / wall time, per block device
  kNetwork,     // bytes/s (the busier direction) / link speed, per interface
  kShips,       // ships up on a host (a count)
  kLoom,        // a ship's loom use / its loom size
  kPierGrowth,  // a ship's pier growth in bytes per 30 days (trend slope)
  kShipDown,    // 1 while a ship is down, else 0
  kMetric,      // any stored metric, compared as it is (TriggerRule::metric)
};

enum class TriggerAction { kScaleUp, kScaleOut, kMaintenance, kTune };
enum class TriggerSeverity { kInfo, kWarning, kCritical };

struct TriggerRule {
  // Unique among the rules; keys the persisted state. Required.
  std::string name;
  TriggerResource resource = TriggerResource::kMetric;
  // The metric name when resource is kMetric; empty otherwise.
  std::string metric;
  // Breach when `value comparison threshold` holds.
  enum class Comparison { kGreater, kGreaterEqual, kLess, kLessEqual };
  Comparison comparison = Comparison::kGreater;
  double threshold = 0;
  // The threshold was written as a percentage or ratio of capacity (resources with a
  // capacity compare used/capacity), else as an absolute amount in the value's unit.
  bool ratio = true;
  // The condition must hold this long before the rule fires. Default: 0 (at once).
  int64_t duration_ms = 0;
  // Hysteresis: a firing rule resolves once the value is on the safe side of
  // threshold by more than clear_margin (same unit as threshold), or once the
  // condition stayed false for clear_after_ms. Defaults: 5 points, 15 min.
  double clear_margin = 0.05;
  int64_t clear_after_ms = 15 * 60'000;
  TriggerAction action = TriggerAction::kScaleUp;
  TriggerSeverity severity = TriggerSeverity::kWarning;

  bool below() const {
    return comparison == Comparison::kLess || comparison == Comparison::kLessEqual;
  }
  bool breached(double value) const {
    switch (comparison) {
      case Comparison::kGreater: return value > threshold;
      case Comparison::kGreaterEqual: return value >= threshold;
      case Comparison::kLess: return value < threshold;
      case Comparison::kLessEqual: return value <= threshold;
    }
    return false;
  }
  // Far enough on the safe side to resolve at once.
  bool cleared(double value) const {
    return below() ? value > threshold + clear_margin : value < threshold - clear_margin;
  }
};

// The rules the field experience asks for; used when the config names none.
std::vector<TriggerRule> defaultTriggerRules();

std::string_view resourceName(TriggerResource resource);
std::optional<TriggerResource> parseResource(std::string_view name);
std::string_view actionName(TriggerAction action);
std::optional<TriggerAction> parseAction(std::string_view name);
std::string_view severityName(TriggerSeverity severity);
std::optional<TriggerSeverity> parseSeverity(std::string_view name);

// Whether a resource's values have a capacity, so a ratio threshold means used/capacity.
bool resourceHasCapacity(TriggerResource resource);

// "> 80%", "< 10GiB", ">= 10" as written in a rule, for messages and the CLI.
std::string describeCondition(const TriggerRule& rule);

}  // namespace tidemark::controller
