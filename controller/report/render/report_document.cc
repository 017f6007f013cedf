#include "controller/report/render/report_document.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/config/duration.h"

namespace tidemark::report {

namespace {

constexpr double kDayMs = 86'400'000.0;

double numberOr(const nlohmann::json& row, const char* key, double fallback) {
  auto it = row.find(key);
  if (it == row.end() || !it->is_number()) return fallback;
  const double value = it->get<double>();
  return std::isfinite(value) ? value : fallback;
}

Rows arrayRows(const nlohmann::json& report, const char* key) {
  Rows rows;
  auto it = report.find(key);
  if (it == report.end() || !it->is_array()) return rows;
  for (const auto& row : *it)
    if (row.is_object()) rows.push_back(&row);
  return rows;
}

Rows firstN(Rows rows, size_t limit) {
  if (rows.size() > limit) rows.resize(limit);
  return rows;
}

}  // namespace

ValueUnit unitOf(const nlohmann::json& forecast) {
  const std::string unit = forecast.value("unit", "");
  if (unit == "bytes") return ValueUnit::kBytes;
  if (unit == "ratio") return ValueUnit::kRatio;
  if (!unit.empty()) return ValueUnit::kPlain;
  const std::string resource = forecast.value("resource", "");
  // The planner's loom is the bytes in use (the use ratio times the loom size).
  if (resource == "disk" || resource == "memory" || resource == "pier" || resource == "loom")
    return ValueUnit::kBytes;
  if (resource == "cpu" || resource == "io") return ValueUnit::kRatio;
  return ValueUnit::kPlain;
}

Rows nearestExhaustion(const nlohmann::json& report, size_t limit) {
  Rows rows = arrayRows(report, "forecasts");
  const auto fullness = [](const nlohmann::json* row) {
    const double limit = numberOr(*row, "threshold", 0) * numberOr(*row, "capacity", 0);
    return limit > 0 ? numberOr(*row, "current", 0) / limit : 0.0;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const nlohmann::json* a, const nlohmann::json* b) {
    const double inf = std::numeric_limits<double>::infinity();
    const double days_a = numberOr(*a, "days_to_threshold", inf);
    const double days_b = numberOr(*b, "days_to_threshold", inf);
    if (days_a != days_b) return days_a < days_b;
    return fullness(a) > fullness(b);
  });
  return firstN(std::move(rows), limit);
}

Rows shipsByPierGrowth(const nlohmann::json& report, size_t limit) {
  Rows rows = arrayRows(report, "ships");
  std::stable_sort(rows.begin(), rows.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
    const double low = -std::numeric_limits<double>::infinity();
    return numberOr(*a, "pier_growth_bytes_per_day", low) >
           numberOr(*b, "pier_growth_bytes_per_day", low);
  });
  return firstN(std::move(rows), limit);
}

Rows shipsByLoomUse(const nlohmann::json& report, size_t limit) {
  Rows rows = arrayRows(report, "ships");
  std::stable_sort(rows.begin(), rows.end(), [](const nlohmann::json* a, const nlohmann::json* b) {
    return numberOr(*a, "loom_use_ratio", -1) > numberOr(*b, "loom_use_ratio", -1);
  });
  return firstN(std::move(rows), limit);
}

std::string labelsText(const nlohmann::json& labels) {
  if (!labels.is_object()) return "";
  std::string text;
  for (const auto& [name, value] : labels.items()) {  // nlohmann keeps keys sorted
    if (!text.empty()) text += ' ';
    text += name + '=' + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

std::string cell(const nlohmann::json& row, const char* key, ValueUnit unit) {
  auto it = row.find(key);
  if (it == row.end() || !it->is_number()) return "-";
  return formatInUnit(it->get<double>(), unit);
}

std::string timeCell(const nlohmann::json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end()) return "-";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer() && it->get<int64_t>() != 0) return formatTimeMs(it->get<int64_t>());
  return "-";
}

std::string daysCell(const nlohmann::json& forecast) {
  auto it = forecast.find("days_to_threshold");
  if (it == forecast.end() || !it->is_number()) return "never";
  const double days = it->get<double>();
  if (days <= 0) return "now";
  return days < 10 ? fmt::format("{:.1f} d", days) : fmt::format("{:.0f} d", days);
}

ChartSpec chartOf(const nlohmann::json& forecast, int64_t now_ms) {
  ChartSpec chart;
  chart.unit = unitOf(forecast);
  chart.title = fmt::format("{} {} {}", forecast.value("host", ""), forecast.value("resource", ""),
                            labelsText(forecast.value("labels", nlohmann::json::object())));
  if (auto it = forecast.find("history"); it != forecast.end() && it->is_array()) {
    for (const auto& point : *it) {
      if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_number())
        continue;
      chart.history.push_back({point[0].get<int64_t>(), point[1].get<double>()});
    }
  }
  // The threshold is a fraction of capacity; the chart draws it in the series' unit.
  const double threshold = numberOr(forecast, "threshold", NAN) * numberOr(forecast, "capacity", NAN);
  if (std::isfinite(threshold) && threshold > 0) chart.threshold = threshold;
  const double current = numberOr(forecast, "current", NAN);
  const double slope = numberOr(forecast, "slope_per_day", NAN);
  if (std::isfinite(current) && std::isfinite(slope)) {
    const int64_t start_ms = chart.history.empty() ? now_ms : chart.history.back().ms;
    double days = 30;
    if (auto it = forecast.find("days_to_threshold"); it != forecast.end() && it->is_number())
      days = std::clamp(it->get<double>() * 1.1, 1.0, 365.0);
    // The projection reaches no further ahead than the history reaches back (a week at
    // least), so the history stays readable; the table says when the threshold is met.
    const double history_days =
        chart.history.empty() ? 0 : static_cast<double>(start_ms - chart.history.front().ms) / kDayMs;
    days = std::min(days, std::max(history_days, 7.0));
    chart.projection = {{start_ms, current},
                        {start_ms + static_cast<int64_t>(days * kDayMs), current + slope * days}};
  }
  return chart;
}

}  // namespace tidemark::report
