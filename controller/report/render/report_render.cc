#include "controller/report/render/report_render.h"

#include <stdexcept>

namespace tidemark::report {

ReportFormat parseReportFormat(std::string_view name) {
  if (name == "md" || name == "markdown") return ReportFormat::kMarkdown;
  if (name == "html") return ReportFormat::kHtml;
  if (name == "json") return ReportFormat::kJson;
  throw std::invalid_argument("unknown report format '" + std::string(name) +
                              "': expected md, html or json");
}

std::string_view extensionOf(ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown: return "md";
    case ReportFormat::kHtml: return "html";
    case ReportFormat::kJson: return "json";
  }
  return "txt";
}

std::string renderReport(const nlohmann::json& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kMarkdown: return renderMarkdown(report);
    case ReportFormat::kHtml: return renderHtml(report);
    case ReportFormat::kJson: return report.dump(2) + "\n";
  }
  return {};
}

}  // namespace tidemark::report
