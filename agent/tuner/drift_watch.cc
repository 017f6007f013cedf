#include "agent/tuner/drift_watch.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "agent/tuner/knob_state.h"

namespace tidemark::agent::tuner {

std::vector<wire::KnobStateData> DriftWatch::check(const Journal& journal,
                                                   const std::vector<KnobPtr>& knobs) {
  std::vector<wire::KnobStateData> changed;
  for (const JournalEntry* entry : journal.applied()) {
    const auto knob = std::find_if(knobs.begin(), knobs.end(),
                                   [&](const KnobPtr& k) { return k->id() == entry->knob; });
    if (knob == knobs.end() || (*knob)->verifiedByWrite()) continue;
    const KnobProbe probe = safeProbe(**knob);
    if (!probe.available) continue;
    const bool drift = probe.value != entry->value;
    bool& reported = reported_[entry->change_id];
    if (drift == reported) continue;
    reported = drift;
    changed.push_back(knobState(**knob, probe, entry));
    if (drift && logged_.insert(entry->change_id).second) {
      // Whoever set it is the operator's to settle with: a tuner that fights loses trust.
      spdlog::warn("tuning: {} drifted: change {} applied {}, it now reads {}; left alone",
                   entry->knob, entry->change_id, entry->value, probe.value);
    }
  }
  return changed;
}

void DriftWatch::forget(uint64_t change_id) { reported_.erase(change_id); }

}  // namespace tidemark::agent::tuner
