// Puts the report document together from what `tidemark plan --json`, `tidemark
// triggers --json` and `tidemark ships --json` print, so a report shows exactly the
// figures those commands show, whether the CLI or the controller's schedule makes it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>

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
nlohmann::json assembleReport(const ReportParts& parts, int64_t generated_at_ms, int64_t since_ms);

}  // namespace tidemark::report
