// The report as one JSON document (what `tidemark report --format json` writes) and the
// views of it that every output format shares: which forecasts are nearest to
// exhaustion, which ships grow fastest, how a value is shown. Keys: README "Reports".
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "controller/report/render/svg_chart.h"

namespace tidemark::report {

using Rows = std::vector<const nlohmann::json*>;

// Forecasts charted in a report (the nearest to exhaustion); only these keep their
// history in the document, so a large fleet's report stays small.
inline constexpr size_t kChartedForecasts = 12;

// The unit of a forecast's current value and slope: its "unit" key ("bytes", "ratio"),
// else its resource's (cpu and io are busy fractions, network bytes/s, the rest bytes).
// Its "threshold" is always a fraction of its "capacity".
ValueUnit unitOf(const nlohmann::json& forecast);

// Forecasts with a time to threshold, soonest first, then the rest by how full they
// are; at most `limit`.
Rows nearestExhaustion(const nlohmann::json& report, size_t limit);
// Ships by pier growth per day, fastest first; ships without a growth figure last.
Rows shipsByPierGrowth(const nlohmann::json& report, size_t limit);
// Ships by loom use, fullest first.
Rows shipsByLoomUse(const nlohmann::json& report, size_t limit);

// {"mountpoint":"/","device":"sda"} -> "device=sda mountpoint=/"; "" for none.
std::string labelsText(const nlohmann::json& labels);
// A number key or "-" when absent or null, in the given unit.
std::string cell(const nlohmann::json& row, const char* key, ValueUnit unit = ValueUnit::kPlain);
// A millisecond timestamp key as RFC 3339, or "-".
std::string timeCell(const nlohmann::json& row, const char* key);
// "12.5 d", "never" (null: not growing towards the threshold).
std::string daysCell(const nlohmann::json& forecast);

// The chart of a forecast: its "history" ([[ms, value], ...]) and a projection from its
// current value along slope_per_day, up to the threshold (or 30 days when it never gets
// there), but no further ahead than the history reaches back (at least a week).
ChartSpec chartOf(const nlohmann::json& forecast, int64_t now_ms);

}  // namespace tidemark::report
