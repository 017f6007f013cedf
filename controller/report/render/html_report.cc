#include <fmt/format.h>

#include <string>

#include "controller/report/render/report_document.h"
#include "controller/report/render/report_render.h"
#include "controller/report/render/report_sections.h"
#include "controller/report/render/svg_chart.h"

namespace tidemark::report {

namespace {

// Charts for the forecasts nearest exhaustion; more would make the page slow to read.
constexpr size_t kCharts = 12;

constexpr const char* kStyle =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#24292f;background:#f6f8fa}"
    "h1{margin-bottom:0}p.subtitle{color:#57606a;margin-top:.3em}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em;background:#fff}"
    "th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;font-size:14px}"
    "th{background:#eaeef2}td.empty{color:#57606a}"
    ".charts{display:flex;flex-wrap:wrap;gap:12px}";

std::string htmlTable(const Section& section) {
  std::string out = "<h2>" + escapeHtml(section.title) + "</h2>\n";
  if (section.rows.empty())
    return out + "<p class=\"empty\">" + escapeHtml(section.empty_text) + "</p>\n";
  out += "<table><thead><tr>";
  for (const auto& header : section.headers) out += "<th>" + escapeHtml(header) + "</th>";
  out += "</tr></thead><tbody>\n";
  for (const auto& row : section.rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + escapeHtml(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</tbody></table>\n";
}

}  // namespace

std::string renderHtml(const nlohmann::json& report) {
  const std::string title = report.value("title", std::string("Tidemark fleet report"));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title>"
      "<style>{1}</style></head>\n<body>\n<h1>{0}</h1>\n<p class=\"subtitle\">{2}</p>\n",
      escapeHtml(title), kStyle, escapeHtml(reportSubtitle(report)));
  const auto sections = reportSections(report);
  // Fleet and the nearest-exhaustion table first, then their charts, then the rest.
  for (size_t i = 0; i < sections.size(); ++i) {
    out += htmlTable(sections[i]);
    if (i != 1) continue;
    const int64_t now_ms = report.value("generated_at_ms", int64_t{0});
    const Rows charted = nearestExhaustion(report, kCharts);
    if (charted.empty()) continue;
    out += "<h2>History and forecast</h2>\n<div class=\"charts\">\n";
    for (const auto* forecast : charted) out += renderSvgChart(chartOf(*forecast, now_ms)) + "\n";
    out += "</div>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace tidemark::report
