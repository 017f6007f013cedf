// Puts the report document together from what `tidemark plan --json`, `tidemark
// triggers --json` and `tidemark ships --json` print, so a report shows exactly the
// figures those commands show, whether the CLI or the controller's schedule makes it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace tidemark::report {

struct ReportParts {
  nlohmann::json plan;      // {"since","until","forecasts":[...],"fleet":{...}}
  nlohmann::json triggers;  // {"triggers":[...]}: the firing ones are reported
  nlohmann::json ships;     // {"ships":[...]}
  nlohmann::json proposals = nlohmann::json::array();  // pending tuning proposals
};

// The document report_document.h reads: fleet figures flattened to one level
// ("disk_used_bytes", "disk_months_of_headroom", ...), forecasts as in the plan (with
// "history" where the plan carried it), firing triggers, ships with their pier growth
// per day joined from the pier forecasts.
// Only the charted forecasts (report_document.h) keep their history.
nlohmann::json assembleReport(const ReportParts& parts, int64_t generated_at_ms, int64_t since_ms);

// The hosts of the forecasts a report charts, nearest exhaustion first, each once:
// whose history to fetch.
std::vector<std::string> chartedHosts(const nlohmann::json& plan);

// Copies the "history" of each forecast in `host_plan` (one host's plan, asked with
// history) onto the forecast of the same host, resource and labels in `plan`.
void attachHistory(nlohmann::json& plan, const nlohmann::json& host_plan);

}  // namespace tidemark::report
