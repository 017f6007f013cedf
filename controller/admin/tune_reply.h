// The reply to `tidemark tune ...`: runs the verb on the tuning service and fills
// response.tune (proposals, audit entries, or what a change did).
#pragma once

#include "controller/tuning/tuning_service.h"
#include "schemas/admin.capnp.h"

namespace tidemark::controller {

// Throws TuningError (std::invalid_argument) for a request the service refuses.
void answerTune(TuningService& tuning, schema::TuneRequest::Reader request, const AdminPeer& peer,
                schema::AdminResponse::Builder response);

void fillProposalInfo(const Proposal& proposal, schema::ProposalInfo::Builder out);

}  // namespace tidemark::controller
