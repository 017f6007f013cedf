// Keeps the tuning service's records in the store's `tuning` column family:
// proposals ("proposal\0" + id), the audit log ("audit\0" + sequence), the newest knob
// report per host ("knobs\0" + host) and the id counters ("counter\0" + name). All
// survive a restart; every change is one RocksDB write.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/wire/agent_link_codec.h"
#include "controller/store/sample_store.h"
#include "controller/tuning/proposal.h"

namespace tidemark::controller {

// What one step of the service changed, written together.
struct TuningChanges {
  std::vector<Proposal> proposals;            // new or updated
  std::vector<AuditEntry> audit;              // appended in this order
  std::vector<wire::KnobReportData> reports;  // each replaces its host's previous one

  bool empty() const { return proposals.empty() && audit.empty() && reports.empty(); }
};

class TuningStore {
 public:
  // Reads the counters. Throws StoreError when RocksDB fails.
  explicit TuningStore(SampleStore& store);

  // Ids never reused, also across restarts: a counter advanced here is written with
  // the next commit (an id lost to a failed commit is skipped, never repeated).
  uint64_t nextProposalId() { return ++last_proposal_id_; }
  uint64_t nextRolloutId() { return ++last_rollout_id_; }

  // Every kept proposal, by id; damaged records are logged and skipped. Throws StoreError.
  std::vector<Proposal> loadProposals() const;
  // The newest knob report of every host. Throws StoreError.
  std::vector<wire::KnobReportData> loadKnobReports() const;
  // The newest `limit` audit entries, newest first. Throws StoreError.
  std::vector<AuditEntry> log(size_t limit) const;

  // Writes `changes` and the counters in one write. Returns an error naming the
  // store's path, empty on success (then nothing was written).
  [[nodiscard]] std::string commit(const TuningChanges& changes);

 private:
  SampleStore& store_;
  uint64_t last_proposal_id_ = 0;
  uint64_t last_rollout_id_ = 0;
  uint64_t last_audit_sequence_ = 0;
};

}  // namespace tidemark::controller
