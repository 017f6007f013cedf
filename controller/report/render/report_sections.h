// The report's sections as rows of cells, in the order an operator reads them, so the
// Markdown and HTML renderers differ only in markup.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace tidemark::report {

struct Section {
  std::string title;
  std::string empty_text;  // shown instead of a table without rows
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// Fleet, nearest exhaustion, firing triggers, ships by pier growth, ships by loom
// use, pending tuning proposals.
std::vector<Section> reportSections(const nlohmann::json& report);

// "generated 2026-11-23T17:00:00Z, history since 2026-10-24T17:00:00Z".
std::string reportSubtitle(const nlohmann::json& report);

}  // namespace tidemark::report
