#include "agent/tuner/tuner.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "agent/tuner/knob_state.h"

namespace tidemark::agent::tuner {

namespace {

using wire::TuningAction;
using wire::TuningOutcome;

TuningOutcome outcomeOf(ChangeStatus status) {
  switch (status) {
    case ChangeStatus::kApplied:
    case ChangeStatus::kSuperseded: return TuningOutcome::kApplied;
    case ChangeStatus::kRolledBack: return TuningOutcome::kRolledBack;
    case ChangeStatus::kRefused: return TuningOutcome::kRefused;
    case ChangeStatus::kUnavailable: return TuningOutcome::kUnavailable;
    case ChangeStatus::kPending:
    case ChangeStatus::kFailed: return TuningOutcome::kFailed;
  }
  return TuningOutcome::kFailed;
}

ChangeStatus statusOf(TuningOutcome outcome) {
  switch (outcome) {
    case TuningOutcome::kRefused: return ChangeStatus::kRefused;
    case TuningOutcome::kUnavailable: return ChangeStatus::kUnavailable;
    default: return ChangeStatus::kFailed;
  }
}

}  // namespace

Tuner::Tuner(TunerOptions options, Policy policy, const Clock& clock,
             std::vector<std::unique_ptr<KnobSource>> sources)
    : options_(std::move(options)),
      policy_(std::move(policy)),
      clock_(clock),
      sources_(std::move(sources)),
      journal_(options_.journal_dir) {}

std::vector<KnobPtr> Tuner::collectKnobs() {
  std::vector<KnobPtr> knobs;
  for (auto& source : sources_) {
    try {
      source->addKnobs(knobs);
    } catch (const std::exception& e) {
      spdlog::warn("tuning: a knob source failed to list its knobs: {}", e.what());
    }
  }
  return knobs;
}

KnobPtr Tuner::findKnob(const std::string& id) {
  for (auto& knob : collectKnobs()) {
    if (knob->id() == id) return std::move(knob);
  }
  return nullptr;
}

wire::TuningResultData Tuner::resultFor(const wire::TuningCommandData& command) const {
  wire::TuningResultData result;
  result.host_id = options_.host_id;
  result.change_id = command.change_id;
  result.action = command.action;
  result.knob = command.knob;
  result.at_ms = clock_.wallMs();
  return result;
}

wire::TuningResultData Tuner::execute(const wire::TuningCommandData& command) {
  try {
    // Change ids are the controller's and never reused for another change: a command
    // that names a journaled id with another knob or value is refused, not answered
    // with what that id did. (A rollback may leave the knob out: the journal knows it.)
    if (const JournalEntry* known = journal_.find(command.change_id);
        known != nullptr && ((!command.knob.empty() && known->knob != command.knob) ||
                             (command.action == TuningAction::kApply && known->value != command.value))) {
      wire::TuningResultData result = resultFor(command);
      result.outcome = TuningOutcome::kRefused;
      result.reason = "change " + std::to_string(command.change_id) + " is journaled as " +
                      known->knob + " = " + known->value + "; another change needs another id";
      return result;
    }
    return command.action == TuningAction::kRollback ? rollback(command) : apply(command);
  } catch (const std::exception& e) {
    // Knobs from other sources may throw anything; the worker thread must go on.
    wire::TuningResultData result = resultFor(command);
    result.outcome = TuningOutcome::kFailed;
    result.reason = std::string("unexpected error: ") + e.what();
    spdlog::error("tuning: change {} ({}): {}", command.change_id, command.knob, result.reason);
    return result;
  }
}

bool Tuner::recordQuietly(const JournalEntry& entry) {
  try {
    journal_.record(entry);
    return true;
  } catch (const std::exception& e) {
    spdlog::error("tuning: cannot journal change {} ({} {}): {}", entry.change_id, entry.knob,
                  changeStatusName(entry.status), e.what());
    return false;
  }
}

wire::TuningResultData Tuner::notApplied(const wire::TuningCommandData& command,
                                         TuningOutcome outcome, const std::string& reason) {
  JournalEntry entry;
  entry.change_id = command.change_id;
  entry.knob = command.knob;
  entry.value = command.value;
  entry.status = statusOf(outcome);
  entry.reason = reason;
  entry.created_ms = entry.updated_ms = clock_.wallMs();
  recordQuietly(entry);  // so a resend gets the same answer
  spdlog::info("tuning: change {} ({} = {}) {}: {}", command.change_id, command.knob,
               command.value, wire::tuningOutcomeName(outcome), reason);
  wire::TuningResultData result = resultFor(command);
  result.outcome = outcome;
  result.reason = reason;
  return result;
}

wire::TuningResultData Tuner::answerFromJournal(const wire::TuningCommandData& command,
                                                const JournalEntry& entry) {
  wire::TuningResultData result = resultFor(command);
  result.knob = entry.knob;
  result.outcome = outcomeOf(entry.status);
  result.previous = entry.status == ChangeStatus::kRolledBack ? entry.undone : entry.previous;
  result.current = entry.current;
  result.restore_command = entry.restore_command;
  result.reason = entry.reason;
  if (command.action == TuningAction::kApply && entry.status == ChangeStatus::kRolledBack) {
    // The apply happened; the controller should learn it has since been undone.
    result.previous = entry.previous;
    result.reason = "applied, then rolled back";
  } else if (entry.status == ChangeStatus::kSuperseded) {
    result.reason = "applied, since superseded by change " + std::to_string(entry.superseded_by);
  }
  return result;
}

void Tuner::verifyAfterRestart(const JournalEntry& known) {
  KnobPtr knob = findKnob(known.knob);
  if (!knob || knob->verifiedByWrite()) return;
  std::string error;
  const std::string now = safeRead(*knob, error);
  if (!error.empty()) return;
  JournalEntry entry = known;
  entry.current = now;
  entry.updated_ms = clock_.wallMs();
  if (now == entry.value) {
    entry.unverified = false;
    entry.reason = "verified after an agent restart";
  } else {
    // Never re-written here: the change may not have landed, or someone changed it since.
    entry.reason = "the agent stopped mid-change; it reads " + now + ", not " + entry.value +
                   " (roll it back to restore " + entry.previous + ")";
  }
  recordQuietly(entry);
}

wire::TuningResultData Tuner::apply(const wire::TuningCommandData& command) {
  if (const JournalEntry* known = journal_.find(command.change_id)) {
    spdlog::info("tuning: change {} is already journaled ({}); answering from the journal",
                 command.change_id, changeStatusName(known->status));
    if (known->status == ChangeStatus::kApplied && known->unverified) verifyAfterRestart(*known);
    return answerFromJournal(command, *journal_.find(command.change_id));
  }
  KnobPtr knob = findKnob(command.knob);
  if (!knob) {
    return notApplied(command, TuningOutcome::kUnavailable,
                      "no knob " + command.knob + " on this host");
  }
  const KnobProbe probe = safeProbe(*knob);
  if (!probe.available) return notApplied(command, TuningOutcome::kUnavailable, probe.reason);
  if (std::string why = policy_.check(command.knob, command.value); !why.empty()) {
    return notApplied(command, TuningOutcome::kRefused, why);
  }
  if (std::string why = knob->validate(command.value); !why.empty()) {
    return notApplied(command, TuningOutcome::kRefused, why);
  }

  JournalEntry entry;
  entry.change_id = command.change_id;
  entry.knob = command.knob;
  entry.value = command.value;
  entry.previous = probe.value;
  entry.status = ChangeStatus::kPending;
  entry.created_ms = entry.updated_ms = clock_.wallMs();
  try {
    entry.saved = knob->save();
    entry.restore_command = knob->restoreCommand(entry.saved);
  } catch (const std::exception& e) {
    return notApplied(command, TuningOutcome::kFailed,
                      std::string("cannot save the current state: ") + e.what() +
                          "; nothing was changed");
  }
  wire::TuningResultData result = resultFor(command);
  result.previous = entry.previous;
  result.restore_command = entry.restore_command;
  try {
    journal_.record(entry);  // the way back is on disk before the knob is touched
  } catch (const std::exception& e) {
    result.outcome = TuningOutcome::kFailed;
    result.reason = std::string("cannot journal the change: ") + e.what() + "; nothing was changed";
    spdlog::error("tuning: change {} ({}): {}", command.change_id, command.knob, result.reason);
    return result;
  }
  const JournalEntry* replaced = journal_.appliedFor(command.knob);
  const uint64_t replaced_id = replaced != nullptr ? replaced->change_id : 0;

  std::string failure;
  std::string read_back = command.value;
  try {
    if (command.timeout_ms > 0) knob->limitRunTime(std::chrono::milliseconds(command.timeout_ms));
    knob->write(command.value);
  } catch (const std::exception& e) {
    failure = std::string("write failed: ") + e.what();
  }
  if (failure.empty() && !knob->verifiedByWrite()) {
    std::string error;
    read_back = safeRead(*knob, error);
    if (!error.empty()) {
      failure = "verification failed: wrote " + command.value + ", cannot read back: " + error;
    } else if (read_back != command.value) {
      failure = "verification failed: wrote " + command.value + ", read back " + read_back;
    }
  }

  if (!failure.empty() && !knob->reversible()) {
    // A maintenance job has nothing to restore; its steps say what state it left.
    if (!knob->lastOutcome().empty() && failure.find(knob->lastOutcome()) == std::string::npos) {
      failure += "; " + knob->lastOutcome();
    }
  } else if (!failure.empty()) {
    try {
      knob->restore(entry.saved);
      std::string error;
      entry.current = safeRead(*knob, error);
      failure += error.empty() ? "; restored " + entry.current
                               : "; restored, but cannot read back: " + error;
    } catch (const std::exception& e) {
      failure += std::string("; restore failed too: ") + e.what() +
                 " (restore by hand: " + entry.restore_command + ")";
    }
  }
  if (!failure.empty()) {
    entry.status = ChangeStatus::kFailed;
    entry.reason = failure;
    entry.updated_ms = clock_.wallMs();
    recordQuietly(entry);
    spdlog::warn("tuning: change {} ({} = {}) failed: {}", command.change_id, command.knob,
                 command.value, failure);
    result.outcome = TuningOutcome::kFailed;
    result.current = entry.current;
    result.reason = failure;
    return result;
  }

  entry.status = ChangeStatus::kApplied;
  entry.current = read_back;
  entry.updated_ms = clock_.wallMs();
  if (knob->verifiedByWrite()) {
    entry.reason = knob->lastOutcome().empty() ? "verified by the write's own success"
                                               : knob->lastOutcome();
  }
  if (!recordQuietly(entry)) {
    entry.reason = "applied, but the journal still says pending: after a restart it reads as "
                   "applied but unverified";
  }
  if (replaced_id != 0) {
    JournalEntry older = *journal_.find(replaced_id);
    older.status = ChangeStatus::kSuperseded;
    older.superseded_by = command.change_id;
    older.updated_ms = entry.updated_ms;
    recordQuietly(older);
  }
  spdlog::info("tuning: change {} applied: {} {} -> {} (to undo by hand: {})", command.change_id,
               command.knob, entry.previous, entry.current, entry.restore_command);
  result.outcome = TuningOutcome::kApplied;
  result.current = entry.current;
  result.reason = entry.reason;
  return result;
}

wire::TuningResultData Tuner::rollback(const wire::TuningCommandData& command) {
  wire::TuningResultData result = resultFor(command);
  const JournalEntry* found = journal_.find(command.change_id);
  if (found == nullptr) {
    result.outcome = TuningOutcome::kFailed;
    result.reason = "no journaled change " + std::to_string(command.change_id) + " on this host";
    return result;
  }
  JournalEntry entry = *found;
  result.knob = entry.knob;
  result.restore_command = entry.restore_command;
  if (entry.status == ChangeStatus::kRolledBack) return answerFromJournal(command, entry);
  if (entry.status != ChangeStatus::kApplied) {
    result.outcome = TuningOutcome::kFailed;
    result.reason = "change " + std::to_string(entry.change_id) + " is " +
                    changeStatusName(entry.status) + ", not applied";
    if (entry.status == ChangeStatus::kSuperseded) {
      result.reason += ": roll back change " + std::to_string(entry.superseded_by) + " first";
    }
    return result;
  }
  KnobPtr knob = findKnob(entry.knob);
  if (!knob) {
    result.outcome = TuningOutcome::kFailed;
    result.reason = "no knob " + entry.knob + " on this host any more; to restore by hand: " +
                    entry.restore_command;
    return result;
  }
  if (!knob->reversible()) {
    result.outcome = TuningOutcome::kRefused;
    result.reason = "maintenance jobs cannot be undone";
    return result;
  }
  std::string error;
  const std::string before = safeRead(*knob, error);
  try {
    knob->restore(entry.saved);  // no policy check: this returns to the operator's own value
  } catch (const std::exception& e) {
    result.outcome = TuningOutcome::kFailed;
    result.previous = before;
    result.reason = std::string("restore failed: ") + e.what();
    spdlog::warn("tuning: rollback of change {} ({}): {}", entry.change_id, entry.knob,
                 result.reason);
    return result;
  }
  error.clear();
  const std::string after = safeRead(*knob, error);
  std::string reason;
  if (!error.empty()) reason = "restored, but cannot read back: " + error;
  if (error.empty() && before != entry.value) {
    reason = "the knob had drifted to " + before + " (change " + std::to_string(entry.change_id) +
             " applied " + entry.value + "); restored anyway";
  }
  entry.status = ChangeStatus::kRolledBack;
  entry.undone = before;
  entry.current = after;
  entry.reason = reason;
  entry.updated_ms = clock_.wallMs();
  recordQuietly(entry);
  if (const JournalEntry* older = journal_.supersededBy(entry.change_id)) {
    // The knob is back at the older change's value: that change is in force again.
    JournalEntry revived = *older;
    revived.status = ChangeStatus::kApplied;
    revived.superseded_by = 0;
    revived.updated_ms = entry.updated_ms;
    recordQuietly(revived);
  }
  drift_.forget(entry.change_id);
  spdlog::info("tuning: change {} rolled back: {} {} -> {}{}", entry.change_id, entry.knob, before,
               after, reason.empty() ? "" : " (" + reason + ")");
  result.outcome = TuningOutcome::kRolledBack;
  result.previous = before;
  result.current = after;
  result.reason = reason;
  return result;
}

std::vector<wire::KnobStateData> Tuner::survey() {
  std::vector<wire::KnobStateData> states;
  for (const auto& knob : collectKnobs()) {
    states.push_back(knobState(*knob, safeProbe(*knob), journal_.appliedFor(knob->id())));
  }
  return states;
}

std::vector<wire::KnobStateData> Tuner::checkDrift() {
  if (journal_.applied().empty()) return {};  // no need to list the host's knobs
  return drift_.check(journal_, collectKnobs());
}

}  // namespace tidemark::agent::tuner
