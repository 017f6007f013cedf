// `tidemark triggers`: the controller's trigger states (see TriggerInfo in
// admin.capnp) as a table for people and JSON for scripts. Rendering only.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "schemas/admin.capnp.h"

namespace tidemark::cli {

// {"triggers": [{"rule", "host", "labels": {...}, "resource", "condition", "action",
// "severity", "state", "since", "resolved_at", "value", "value_time", ...}]}; times
// RFC 3339, null when unknown; value as compared (a fraction for ratio conditions).
nlohmann::json triggersJson(capnp::List<schema::TriggerInfo>::Reader triggers);
std::string triggersText(capnp::List<schema::TriggerInfo>::Reader triggers, int64_t now_ms);

}  // namespace tidemark::cli
