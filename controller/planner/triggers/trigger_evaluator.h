// Evaluates every trigger rule against the history, moves each subject's state
// machine on, and keeps the states in RocksDB (trigger_store.h). The controller calls
// evaluate() on its schedule; the admin thread reads states() at any time.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "controller/history/rocksdb_history.h"
#include "controller/planner/triggers/trigger_rule.h"
#include "controller/planner/triggers/trigger_state.h"
#include "controller/planner/triggers/trigger_store.h"
#include "controller/store/sample_store.h"

namespace tidemark::controller {

// Resolved episodes stay visible (`tidemark triggers --all`) this long.
inline constexpr int64_t kResolvedKeptMs = 30 * 24 * 3'600'000LL;

class TriggerEvaluator {
 public:
  // Loads the kept states from `store`; those of rules no longer configured are
  // deleted. Rules read `history` (null: `store`'s own; it must outlive this).
  // Throws StoreError.
  TriggerEvaluator(SampleStore& store, std::vector<TriggerRule> rules,
                   const HistorySource* history = nullptr);

  // One evaluation of every rule at `now_ms`. A rule whose history cannot be read
  // is logged and skipped (its states are left as they were). Returns the error
  // of saving the changed states, empty on success.
  [[nodiscard]] std::string evaluate(int64_t now_ms);

  // Pending, firing and resolved states, sorted by rule, host, labels (thread-safe).
  std::vector<TriggerState> states() const;
  const std::vector<TriggerRule>& rules() const { return rules_; }
  // The rule of a state; null when unknown.
  const TriggerRule* rule(const std::string& name) const;

 private:
  using Key = std::tuple<std::string, std::string, Labels>;  // rule, host, labels

  RocksdbHistory own_history_;
  const HistorySource& history_;
  TriggerStateStore kept_;
  std::vector<TriggerRule> rules_;
  mutable std::mutex mutex_;  // states_ is read by the admin thread
  std::map<Key, TriggerState> states_;
};

}  // namespace tidemark::controller
