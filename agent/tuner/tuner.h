// The agent's tuning facade: applies and rolls back approved changes on this host
// (local policy first, journal before every write, read-back after, automatic restore
// when verification fails), surveys every knob, and watches applied ones for drift.
// Called from the agent's worker thread; not thread-safe itself. Never reverts anything
// by itself when the agent stops.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "agent/tuner/drift_watch.h"
#include "agent/tuner/host_knob_source.h"
#include "agent/tuner/journal.h"
#include "agent/tuner/knob_source.h"
#include "agent/tuner/policy.h"
#include "agent/tuner/tuner_options.h"
#include "agent/tuner/tuning_worker.h"
#include "common/time/clock.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent::tuner {

class Tuner final : public TuningBackend {
 public:
  // Loads the journal from options.journal_dir (throws std::runtime_error when the
  // folder cannot be created or listed). `clock` must outlive the Tuner.
  Tuner(TunerOptions options, Policy policy, const Clock& clock,
        std::vector<std::unique_ptr<KnobSource>> sources);

  // Applies or rolls back one change and says how it went; never throws; blocking
  // (maintenance jobs may take long). A change id already journaled is answered from
  // the journal without acting again (the controller resends after reconnects).
  wire::TuningResultData execute(const wire::TuningCommandData& command) override;
  // Every knob's state now, with the journal's applied change and the drift flag.
  std::vector<wire::KnobStateData> survey() override;
  // Re-reads only knobs with an applied change (skipping verifiedByWrite ones); returns
  // the states whose drift flag changed since the last call. The first drift of a change
  // is logged once with the applied and the observed value; nothing is written back.
  std::vector<wire::KnobStateData> checkDrift() override;
  bool hasApplied() override { return !journal_.applied().empty(); }

  const Policy& policy() const { return policy_; }
  const Journal& journal() const { return journal_; }

 private:
  std::vector<KnobPtr> collectKnobs();
  KnobPtr findKnob(const std::string& id);
  wire::TuningResultData apply(const wire::TuningCommandData& command);
  // Reads back a change found pending after a restart and journals what it shows.
  void verifyAfterRestart(const JournalEntry& known);
  wire::TuningResultData rollback(const wire::TuningCommandData& command);
  wire::TuningResultData answerFromJournal(const wire::TuningCommandData& command,
                                           const JournalEntry& entry);
  // Records an apply that wrote nothing (refused, unavailable) and says so.
  wire::TuningResultData notApplied(const wire::TuningCommandData& command,
                                    wire::TuningOutcome outcome, const std::string& reason);
  // Journals `entry`; false (logged) when the journal cannot be written.
  bool recordQuietly(const JournalEntry& entry);
  wire::TuningResultData resultFor(const wire::TuningCommandData& command) const;

  TunerOptions options_;
  Policy policy_;
  const Clock& clock_;
  std::vector<std::unique_ptr<KnobSource>> sources_;
  Journal journal_;
  DriftWatch drift_;
};

}  // namespace tidemark::agent::tuner
