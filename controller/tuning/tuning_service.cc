// TuningService: construction, bookkeeping, and the operator's verbs (admin thread).
// The agent side is in tuning_service_agent.cc, roll-outs in tuning_rollout.cc.
#include "controller/tuning/tuning_service.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/errors/error.h"

namespace tidemark::controller {

namespace {

std::string actorName(const AdminPeer& peer) {
  if (!peer.user.empty()) return peer.user;
  return peer.uid >= 0 ? "uid:" + std::to_string(peer.uid) : "unknown";
}

}  // namespace

TuningService::TuningService(SampleStore& store, TuningOptions options, const Clock& clock)
    : own_history_(store),
      history_(options.history != nullptr ? *options.history : own_history_),
      store_(store),
      options_(std::move(options)),
      clock_(clock) {
  for (auto& proposal : store_.loadProposals()) {
    const uint64_t id = proposal.id;
    proposals_.emplace(id, std::move(proposal));
  }
  for (auto& report : store_.loadKnobReports()) {
    std::string host = report.host_id;
    reports_.emplace(std::move(host), std::move(report));
  }
}

Proposal& TuningService::find(uint64_t id) {
  auto found = proposals_.find(id);
  if (found == proposals_.end()) throw TuningError(fmt::format("no tuning proposal {}", id));
  return found->second;
}

void TuningService::touch(Proposal& proposal) {
  proposal.updated_ms = clock_.wallMs();
  changed_.insert(proposal.id);
}

void TuningService::audit(const Proposal& proposal, std::string event, const AdminPeer* peer,
                          std::string detail) {
  AuditEntry entry;
  entry.at_ms = clock_.wallMs();
  entry.proposal = proposal.id;
  entry.host = proposal.host;
  entry.knob = proposal.knob;
  entry.event = std::move(event);
  entry.actor_uid = peer != nullptr ? peer->uid : -1;
  entry.actor = peer != nullptr ? actorName(*peer) : "controller";
  entry.detail = std::move(detail);
  spdlog::info("tuning: proposal {} ({} {} on {}): {} by {}{}{}", entry.proposal, entry.knob,
               proposal.value, entry.host, entry.event, entry.actor,
               entry.detail.empty() ? "" : ": ", entry.detail);
  pending_audit_.push_back(std::move(entry));
}

void TuningService::queue(Proposal& proposal, PendingCommand command) {
  proposal.command = command;
  proposal.command_sent_ms = 0;
  touch(proposal);
}

void TuningService::commit(bool throw_on_error) {
  TuningChanges changes;
  for (uint64_t id : changed_) changes.proposals.push_back(proposals_.at(id));
  changes.audit = std::move(pending_audit_);
  changes.reports = std::move(pending_reports_);
  changed_.clear();
  pending_audit_.clear();
  pending_reports_.clear();
  if (changes.empty()) return;
  std::string error = store_.commit(changes);
  if (error.empty()) return;
  spdlog::error("tuning: {}", error);
  if (throw_on_error) throw StoreError(error);
}

std::vector<const Proposal*> TuningService::proposalsOf(const std::string& host) const {
  std::vector<const Proposal*> out;
  for (const auto& [id, proposal] : proposals_) {
    if (proposal.host == host) out.push_back(&proposal);
  }
  return out;
}

std::vector<Proposal> TuningService::list(const ProposalFilter& filter) const {
  std::lock_guard lock(mutex_);
  std::vector<Proposal> out;
  for (const auto& [id, proposal] : proposals_) {
    if (filter.state && proposal.state != *filter.state) continue;
    if (!filter.host.empty() && proposal.host != filter.host) continue;
    out.push_back(proposal);
  }
  return out;
}

Proposal TuningService::show(uint64_t id) const {
  std::lock_guard lock(mutex_);
  auto found = proposals_.find(id);
  if (found == proposals_.end()) throw TuningError(fmt::format("no tuning proposal {}", id));
  return found->second;
}

uint64_t TuningService::approve(const std::vector<uint64_t>& ids, std::optional<uint32_t> canary,
                                const AdminPeer& peer) {
  std::lock_guard lock(mutex_);
  if (ids.empty()) throw TuningError("approve: no proposal ids given");
  std::vector<Proposal*> approved;
  std::vector<std::string> hosts;  // in the order of `ids`: the first ones are the canaries
  for (uint64_t id : ids) {
    Proposal& proposal = find(id);
    if (std::find(approved.begin(), approved.end(), &proposal) != approved.end()) {
      throw TuningError(fmt::format("proposal {} is given twice", id));
    }
    if (proposal.state != ProposalState::kProposed) {
      throw TuningError(fmt::format("proposal {} is {}: only proposed ones can be approved", id,
                                    proposalStateName(proposal.state)));
    }
    approved.push_back(&proposal);
    if (std::find(hosts.begin(), hosts.end(), proposal.host) == hosts.end()) {
      hosts.push_back(proposal.host);
    }
  }
  size_t canaries = 0;
  if (canary) {
    if (*canary > hosts.size()) {
      throw TuningError(
          fmt::format("--canary {}: the roll-out spans only {} host(s)", *canary, hosts.size()));
    }
    canaries = *canary;
  } else if (hosts.size() > 1) {
    canaries = std::min<size_t>(options_.default_canary.value_or(1), hosts.size() - 1);
  }
  const uint64_t rollout = store_.nextRolloutId();
  for (Proposal* proposal : approved) {
    const auto position = std::find(hosts.begin(), hosts.end(), proposal->host) - hosts.begin();
    proposal->state = ProposalState::kApproved;
    proposal->rollout = rollout;
    proposal->canary = static_cast<size_t>(position) < canaries;
    touch(*proposal);
    audit(*proposal, "approved", &peer,
          fmt::format("roll-out {} of {} change(s) on {} host(s); {}", rollout, approved.size(),
                      hosts.size(),
                      proposal->canary ? "canary: sent first"
                      : canaries > 0   ? "sent after the canaries stay healthy"
                                       : "sent now"));
    if (proposal->canary || canaries == 0) queue(*proposal, PendingCommand::kApply);
  }
  commit(true);
  return rollout;
}

void TuningService::reject(uint64_t id, const AdminPeer& peer) {
  std::lock_guard lock(mutex_);
  Proposal& proposal = find(id);
  if (proposal.state != ProposalState::kProposed) {
    throw TuningError(fmt::format("proposal {} is {}: only proposed ones can be rejected", id,
                                  proposalStateName(proposal.state)));
  }
  proposal.state = ProposalState::kRejected;
  touch(proposal);
  audit(proposal, "rejected", &peer, "");
  commit(true);
}

void TuningService::rollback(uint64_t id, const AdminPeer& peer) {
  std::lock_guard lock(mutex_);
  Proposal& proposal = find(id);
  if (isMaintenanceKnob(proposal.knob)) {
    throw TuningError(fmt::format("proposal {} ran {}: a maintenance job cannot be rolled back", id,
                                  proposal.knob));
  }
  if (proposal.state != ProposalState::kApplied) {
    throw TuningError(fmt::format("proposal {} is {}: only applied ones can be rolled back", id,
                                  proposalStateName(proposal.state)));
  }
  if (proposal.command == PendingCommand::kRollback) {
    throw TuningError(fmt::format("proposal {} is being rolled back already", id));
  }
  queue(proposal, PendingCommand::kRollback);
  audit(proposal, "rollback_requested", &peer, "back to " + proposal.current);
  commit(true);
}

std::vector<uint64_t> TuningService::propose(const std::string& knob, const std::string& value,
                                             const std::vector<std::string>& hosts,
                                             const AdminPeer& peer) {
  std::lock_guard lock(mutex_);
  if (knob.empty() || value.empty()) throw TuningError("propose: a knob and a value are needed");
  if (hosts.empty()) throw TuningError("propose: no host given (--host)");
  std::vector<Proposal> created;
  for (const auto& host : hosts) {
    Proposal proposal;
    proposal.host = host;
    proposal.knob = knob;
    proposal.value = value;
    const auto report = reports_.find(host);
    const wire::KnobStateData* state = nullptr;
    if (report != reports_.end()) {
      for (const auto& candidate : report->second.knobs) {
        if (candidate.knob == knob) state = &candidate;
      }
    }
    if (state != nullptr && !state->available) {
      throw TuningError(fmt::format("{} is not available on {}: {}", knob, host,
                                    state->reason.empty() ? "the agent says so" : state->reason));
    }
    if (state != nullptr && !state->choices.empty() &&
        std::find(state->choices.begin(), state->choices.end(), value) == state->choices.end()) {
      throw TuningError(fmt::format("{} on {} takes one of: {}", knob, host,
                                    fmt::format("{}", fmt::join(state->choices, ", "))));
    }
    for (const Proposal* other : proposalsOf(host)) {
      if (other->knob == knob && isOpen(other->state)) {
        throw TuningError(fmt::format("proposal {} for {} on {} is still {}", other->id, knob, host,
                                      proposalStateName(other->state)));
      }
    }
    if (state != nullptr) {
      proposal.current = state->value;
      proposal.evidence.push_back(fmt::format("{} = {} (knob report)", knob, state->value));
    } else if (report == reports_.end()) {
      proposal.evidence.push_back(host + " has sent no knob report: the agent decides");
    } else {
      proposal.evidence.push_back(host + " never reported " + knob + ": the agent decides");
    }
    proposal.reason = "asked for by " + actorName(peer);
    proposal.source = "manual by " + actorName(peer);
    created.push_back(std::move(proposal));
  }
  std::vector<uint64_t> ids;
  const int64_t now = clock_.wallMs();
  for (auto& proposal : created) {
    proposal.id = store_.nextProposalId();
    proposal.created_ms = now;
    Proposal& kept = proposals_[proposal.id] = std::move(proposal);
    touch(kept);
    audit(kept, "proposed", &peer, kept.current.empty() ? "" : "current " + kept.current);
    ids.push_back(kept.id);
  }
  commit(true);
  return ids;
}

std::vector<AuditEntry> TuningService::log(size_t limit) const {
  std::lock_guard lock(mutex_);
  return store_.log(limit);
}

OpenProposalCounts TuningService::openCounts() const {
  std::lock_guard lock(mutex_);
  OpenProposalCounts counts;
  for (const auto& [id, proposal] : proposals_) {
    if (proposal.state == ProposalState::kProposed) ++counts.proposed;
    if (proposal.state == ProposalState::kApproved) ++counts.approved;
    if (proposal.state == ProposalState::kApplied) ++counts.applied;
  }
  return counts;
}

}  // namespace tidemark::controller
