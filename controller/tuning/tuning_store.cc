#include "controller/tuning/tuning_store.h"

#include <spdlog/spdlog.h>

#include "controller/store/key_codec.h"
#include "controller/tuning/tuning_records.h"

namespace tidemark::controller {

namespace {

// A NUL ends each prefix, so no prefix is the start of another.
constexpr std::string_view kProposalPrefix{"proposal\0", 9};
constexpr std::string_view kAuditPrefix{"audit\0", 6};
constexpr std::string_view kKnobsPrefix{"knobs\0", 6};
constexpr std::string_view kProposalCounter{"counter\0proposal", 16};
constexpr std::string_view kRolloutCounter{"counter\0rollout", 15};

// Big-endian numbers keep the keys in numeric order.
std::string numberedKey(std::string_view prefix, uint64_t number) {
  std::string key(prefix);
  keys::appendU64(key, number);
  return key;
}

std::string u64Bytes(uint64_t value) {
  std::string out;
  keys::appendU64(out, value);
  return out;
}

uint64_t readCounter(const SampleStore& store, std::string_view key) {
  for (const auto& [found, value] : store.readTuning(key)) {
    if (found == key && value.size() == 8) return keys::readU64(value);
  }
  return 0;
}

}  // namespace

TuningStore::TuningStore(SampleStore& store) : store_(store) {
  last_proposal_id_ = readCounter(store_, kProposalCounter);
  last_rollout_id_ = readCounter(store_, kRolloutCounter);
  const auto newest = store_.readTuning(kAuditPrefix, 1);
  if (!newest.empty())
    last_audit_sequence_ = keys::readU64(newest[0].first.substr(kAuditPrefix.size()));
}

std::vector<Proposal> TuningStore::loadProposals() const {
  std::vector<Proposal> proposals;
  for (const auto& [key, value] : store_.readTuning(kProposalPrefix)) {
    auto proposal = decodeProposal(value);
    if (!proposal) {
      spdlog::error("store {}: tuning proposal record {} is damaged ({} bytes); skipped",
                    store_.path(), keys::readU64(key.substr(kProposalPrefix.size())), value.size());
      continue;
    }
    proposals.push_back(std::move(*proposal));
  }
  return proposals;
}

std::vector<wire::KnobReportData> TuningStore::loadKnobReports() const {
  std::vector<wire::KnobReportData> reports;
  for (const auto& [key, value] : store_.readTuning(kKnobsPrefix)) {
    auto report = decodeKnobReport(value);
    if (!report) {
      spdlog::error("store {}: the knob report of {} is damaged ({} bytes); waiting for the next",
                    store_.path(), key.substr(kKnobsPrefix.size()), value.size());
      continue;
    }
    reports.push_back(std::move(*report));
  }
  return reports;
}

std::vector<AuditEntry> TuningStore::log(size_t limit) const {
  std::vector<AuditEntry> entries;
  if (limit == 0) return entries;
  for (const auto& [key, value] : store_.readTuning(kAuditPrefix, limit)) {
    auto entry = decodeAuditEntry(value);
    if (!entry) {
      spdlog::error("store {}: tuning audit record {} is damaged ({} bytes); skipped",
                    store_.path(), keys::readU64(key.substr(kAuditPrefix.size())), value.size());
      continue;
    }
    entries.push_back(std::move(*entry));
  }
  return entries;
}

std::string TuningStore::commit(const TuningChanges& changes) {
  std::vector<std::pair<std::string, std::string>> puts;
  for (const auto& proposal : changes.proposals) {
    puts.emplace_back(numberedKey(kProposalPrefix, proposal.id), encodeProposal(proposal));
  }
  uint64_t sequence = last_audit_sequence_;
  for (const auto& entry : changes.audit) {
    puts.emplace_back(numberedKey(kAuditPrefix, ++sequence), encodeAuditEntry(entry));
  }
  for (const auto& report : changes.reports) {
    puts.emplace_back(std::string(kKnobsPrefix) + report.host_id, encodeKnobReport(report));
  }
  puts.emplace_back(std::string(kProposalCounter), u64Bytes(last_proposal_id_));
  puts.emplace_back(std::string(kRolloutCounter), u64Bytes(last_rollout_id_));
  std::string error = store_.writeTuning(puts, {});
  if (!error.empty()) return "saving tuning records in " + store_.path() + ": " + error;
  last_audit_sequence_ = sequence;
  return "";
}

}  // namespace tidemark::controller
