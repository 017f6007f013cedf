// A line chart as inline SVG (history, the forecast's projection, the threshold), so an
// HTML report needs no script, no network and no image files to be read in a browser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::report {

enum class ValueUnit { kPlain, kBytes, kRatio };

struct ChartPoint {
  int64_t ms = 0;
  double value = 0;
};

struct ChartSpec {
  std::string title;
  std::vector<ChartPoint> history;
  std::vector<ChartPoint> projection;  // the forecast, drawn dashed; may be empty
  std::optional<double> threshold;     // drawn as a horizontal line
  ValueUnit unit = ValueUnit::kPlain;
  int width = 640;
  int height = 220;
};

// The chart as an <svg> element. Non-finite points are skipped; a chart with no
// finite point says so instead of drawing empty axes.
std::string renderSvgChart(const ChartSpec& chart);

// A value in the chart's unit, for axis labels and tables ("1.50 GiB", "85%", "12.5").
std::string formatInUnit(double value, ValueUnit unit);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string escapeHtml(std::string_view text);

}  // namespace tidemark::report
