#include "controller/planner/triggers/trigger_state.h"

#include <algorithm>

namespace tidemark::controller {

namespace {

void resolve(TriggerState& state, int64_t at_ms) {
  state.phase = TriggerPhase::kResolved;
  state.resolved_at_ms = at_ms;
  state.breach_since_ms = 0;
  state.safe_since_ms = 0;
}

// Not in breach and not firing: back to where the last episode left it.
void calm(TriggerState& state) {
  state.phase = state.resolved_at_ms != 0 ? TriggerPhase::kResolved : TriggerPhase::kOk;
  state.breach_since_ms = 0;
}

}  // namespace

std::string_view phaseName(TriggerPhase phase) {
  switch (phase) {
    case TriggerPhase::kOk: return "ok";
    case TriggerPhase::kPending: return "pending";
    case TriggerPhase::kFiring: return "firing";
    case TriggerPhase::kResolved: return "resolved";
  }
  return "unknown";
}

void advanceTrigger(const TriggerRule& rule, const TriggerObservation& observation, int64_t now_ms,
                    TriggerState& state) {
  state.value = observation.value;
  state.value_ms = observation.at_ms;
  const bool breach = rule.breached(observation.value);

  if (state.phase == TriggerPhase::kFiring) {
    if (breach) {
      state.safe_since_ms = 0;
    } else if (rule.cleared(observation.value)) {
      resolve(state, observation.at_ms);
    } else {
      // Between threshold and threshold - margin: resolve only if it stays there.
      if (state.safe_since_ms == 0) state.safe_since_ms = observation.at_ms;
      if (now_ms - state.safe_since_ms >= rule.clear_after_ms) resolve(state, now_ms);
    }
    return;
  }

  if (!breach) {
    calm(state);
    return;
  }
  int64_t since = observation.breach_since_ms != 0 ? observation.breach_since_ms : observation.at_ms;
  // Every evaluation since the pending state began saw a breach, so it held from then
  // on even when the history read this time is shorter (a restart, a short window).
  if (state.phase == TriggerPhase::kPending && state.breach_since_ms != 0) {
    since = std::min(since, state.breach_since_ms);
  }
  state.breach_since_ms = since;
  if (now_ms - since >= rule.duration_ms) {
    state.phase = TriggerPhase::kFiring;
    state.firing_since_ms = since + rule.duration_ms;
    state.safe_since_ms = 0;
  } else {
    state.phase = TriggerPhase::kPending;
  }
}

bool expireTrigger(const TriggerRule& rule, int64_t now_ms, TriggerState& state) {
  switch (state.phase) {
    case TriggerPhase::kPending:
      calm(state);
      return true;
    case TriggerPhase::kFiring:
      if (now_ms - state.value_ms < rule.clear_after_ms) return false;
      resolve(state, now_ms);
      return true;
    default:
      return false;
  }
}

}  // namespace tidemark::controller
