// A tuning proposal (one knob on one host, inert until approved) and an audit entry:
// the two records the tuning service keeps and the admin protocol shows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::controller {

enum class ProposalState { kProposed, kApproved, kApplied, kFailed, kRolledBack, kRejected };

// "proposed", "approved", "applied", "failed", "rolled_back", "rejected".
const char* proposalStateName(ProposalState state);
// Nullopt for anything else.
std::optional<ProposalState> parseProposalState(std::string_view name);
// Proposed, approved and applied proposals hold their host+knob: the recommender
// proposes nothing else for it until they close.
bool isOpen(ProposalState state);

// The command the controller owes an agent for a proposal.
enum class PendingCommand { kNone, kApply, kRollback };

struct Proposal {
  uint64_t id = 0;
  std::string host;
  std::string knob;     // the agent's knob id: "vm.swappiness", "ship.pack:zod"
  std::string value;    // the value to write ("run" for maintenance jobs)
  std::string current;  // the host's value when proposed; empty when unknown
  ProposalState state = ProposalState::kProposed;
  std::string reason;
  std::vector<std::string> evidence;  // the facts and metrics behind it
  std::string source;                 // "recommender" or "manual by USER"
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
  uint64_t rollout = 0;  // 0: not part of a roll-out
  bool canary = false;
  std::string agent_message;  // the agent's last reason
  std::string restore_command;
  PendingCommand command = PendingCommand::kNone;
  int64_t command_sent_ms = 0;  // 0: queued (never sent, or the host said Hello since)
  int64_t applied_ms = 0;
  bool drift_seen = false;
};

struct AuditEntry {
  int64_t at_ms = 0;
  uint64_t proposal = 0;  // 0: not about one proposal
  std::string host;
  std::string knob;
  // proposed, approved, rejected, dispatched, applied, failed, rollback_requested,
  // rolled_back, drift, rollout_stopped, canary_healthy, ...
  std::string event;
  int64_t actor_uid = -1;  // -1: the controller, or a peer without credentials
  std::string actor;       // the user name, or "controller"
  std::string detail;
};

// Maintenance jobs (ship.pack:SHIP, ship.meld:SHIP, ...) run once; nothing can undo them.
bool isMaintenanceKnob(std::string_view knob);

}  // namespace tidemark::controller
