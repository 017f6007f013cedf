// The fields a proposal shares between its RocksDB record (TuningProposalRecord) and
// the admin reply (ProposalInfo): both Cap'n Proto builders have the same setters.
#pragma once

#include "controller/tuning/proposal.h"

namespace tidemark::controller {

template <typename ProposalBuilder>
void fillSharedProposalFields(const Proposal& proposal, ProposalBuilder out) {
  out.setId(proposal.id);
  out.setHost(proposal.host);
  out.setKnob(proposal.knob);
  out.setValue(proposal.value);
  out.setCurrent(proposal.current);
  out.setState(proposalStateName(proposal.state));
  out.setReason(proposal.reason);
  auto evidence = out.initEvidence(static_cast<unsigned>(proposal.evidence.size()));
  for (size_t i = 0; i < proposal.evidence.size(); ++i) evidence.set(i, proposal.evidence[i]);
  out.setSource(proposal.source);
  out.setCreatedMs(proposal.created_ms);
  out.setUpdatedMs(proposal.updated_ms);
  out.setRollout(proposal.rollout);
  out.setCanary(proposal.canary);
  out.setAgentMessage(proposal.agent_message);
  out.setRestoreCommand(proposal.restore_command);
}

}  // namespace tidemark::controller
