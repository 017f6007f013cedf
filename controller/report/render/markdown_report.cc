#include <string>

#include "controller/report/render/report_render.h"
#include "controller/report/render/report_sections.h"

namespace tidemark::report {

namespace {

// A cell must not end its row early or break the table.
std::string markdownCell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string markdownRow(const std::vector<std::string>& cells) {
  std::string line = "|";
  for (const auto& cell : cells) line += " " + markdownCell(cell) + " |";
  return line + "\n";
}

}  // namespace

std::string renderMarkdown(const nlohmann::json& report) {
  std::string out = "# " + report.value("title", std::string("Tidemark fleet report")) + "\n\n";
  out += reportSubtitle(report) + "\n";
  for (const auto& section : reportSections(report)) {
    out += "\n## " + section.title + "\n\n";
    if (section.rows.empty()) {
      out += section.empty_text + "\n";
      continue;
    }
    out += markdownRow(section.headers);
    out += "|";
    for (size_t i = 0; i < section.headers.size(); ++i) out += " --- |";
    out += "\n";
    for (const auto& row : section.rows) out += markdownRow(row);
  }
  return out;
}

}  // namespace tidemark::report
