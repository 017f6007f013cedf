#include "controller/planner/triggers/trigger_rule.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace tidemark::controller {

namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr double kGB = 1e9;

constexpr std::array<std::pair<TriggerResource, std::string_view>, 10> kResources{{
    {TriggerResource::kMemory, "memory"},
    {TriggerResource::kDisk, "disk"},
    {TriggerResource::kCpu, "cpu"},
    {TriggerResource::kDiskIo, "disk_io"},
    {TriggerResource::kNetwork, "network"},
    {TriggerResource::kShips, "ships"},
    {TriggerResource::kLoom, "loom"},
    {TriggerResource::kPierGrowth, "pier_growth"},
    {TriggerResource::kShipDown, "ship_down"},
    {TriggerResource::kMetric, "metric"},
}};
constexpr std::array<std::pair<TriggerAction, std::string_view>, 4> kActions{{
    {TriggerAction::kScaleUp, "scale_up"},
    {TriggerAction::kScaleOut, "scale_out"},
    {TriggerAction::kMaintenance, "maintenance"},
    {TriggerAction::kTune, "tune"},
}};
constexpr std::array<std::pair<TriggerSeverity, std::string_view>, 3> kSeverities{{
    {TriggerSeverity::kInfo, "info"},
    {TriggerSeverity::kWarning, "warning"},
    {TriggerSeverity::kCritical, "critical"},
}};

template <typename Enum, size_t N>
std::string_view nameOf(const std::array<std::pair<Enum, std::string_view>, N>& table, Enum value) {
  for (const auto& [entry, name] : table)
    if (entry == value) return name;
  return "unknown";
}

template <typename Enum, size_t N>
std::optional<Enum> parseName(const std::array<std::pair<Enum, std::string_view>, N>& table,
                              std::string_view text) {
  for (const auto& [entry, name] : table)
    if (name == text) return entry;
  return std::nullopt;
}

TriggerRule rule(std::string name, TriggerResource resource, TriggerRule::Comparison comparison,
                 double threshold, bool ratio, int64_t duration_ms, double clear_margin,
                 TriggerAction action, TriggerSeverity severity) {
  TriggerRule out;
  out.name = std::move(name);
  out.resource = resource;
  out.comparison = comparison;
  out.threshold = threshold;
  out.ratio = ratio;
  out.duration_ms = duration_ms;
  out.clear_margin = clear_margin;
  out.action = action;
  out.severity = severity;
  return out;
}

}  // namespace

std::vector<TriggerRule> defaultTriggerRules() {
  using R = TriggerResource;
  using A = TriggerAction;
  using S = TriggerSeverity;
  constexpr auto kAbove = TriggerRule::Comparison::kGreater;
  constexpr auto kAtLeast = TriggerRule::Comparison::kGreaterEqual;
  // Durations: RAM and CPU as the issue states them; I/O and network saturate in
  // bursts (backups, packs), so an hour of it, not a minute, is what calls for more
  // hardware; a ship restarting for maintenance is down for a minute or two.
  return {
      rule("memory_high", R::kMemory, kAbove, 0.80, true, 7 * 24 * kHourMs, 0.05, A::kScaleUp,
           S::kWarning),
      rule("disk_full", R::kDisk, kAbove, 0.85, true, 0, 0.05, A::kScaleUp, S::kWarning),
      rule("cpu_busy", R::kCpu, kAbove, 0.80, true, kHourMs, 0.05, A::kScaleUp, S::kWarning),
      rule("disk_io_busy", R::kDiskIo, kAbove, 0.70, true, kHourMs, 0.05, A::kScaleUp,
           S::kWarning),
      rule("network_busy", R::kNetwork, kAbove, 0.60, true, kHourMs, 0.05, A::kScaleOut,
           S::kWarning),
      rule("ships_per_host", R::kShips, kAtLeast, 10, false, 0, 1, A::kScaleOut, S::kInfo),
      rule("loom_full", R::kLoom, kAbove, 0.85, true, 0, 0.05, A::kMaintenance, S::kWarning),
      rule("pier_growth", R::kPierGrowth, kAbove, 10 * kGB, false, 0, 1 * kGB, A::kMaintenance,
           S::kInfo),
      rule("ship_down", R::kShipDown, kAtLeast, 1, false, 5 * kMinuteMs, 0.5, A::kMaintenance,
           S::kCritical),
  };
}

std::string_view resourceName(TriggerResource resource) { return nameOf(kResources, resource); }
std::optional<TriggerResource> parseResource(std::string_view name) {
  return parseName(kResources, name);
}
std::string_view actionName(TriggerAction action) { return nameOf(kActions, action); }
std::optional<TriggerAction> parseAction(std::string_view name) { return parseName(kActions, name); }
std::string_view severityName(TriggerSeverity severity) { return nameOf(kSeverities, severity); }
std::optional<TriggerSeverity> parseSeverity(std::string_view name) {
  return parseName(kSeverities, name);
}

bool resourceHasCapacity(TriggerResource resource) {
  switch (resource) {
    case TriggerResource::kMemory:
    case TriggerResource::kDisk:
    case TriggerResource::kCpu:
    case TriggerResource::kDiskIo:
    case TriggerResource::kNetwork:
    case TriggerResource::kLoom:
      return true;
    default:
      return false;
  }
}

std::string describeCondition(const TriggerRule& rule) {
  std::string_view op;
  switch (rule.comparison) {
    case TriggerRule::Comparison::kGreater: op = ">"; break;
    case TriggerRule::Comparison::kGreaterEqual: op = ">="; break;
    case TriggerRule::Comparison::kLess: op = "<"; break;
    case TriggerRule::Comparison::kLessEqual: op = "<="; break;
  }
  if (rule.ratio) return fmt::format("{} {:g}%", op, rule.threshold * 100);
  return fmt::format("{} {:g}", op, rule.threshold);
}

}  // namespace tidemark::controller
