// TuningService's staged roll-outs. A roll-out is the proposals approved together;
// its state lives in them (canary flag, state, pending command, applied time), so
// it survives a restart with them:
// * canaries in flight: wait;
// * a canary failed (or was rolled back): stop;
// * every canary applied: watch them for the health window (host healthy, no drift),
//   stop when one is not, then send the rest.
// Stopping rolls back the canaries that applied and returns the rest to `proposed`.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "controller/tuning/tuning_service.h"

namespace tidemark::controller {

namespace {

// Waiting for the canaries: approved, no command queued or sent yet.
bool waiting(const Proposal& proposal) {
  return !proposal.canary && proposal.state == ProposalState::kApproved &&
         proposal.command == PendingCommand::kNone;
}

}  // namespace

void TuningService::progressRollouts(int64_t now_ms) {
  // A roll-out needs watching while it has changes waiting, or canaries in flight
  // (a canary that applies after its roll-out stopped must be rolled back too).
  std::set<uint64_t> active;
  for (const auto& [id, proposal] : proposals_) {
    if (proposal.rollout == 0) continue;
    if (waiting(proposal) || (proposal.canary && proposal.state == ProposalState::kApproved)) {
      active.insert(proposal.rollout);
    }
  }
  for (uint64_t rollout : active) progressRollout(rollout, now_ms);
}

void TuningService::progressRollout(uint64_t rollout, int64_t now_ms) {
  std::vector<Proposal*> canaries;
  size_t waiting_count = 0;
  for (auto& [id, proposal] : proposals_) {
    if (proposal.rollout != rollout) continue;
    if (proposal.canary) canaries.push_back(&proposal);
    if (waiting(proposal)) ++waiting_count;
  }
  for (const Proposal* canary : canaries) {
    if (canary->state == ProposalState::kFailed || canary->state == ProposalState::kRolledBack) {
      return stopRollout(
          rollout, fmt::format("canary {} on {} {}{}", canary->knob, canary->host,
                               proposalStateName(canary->state),
                               canary->agent_message.empty() ? "" : ": " + canary->agent_message));
    }
  }
  const bool all_applied = std::all_of(canaries.begin(), canaries.end(), [](const Proposal* c) {
    return c->state == ProposalState::kApplied;
  });
  if (!all_applied || waiting_count == 0) return;
  int64_t healthy_since = 0;
  for (const Proposal* canary : canaries) {
    if (canary->drift_seen) {
      return stopRollout(rollout, fmt::format("canary {} on {} drifted from {}", canary->knob,
                                              canary->host, canary->value));
    }
    if (options_.host_healthy && !options_.host_healthy(canary->host)) {
      return stopRollout(rollout,
                         fmt::format("canary host {} is unhealthy within the health window "
                                     "after {} = {}",
                                     canary->host, canary->knob, canary->value));
    }
    healthy_since = std::max(healthy_since, canary->applied_ms);
  }
  if (now_ms - healthy_since < options_.health_window_ms) return;
  const Proposal* first = nullptr;
  std::set<std::string> hosts;
  for (auto& [id, proposal] : proposals_) {
    if (proposal.rollout != rollout || !waiting(proposal)) continue;
    if (first == nullptr) first = &proposal;
    hosts.insert(proposal.host);
    queue(proposal, PendingCommand::kApply);
  }
  const std::string detail =
      fmt::format("roll-out {}: canaries healthy for {} s; sending {} change(s) to {} host(s)",
                  rollout, (now_ms - healthy_since) / 1000, waiting_count, hosts.size());
  for (const Proposal* canary : canaries) audit(*canary, "canary_healthy", nullptr, detail);
}

void TuningService::stopRollout(uint64_t rollout, const std::string& why) {
  const std::string detail = fmt::format("roll-out {} stopped: {}", rollout, why);
  for (auto& [id, proposal] : proposals_) {
    if (proposal.rollout != rollout) continue;
    if (proposal.canary && proposal.state == ProposalState::kApplied &&
        proposal.command != PendingCommand::kRollback && !isMaintenanceKnob(proposal.knob)) {
      queue(proposal, PendingCommand::kRollback);
      audit(proposal, "rollback_requested", nullptr, detail);
    } else if (waiting(proposal)) {
      // Back to the operator, as if never approved.
      proposal.state = ProposalState::kProposed;
      proposal.rollout = 0;
      touch(proposal);
      audit(proposal, "rollout_stopped", nullptr, detail);
    }
  }
}

}  // namespace tidemark::controller
