// `tidemark report`: gathers the plan, the ships, the firing triggers and the history
// of the charted forecasts through admin requests, and assembles the report document.
// The controller's scheduled reports make the same requests in-process.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>

#include "controller/cli/progress.h"
#include "schemas/admin.capnp.h"

namespace tidemark::cli {

// One admin round trip: AdminClient::call over the socket, or the controller's own
// handler. Throws std::runtime_error for an error reply.
using AdminCall = std::function<void(const std::function<void(schema::AdminRequest::Builder)>&,
                                     const std::function<void(schema::AdminResponse::Reader)>&)>;

// The report document (controller/report/render/report_document.h) for history since
// `since_ms`; `progress` (may be null) is told each request.
nlohmann::json collectReport(const AdminCall& call, int64_t since_ms, int64_t now_ms,
                             Progress* progress);

}  // namespace tidemark::cli
