#include "controller/tuning/proposal.h"

#include <array>
#include <utility>

namespace tidemark::controller {

namespace {

constexpr std::array<std::pair<ProposalState, const char*>, 6> kStateNames = {{
    {ProposalState::kProposed, "proposed"},
    {ProposalState::kApproved, "approved"},
    {ProposalState::kApplied, "applied"},
    {ProposalState::kFailed, "failed"},
    {ProposalState::kRolledBack, "rolled_back"},
    {ProposalState::kRejected, "rejected"},
}};

}  // namespace

const char* proposalStateName(ProposalState state) {
  for (const auto& [value, name] : kStateNames) {
    if (value == state) return name;
  }
  return "proposed";
}

std::optional<ProposalState> parseProposalState(std::string_view name) {
  for (const auto& [value, known] : kStateNames) {
    if (name == known) return value;
  }
  return std::nullopt;
}

bool isOpen(ProposalState state) {
  return state == ProposalState::kProposed || state == ProposalState::kApproved ||
         state == ProposalState::kApplied;
}

bool isMaintenanceKnob(std::string_view knob) {
  for (std::string_view job : {"ship.pack:", "ship.pack_live:", "ship.meld:", "ship.roll_chop:"}) {
    if (knob.starts_with(job)) return true;
  }
  return false;
}

}  // namespace tidemark::controller
