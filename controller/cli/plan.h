// `tidemark plan`: the controller's capacity forecasts (PlanReply in admin.capnp) as
// a table for people, nearest exhaustion first, and JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "schemas/admin.capnp.h"

namespace tidemark::cli {

// {"since", "until", "forecasts": [{"host", "resource", "labels": {...}, "current",
// "capacity", "threshold", "slope_per_day", "days_to_threshold", "fit", ...}],
// "fleet": {"hosts", "ships", "resources": [...]}}; unknown numbers are null.
nlohmann::json planJson(schema::PlanReply::Reader plan);
std::string planText(schema::PlanReply::Reader plan);

}  // namespace tidemark::cli
