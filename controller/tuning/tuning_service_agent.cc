// TuningService, the ingest thread's side: knob reports, results, Hellos, and tick()
// (dispatch and the recommender's schedule).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/errors/error.h"
#include "controller/tuning/host_observations.h"
#include "controller/tuning/recommender.h"
#include "controller/tuning/tuning_service.h"

namespace tidemark::controller {

void TuningService::onKnobReport(const wire::KnobReportData& report) {
  std::lock_guard lock(mutex_);
  if (report.host_id.empty()) {
    spdlog::warn("tuning: dropped a knob report without a host id");
    return;
  }
  const bool first = !reports_.contains(report.host_id);
  for (const auto& knob : report.knobs) {
    if (!knob.drift || knob.applied_change_id == 0) continue;
    auto found = proposals_.find(knob.applied_change_id);
    if (found == proposals_.end() || found->second.host != report.host_id) continue;
    Proposal& proposal = found->second;
    if (proposal.drift_seen || proposal.state != ProposalState::kApplied) continue;
    proposal.drift_seen = true;
    touch(proposal);
    audit(proposal, "drift", nullptr,
          fmt::format("applied {}, now {}: changed out of band, left alone", knob.applied_value,
                      knob.value));
  }
  reports_[report.host_id] = report;
  pending_reports_.push_back(report);
  if (first) recommendFor(report, clock_.wallMs());
  // Drift on a canary stops its roll-out at once.
  progressRollouts(clock_.wallMs());
  commit(false);
}

void TuningService::onResult(const wire::TuningResultData& result) {
  std::lock_guard lock(mutex_);
  auto found = proposals_.find(result.change_id);
  if (found == proposals_.end() || found->second.host != result.host_id) {
    spdlog::warn(
        "tuning: {} sent a result for change {} ({} {}), which is not one of its "
        "proposals; ignored",
        result.host_id, result.change_id, wire::tuningActionName(result.action),
        wire::tuningOutcomeName(result.outcome));
    return;
  }
  Proposal& proposal = found->second;
  const bool apply = result.action == wire::TuningAction::kApply;
  const PendingCommand answered = apply ? PendingCommand::kApply : PendingCommand::kRollback;
  if (proposal.command != answered) {
    // A repeat from the agent's journal after the state moved on.
    spdlog::debug("tuning: repeated {} result for proposal {} ignored",
                  wire::tuningActionName(result.action), proposal.id);
    return;
  }
  proposal.command = PendingCommand::kNone;
  proposal.command_sent_ms = 0;
  proposal.agent_message = result.reason;
  if (!result.restore_command.empty()) proposal.restore_command = result.restore_command;
  if (proposal.current.empty() && apply) proposal.current = result.previous;
  const std::string outcome = wire::tuningOutcomeName(result.outcome);
  std::string detail = fmt::format("{}: {} -> {}", outcome, result.previous, result.current);
  if (!result.reason.empty()) detail += "; " + result.reason;
  switch (result.outcome) {
    case wire::TuningOutcome::kApplied:
      if (apply) {
        proposal.state = ProposalState::kApplied;
        proposal.applied_ms = clock_.wallMs();
        audit(proposal, "applied", nullptr, detail);
      } else {
        audit(proposal, "rollback_failed", nullptr, detail);
      }
      break;
    case wire::TuningOutcome::kRolledBack:
      proposal.state = ProposalState::kRolledBack;
      audit(proposal, "rolled_back", nullptr, detail);
      break;
    case wire::TuningOutcome::kRefused:
    case wire::TuningOutcome::kFailed:
    case wire::TuningOutcome::kUnavailable:
      if (apply) {
        proposal.state = ProposalState::kFailed;
        audit(proposal, "failed", nullptr, detail);
      } else {
        // Still applied: the operator sees why in the log and can act by hand.
        audit(proposal, "rollback_failed", nullptr, detail);
      }
      break;
  }
  touch(proposal);
  progressRollouts(clock_.wallMs());
  commit(false);
}

void TuningService::onHello(const std::string& host) {
  std::lock_guard lock(mutex_);
  for (auto& [id, proposal] : proposals_) {
    if (proposal.host == host && proposal.command != PendingCommand::kNone &&
        proposal.command_sent_ms != 0) {
      proposal.command_sent_ms = 0;
      changed_.insert(id);
    }
  }
  commit(false);
}

void TuningService::tick(const CommandSender& send) {
  std::lock_guard lock(mutex_);
  const int64_t now = clock_.wallMs();
  progressRollouts(now);
  dispatch(send, now);
  const int64_t monotonic = clock_.monotonicMs();
  if (!last_recommend_monotonic_ms_ ||
      monotonic - *last_recommend_monotonic_ms_ >= options_.recommend_interval_ms) {
    last_recommend_monotonic_ms_ = monotonic;
    for (const auto& [host, report] : reports_) recommendFor(report, now);
  }
  commit(false);
}

void TuningService::dispatch(const CommandSender& send, int64_t now_ms) {
  for (auto& [id, proposal] : proposals_) {
    if (proposal.command == PendingCommand::kNone || proposal.command_sent_ms != 0) continue;
    wire::TuningCommandData command;
    command.change_id = proposal.id;
    command.knob = proposal.knob;
    if (proposal.command == PendingCommand::kApply) {
      command.action = wire::TuningAction::kApply;
      command.value = proposal.value;
      if (isMaintenanceKnob(proposal.knob)) command.timeout_ms = options_.job_timeout_ms;
    } else {
      command.action = wire::TuningAction::kRollback;
    }
    if (!send(proposal.host, command)) continue;  // no connection: stays queued
    proposal.command_sent_ms = now_ms;
    changed_.insert(id);
    audit(proposal, "dispatched", nullptr,
          command.action == wire::TuningAction::kApply ? "apply " + proposal.value : "rollback");
  }
}

void TuningService::recommendFor(const wire::KnobReportData& report, int64_t now_ms) {
  std::vector<Recommendation> recommendations;
  try {
    recommendations = recommend(report, observeHost(history_, report.host_id, now_ms));
  } catch (const StoreError& e) {
    spdlog::error("tuning: cannot read the history of {} for the recommender: {}", report.host_id,
                  e.what());
    return;
  }
  recommendations = withoutKnownAnswers(report.host_id, std::move(recommendations),
                                        proposalsOf(report.host_id), now_ms);
  for (auto& recommendation : recommendations) {
    Proposal proposal;
    proposal.id = store_.nextProposalId();
    proposal.host = report.host_id;
    proposal.knob = std::move(recommendation.knob);
    proposal.value = std::move(recommendation.value);
    proposal.current = std::move(recommendation.current);
    proposal.reason = std::move(recommendation.reason);
    proposal.evidence = std::move(recommendation.evidence);
    proposal.source = "recommender";
    proposal.created_ms = now_ms;
    Proposal& kept = proposals_[proposal.id] = std::move(proposal);
    touch(kept);
    audit(kept, "proposed", nullptr, kept.reason);
  }
}

}  // namespace tidemark::controller
