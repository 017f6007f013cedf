// The reply to `tidemark triggers`: each trigger state joined with its rule (action,
// severity, condition), firing first so the list reads as a to-do list.
#pragma once

#include "controller/planner/triggers/trigger_evaluator.h"
#include "schemas/admin.capnp.h"

namespace tidemark::controller {

// Fills response.triggers with pending and firing states (and resolved ones when
// `include_resolved`), ordered firing, pending, resolved, then by rule, host, labels.
void fillTriggerList(const TriggerEvaluator& evaluator, bool include_resolved,
                     schema::AdminResponse::Builder response);

}  // namespace tidemark::controller
