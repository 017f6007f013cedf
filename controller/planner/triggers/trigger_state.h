// The hysteresis state machine of one trigger subject (rule, host, labels): pending
// while the condition holds for less than the rule's duration, firing after, resolved
// once the value is on the safe side by more than the margin or the condition stayed
// false for clear_after. Pure functions of (rule, state, observation, now), so every
// transition is tested without a store or a clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/metrics/series.h"
#include "controller/planner/triggers/trigger_rule.h"

namespace tidemark::controller {

enum class TriggerPhase {
  kOk,        // never breached (such states are not kept)
  kPending,   // breached, not yet for the whole duration
  kFiring,
  kResolved,  // fired, then cleared; kept so operators see what recovered
};

std::string_view phaseName(TriggerPhase phase);

struct TriggerState {
  std::string rule;
  std::string host;
  Labels labels;  // sorted by name
  TriggerPhase phase = TriggerPhase::kOk;
  // Start of the current breach (pending or firing); 0 when not in breach.
  int64_t breach_since_ms = 0;
  // When the current episode started firing (breach start + duration); 0 when not firing.
  int64_t firing_since_ms = 0;
  // When the last episode resolved; 0 when none has.
  int64_t resolved_at_ms = 0;
  // While firing: since when the condition has been false (the clear_after clock).
  int64_t safe_since_ms = 0;
  // The newest observed value and its time.
  double value = 0;
  int64_t value_ms = 0;
};

// What the sources saw for one subject at one evaluation.
struct TriggerObservation {
  int64_t at_ms = 0;  // time of `value`
  double value = 0;
  // When `value` breaches: the start of the unbroken run of breaching samples ending
  // at it, as far back as the history read shows (at_ms when only `value` is known).
  int64_t breach_since_ms = 0;
};

// Moves `state` on by one observation made at `now_ms`.
void advanceTrigger(const TriggerRule& rule, const TriggerObservation& observation, int64_t now_ms,
                    TriggerState& state);

// A subject that no source reports any more (its filesystem was unmounted, its series
// stopped): a pending breach is dropped at once, a firing one resolves once nothing
// was observed for clear_after. Returns true when the state changed.
bool expireTrigger(const TriggerRule& rule, int64_t now_ms, TriggerState& state);

}  // namespace tidemark::controller
