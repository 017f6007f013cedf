// Keeps trigger states in the store's `state` column family (key prefix "trigger\0"),
// one Cap'n Proto TriggerStateRecord per (rule, host, labels), so firing-since and
// resolved-at survive a controller restart.
#pragma once

#include <string>
#include <vector>

#include "controller/planner/triggers/trigger_state.h"
#include "controller/store/sample_store.h"

namespace tidemark::controller {

class TriggerStateStore {
 public:
  explicit TriggerStateStore(SampleStore& store) : store_(store) {}

  // Every kept state, in key order. A damaged record is logged and skipped.
  // Throws StoreError when RocksDB fails.
  std::vector<TriggerState> load() const;

  // Writes `changed` and deletes the states of `removed` in one write. Returns
  // RocksDB's error (with the store's path), empty on success.
  [[nodiscard]] std::string save(const std::vector<TriggerState>& changed,
                                 const std::vector<TriggerState>& removed);

 private:
  SampleStore& store_;
};

// The record key of a state: prefix, rule, host and labels.
std::string triggerStateKey(const TriggerState& state);
std::string encodeTriggerState(const TriggerState& state);
// Nullopt when the bytes are not a TriggerStateRecord.
std::optional<TriggerState> decodeTriggerState(std::string_view bytes);

}  // namespace tidemark::controller
