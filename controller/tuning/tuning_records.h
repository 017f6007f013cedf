// Byte encodings of the tuning service's records (schemas/tuning_records.capnp) and of
// the newest knob report per host (the agent link's own encoding).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/wire/agent_link_codec.h"
#include "controller/tuning/proposal.h"

namespace tidemark::controller {

std::string encodeProposal(const Proposal& proposal);
// Nullopt when the bytes are not a TuningProposalRecord.
std::optional<Proposal> decodeProposal(std::string_view bytes);

std::string encodeAuditEntry(const AuditEntry& entry);
std::optional<AuditEntry> decodeAuditEntry(std::string_view bytes);

std::string encodeKnobReport(const wire::KnobReportData& report);
std::optional<wire::KnobReportData> decodeKnobReport(std::string_view bytes);

}  // namespace tidemark::controller
