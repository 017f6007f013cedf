// The planner's Plan as the admin protocol's PlanReply (see admin.capnp).
#pragma once

#include "controller/planner/plan.h"
#include "schemas/admin.capnp.h"

namespace tidemark::controller {

void fillPlanReply(const planner::Plan& plan, schema::PlanReply::Builder reply);

}  // namespace tidemark::controller
