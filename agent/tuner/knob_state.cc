#include "agent/tuner/knob_state.h"

namespace tidemark::agent::tuner {

wire::KnobStateData knobState(const Knob& knob, const KnobProbe& probe,
                              const JournalEntry* applied) {
  wire::KnobStateData state;
  state.knob = knob.id();
  state.value = probe.value;
  state.available = probe.available;
  state.reason = probe.reason;
  state.choices = probe.choices;
  state.facts = probe.facts;
  if (applied != nullptr) {
    state.applied_change_id = applied->change_id;
    state.applied_value = applied->value;
    state.drift = probe.available && !knob.verifiedByWrite() && probe.value != applied->value;
  }
  return state;
}

KnobProbe safeProbe(const Knob& knob) {
  try {
    return knob.probe();
  } catch (const std::exception& e) {
    KnobProbe probe;
    probe.reason = std::string("probe failed: ") + e.what();
    return probe;
  }
}

std::string safeRead(const Knob& knob, std::string& error) {
  try {
    return knob.read();
  } catch (const std::exception& e) {
    error = e.what();
    return "";
  }
}

}  // namespace tidemark::agent::tuner
