// Turns the report document (report_document.h) into what an operator reads: Markdown
// for chat and tickets, self-contained HTML with inline SVG charts for a browser, or
// the JSON itself for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace tidemark::report {

enum class ReportFormat { kMarkdown, kHtml, kJson };

// "md", "html" or "json"; throws std::invalid_argument naming the bad value.
ReportFormat parseReportFormat(std::string_view name);
// The file name extension of a format, without the dot.
std::string_view extensionOf(ReportFormat format);

std::string renderReport(const nlohmann::json& report, ReportFormat format);
std::string renderMarkdown(const nlohmann::json& report);
std::string renderHtml(const nlohmann::json& report);

}  // namespace tidemark::report
