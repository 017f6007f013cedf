// The controller's tuning: knob reports from agents, the recommender's proposals,
// approvals, staged roll-outs (canary hosts, a health window, then the rest),
// dispatch of commands to agents, their results, rollbacks, and the audit log, all
// kept in RocksDB. Thread-safe: the ingest loop feeds it agent messages and calls
// tick(); the admin thread calls the operator's verbs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/time/clock.h"
#include "common/wire/agent_link_codec.h"
#include "controller/history/rocksdb_history.h"
#include "controller/store/sample_store.h"
#include "controller/tuning/proposal.h"
#include "controller/tuning/tuning_store.h"

namespace tidemark::controller {

// Who asked for an operator action: the admin socket's peer, from SO_PEERCRED.
struct AdminPeer {
  int64_t uid = -1;        // -1: unknown (TCP admin, tests)
  std::string user;        // from getpwuid; "uid:N" when the uid has no name
};

// Sends a command to the agent of `host` now; false when the host has no
// connection (the command is sent again after the agent's next Hello).
using CommandSender = std::function<bool(const std::string& host, const wire::TuningCommandData&)>;

struct TuningOptions {
  // How long every canary must stay healthy after applying before the rest of a
  // roll-out is dispatched. Default: 10 minutes.
  int64_t health_window_ms = 10 * 60'000;
  // How often the recommender looks at every host. Default: 10 minutes.
  int64_t recommend_interval_ms = 10 * 60'000;
  // Canary hosts of a roll-out approved without --canary. Default: unset: 1 when the
  // roll-out spans more than one host, else 0 (always fewer than the roll-out's hosts).
  std::optional<uint32_t> default_canary;
  // The longest a maintenance job (ship.pack:SHIP, ...) may run on the agent. Default: 2 h.
  int64_t job_timeout_ms = 2 * 3600'000;
  // Whether a canary host is healthy (the controller: its agent sent something in the
  // last 3 intervals). Default: null: every host is.
  std::function<bool(const std::string& host)> host_healthy;
  // Where the recommender reads each host's recent samples. Default: null: the
  // service's own store. Must outlive the service.
  const HistorySource* history = nullptr;
};

// An operator's request the service refuses (unknown id, wrong state, ...); the
// message says why, for the CLI to print.
class TuningError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ProposalFilter {
  std::optional<ProposalState> state;  // nullopt: every state
  std::string host;                    // empty: every host
};

// Proposals still open, per state (for `status` and reports).
struct OpenProposalCounts {
  uint64_t proposed = 0;
  uint64_t approved = 0;
  uint64_t applied = 0;
};

class TuningService {
 public:
  // Loads proposals and knob reports from the store's `tuning` column family. Throws
  // StoreError when RocksDB fails.
  TuningService(SampleStore& store, TuningOptions options, const Clock& clock);

  // Ingest thread.
  // Keeps the host's newest report, audits drift of our changes (once per change),
  // and runs the recommender for a host's first report.
  void onKnobReport(const wire::KnobReportData& report);
  // Moves the proposal the result names (unknown ids are logged and ignored) and the
  // roll-out it belongs to.
  void onResult(const wire::TuningResultData& result);
  // The agent of `host` (re)connected: commands it has not answered are sent again
  // (the agent answers repeats from its journal).
  void onHello(const std::string& host);
  // Advances roll-outs, sends queued commands (a host without a connection keeps
  // them queued) and runs the recommender every recommend_interval_ms.
  void tick(const CommandSender& send);

  // Admin thread. Each throws TuningError with the reason when it refuses, and
  // StoreError when the change cannot be kept.
  std::vector<Proposal> list(const ProposalFilter& filter) const;  // by id
  Proposal show(uint64_t id) const;
  // Approves proposed `ids` as one roll-out: the first `canary` hosts (in the order
  // of `ids`) get their changes first; the rest after the canaries applied and stayed
  // healthy for the health window. Returns the roll-out's id.
  uint64_t approve(const std::vector<uint64_t>& ids, std::optional<uint32_t> canary,
                   const AdminPeer& peer);
  // Only proposed ones.
  void reject(uint64_t id, const AdminPeer& peer);
  // Only applied ones, and never maintenance jobs (nothing can undo a pack).
  void rollback(uint64_t id, const AdminPeer& peer);
  // One proposal per host (source "manual by USER"); returns their ids. Refused when
  // the host reports the knob unavailable, the value is not among its choices, or an
  // open proposal holds the host and knob.
  std::vector<uint64_t> propose(const std::string& knob, const std::string& value,
                                const std::vector<std::string>& hosts, const AdminPeer& peer);
  // The newest `limit` audit entries, newest first.
  std::vector<AuditEntry> log(size_t limit) const;
  OpenProposalCounts openCounts() const;

 private:
  // All private members expect mutex_ held.
  Proposal& find(uint64_t id);
  void touch(Proposal& proposal);
  void audit(const Proposal& proposal, std::string event, const AdminPeer* peer,
             std::string detail);
  void queue(Proposal& proposal, PendingCommand command);
  // Writes what changed since the last commit; throws StoreError on failure when
  // `throw_on_error` (the verbs), else logs it (the ingest thread carries on).
  void commit(bool throw_on_error);
  void recommendFor(const wire::KnobReportData& report, int64_t now_ms);
  void progressRollouts(int64_t now_ms);
  void progressRollout(uint64_t rollout, int64_t now_ms);
  void stopRollout(uint64_t rollout, const std::string& why);
  void dispatch(const CommandSender& send, int64_t now_ms);
  std::vector<const Proposal*> proposalsOf(const std::string& host) const;

  RocksdbHistory own_history_;
  const HistorySource& history_;  // options_.history, else own_history_
  TuningStore store_;
  TuningOptions options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::map<uint64_t, Proposal> proposals_;
  std::map<std::string, wire::KnobReportData> reports_;  // newest per host
  std::optional<int64_t> last_recommend_monotonic_ms_;
  // Since the last commit.
  std::set<uint64_t> changed_;
  std::vector<AuditEntry> pending_audit_;
  std::vector<wire::KnobReportData> pending_reports_;
};

}  // namespace tidemark::controller
