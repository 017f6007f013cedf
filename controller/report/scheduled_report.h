// The build function of the controller's scheduled reports: the same admin requests
// `tidemark report` sends, answered by the controller's own handler in-process.
#pragma once

#include "controller/admin/admin_handler.h"
#include "controller/cli/report.h"
#include "controller/report/report_schedule.h"

namespace tidemark::controller {

// An AdminCall answered by `handler` without a socket; an error reply throws.
cli::AdminCall inProcessAdminCall(const AdminHandler& handler);

// Builds the report document through `handler` (kept by value: it holds only references
// to the store and tables, which outlive the schedule).
ReportBuildFunction scheduledReportBuilder(AdminHandler handler);

}  // namespace tidemark::controller
