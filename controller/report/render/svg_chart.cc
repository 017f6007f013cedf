#include "controller/report/render/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/config/duration.h"
#include "common/text/units.h"

namespace tidemark::report {

namespace {

constexpr int kLeft = 72;  // room for the value axis labels
constexpr int kRight = 12;
constexpr int kTop = 24;
constexpr int kBottom = 28;

struct Bounds {
  int64_t min_ms = std::numeric_limits<int64_t>::max();
  int64_t max_ms = std::numeric_limits<int64_t>::min();
  double min_value = std::numeric_limits<double>::infinity();
  double max_value = -std::numeric_limits<double>::infinity();
  bool empty() const { return min_ms > max_ms; }
  void add(const ChartPoint& point) {
    if (!std::isfinite(point.value)) return;
    min_ms = std::min(min_ms, point.ms);
    max_ms = std::max(max_ms, point.ms);
    min_value = std::min(min_value, point.value);
    max_value = std::max(max_value, point.value);
  }
};

std::string polyline(const std::vector<ChartPoint>& points, const Bounds& bounds, int width,
                     int height, std::string_view style) {
  const double plot_width = width - kLeft - kRight;
  const double plot_height = height - kTop - kBottom;
  const double span_ms = std::max<double>(1, static_cast<double>(bounds.max_ms - bounds.min_ms));
  const double span_value = bounds.max_value - bounds.min_value;
  std::string coordinates;
  for (const auto& point : points) {
    if (!std::isfinite(point.value)) continue;
    const double x = kLeft + plot_width * static_cast<double>(point.ms - bounds.min_ms) / span_ms;
    const double y = kTop + plot_height * (1 - (point.value - bounds.min_value) / span_value);
    coordinates += fmt::format("{:.1f},{:.1f} ", x, y);
  }
  if (coordinates.empty()) return "";
  coordinates.pop_back();
  return fmt::format("<polyline fill=\"none\" {} points=\"{}\"/>", style, coordinates);
}

}  // namespace

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string formatInUnit(double value, ValueUnit unit) {
  switch (unit) {
    case ValueUnit::kBytes: return formatBytes(value);
    case ValueUnit::kRatio: return formatPercent(value);
    case ValueUnit::kPlain: break;
  }
  if (!std::isfinite(value)) return "-";
  return std::fabs(value) >= 100 ? fmt::format("{:.0f}", value) : fmt::format("{:.3g}", value);
}

std::string renderSvgChart(const ChartSpec& chart) {
  Bounds bounds;
  for (const auto& point : chart.history) bounds.add(point);
  for (const auto& point : chart.projection) bounds.add(point);
  const int width = chart.width;
  const int height = chart.height;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "role=\"img\" aria-label=\"{2}\">"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"#ffffff\" stroke=\"#d0d7de\"/>"
      "<text x=\"{3}\" y=\"16\" font-size=\"13\" font-family=\"sans-serif\" fill=\"#24292f\">{2}</text>",
      width, height, escapeHtml(chart.title), kLeft);
  if (bounds.empty()) {
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" font-family=\"sans-serif\" fill=\"#57606a\">"
        "no history in this window</text></svg>",
        kLeft, height / 2);
    return svg;
  }
  if (chart.threshold && std::isfinite(*chart.threshold)) {
    bounds.min_value = std::min(bounds.min_value, *chart.threshold);
    bounds.max_value = std::max(bounds.max_value, *chart.threshold);
  }
  if (bounds.max_value == bounds.min_value) {
    // A flat line is drawn mid-height rather than dividing by zero.
    const double pad = bounds.max_value == 0 ? 1 : std::fabs(bounds.max_value) * 0.1;
    bounds.min_value -= pad;
    bounds.max_value += pad;
  }
  const int plot_bottom = height - kBottom;
  // Axes and their labels: the value range on the left, the time range below.
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#8c959f\"/>"
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"#8c959f\"/>",
      kLeft, kTop, plot_bottom, width - kRight);
  const auto label = [&](int x, int y, std::string_view anchor, const std::string& text) {
    svg += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"11\" font-family=\"sans-serif\" "
        "fill=\"#57606a\">{}</text>",
        x, y, anchor, escapeHtml(text));
  };
  label(kLeft - 4, kTop + 10, "end", formatInUnit(bounds.max_value, chart.unit));
  label(kLeft - 4, plot_bottom, "end", formatInUnit(bounds.min_value, chart.unit));
  label(kLeft, height - 8, "start", formatTimeMs(bounds.min_ms).substr(0, 10));
  label(width - kRight, height - 8, "end", formatTimeMs(bounds.max_ms).substr(0, 10));
  if (chart.threshold && std::isfinite(*chart.threshold)) {
    const double y = kTop + (height - kTop - kBottom) *
                                (1 - (*chart.threshold - bounds.min_value) /
                                         (bounds.max_value - bounds.min_value));
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#cf222e\" "
        "stroke-dasharray=\"2 3\"/>",
        kLeft, y, width - kRight, y);
    label(width - kRight, static_cast<int>(y) - 3, "end",
          "threshold " + formatInUnit(*chart.threshold, chart.unit));
  }
  svg += polyline(chart.history, bounds, width, height,
                  "stroke=\"#0969da\" stroke-width=\"2\" stroke-linejoin=\"round\"");
  svg += polyline(chart.projection, bounds, width, height,
                  "stroke=\"#bf8700\" stroke-width=\"2\" stroke-dasharray=\"6 4\"");
  svg += "</svg>";
  return svg;
}

}  // namespace tidemark::report
