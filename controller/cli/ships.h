// `tidemark ships`: the controller's ship list (see ShipInfo in admin.capnp) as a
// table for people and JSON for scripts. Rendering only; the join is on the controller.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "schemas/admin.capnp.h"

namespace tidemark::cli {

// {"ships": [{"host", "ship", "pier", "status": "up"|"down", "pier_bytes", ...}]};
// unknown numbers and times are null.
nlohmann::json shipsJson(capnp::List<schema::ShipInfo>::Reader ships);
std::string shipsText(capnp::List<schema::ShipInfo>::Reader ships, int64_t now_ms);

}  // namespace tidemark::cli
