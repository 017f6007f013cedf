#include "controller/planner/triggers/trigger_state.h"

#include <gtest/gtest.h>

namespace tidemark::controller {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kT0 = 1'700'000'000'000;

TriggerRule cpuRule() {
  TriggerRule rule;
  rule.name = "cpu_busy";
  rule.resource = TriggerResource::kCpu;
  rule.threshold = 0.80;
  rule.duration_ms = 60 * kMinute;
  rule.clear_margin = 0.05;
  rule.clear_after_ms = 15 * kMinute;
  return rule;
}

// An observation at `at` whose breach (if any) began at `since` (default: at).
TriggerObservation seen(int64_t at, double value, int64_t since = 0) {
  return {at, value, since != 0 ? since : at};
}

TEST(TriggerStateTest, PendingUntilTheConditionHeldForTheWholeDuration) {
  TriggerRule rule = cpuRule();
  TriggerState state;
  for (int minute = 0; minute < 60; ++minute) {
    advanceTrigger(rule, seen(kT0 + minute * kMinute, 0.9), kT0 + minute * kMinute, state);
    ASSERT_EQ(state.phase, TriggerPhase::kPending) << "minute " << minute;
  }
  EXPECT_EQ(state.breach_since_ms, kT0);
  advanceTrigger(rule, seen(kT0 + 60 * kMinute, 0.9), kT0 + 60 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kFiring);
  EXPECT_EQ(state.firing_since_ms, kT0 + 60 * kMinute);
  EXPECT_DOUBLE_EQ(state.value, 0.9);
}

TEST(TriggerStateTest, ADipWhilePendingRestartsTheDuration) {
  TriggerRule rule = cpuRule();
  TriggerState state;
  advanceTrigger(rule, seen(kT0, 0.9), kT0, state);
  advanceTrigger(rule, seen(kT0 + 30 * kMinute, 0.5), kT0 + 30 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kOk);
  EXPECT_EQ(state.breach_since_ms, 0);
  advanceTrigger(rule, seen(kT0 + 31 * kMinute, 0.9), kT0 + 31 * kMinute, state);
  advanceTrigger(rule, seen(kT0 + 70 * kMinute, 0.9), kT0 + 70 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kPending);
  advanceTrigger(rule, seen(kT0 + 91 * kMinute, 0.9), kT0 + 91 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kFiring);
  EXPECT_EQ(state.firing_since_ms, kT0 + 91 * kMinute);
}

TEST(TriggerStateTest, HistoryThatAlreadyCoversTheDurationFiresAtOnce) {
  TriggerRule rule = cpuRule();
  TriggerState state;
  const int64_t now = kT0 + 3 * 60 * kMinute;
  advanceTrigger(rule, seen(now, 0.95, kT0), now, state);
  EXPECT_EQ(state.phase, TriggerPhase::kFiring);
  EXPECT_EQ(state.breach_since_ms, kT0);
  EXPECT_EQ(state.firing_since_ms, kT0 + 60 * kMinute);
}

TEST(TriggerStateTest, HysteresisKeepsFiringBetweenThresholdAndMargin) {
  TriggerRule rule = cpuRule();
  TriggerState state;
  advanceTrigger(rule, seen(kT0, 0.9, kT0 - 60 * kMinute), kT0, state);
  ASSERT_EQ(state.phase, TriggerPhase::kFiring);
  // 0.78 is under the threshold but not by the margin: still firing for clear_after.
  for (int minute = 1; minute < 15; ++minute) {
    advanceTrigger(rule, seen(kT0 + minute * kMinute, 0.78), kT0 + minute * kMinute, state);
    ASSERT_EQ(state.phase, TriggerPhase::kFiring) << "minute " << minute;
  }
  EXPECT_EQ(state.safe_since_ms, kT0 + kMinute);
  advanceTrigger(rule, seen(kT0 + 16 * kMinute, 0.78), kT0 + 16 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kResolved);
  EXPECT_EQ(state.resolved_at_ms, kT0 + 16 * kMinute);
}

TEST(TriggerStateTest, ABreachWhileClearingRestartsTheClearClock) {
  TriggerRule rule = cpuRule();
  TriggerState state;
  advanceTrigger(rule, seen(kT0, 0.9, kT0 - 60 * kMinute), kT0, state);
  advanceTrigger(rule, seen(kT0 + 10 * kMinute, 0.78), kT0 + 10 * kMinute, state);
  advanceTrigger(rule, seen(kT0 + 11 * kMinute, 0.81), kT0 + 11 * kMinute, state);
  EXPECT_EQ(state.safe_since_ms, 0);
  advanceTrigger(rule, seen(kT0 + 20 * kMinute, 0.78), kT0 + 20 * kMinute, state);
  advanceTrigger(rule, seen(kT0 + 30 * kMinute, 0.78), kT0 + 30 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kFiring);
}

TEST(TriggerStateTest, AValueBeyondTheMarginResolvesAtOnce) {
  TriggerRule rule = cpuRule();
  TriggerState state;
  advanceTrigger(rule, seen(kT0, 0.9, kT0 - 60 * kMinute), kT0, state);
  advanceTrigger(rule, seen(kT0 + kMinute, 0.74), kT0 + kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kResolved);
  EXPECT_EQ(state.resolved_at_ms, kT0 + kMinute);
  EXPECT_EQ(state.firing_since_ms, kT0) << "the episode's start stays visible";

  // A new breach starts a new episode from pending; resolved_at is kept meanwhile.
  advanceTrigger(rule, seen(kT0 + 2 * kMinute, 0.9), kT0 + 2 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kPending);
  EXPECT_EQ(state.resolved_at_ms, kT0 + kMinute);
  advanceTrigger(rule, seen(kT0 + 3 * kMinute, 0.5), kT0 + 3 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kResolved);
}

TEST(TriggerStateTest, BelowRulesMirrorTheMargin) {
  TriggerRule rule;
  rule.comparison = TriggerRule::Comparison::kLess;
  rule.threshold = 10;
  rule.clear_margin = 2;
  rule.clear_after_ms = 60 * kMinute;
  TriggerState state;
  advanceTrigger(rule, seen(kT0, 5), kT0, state);
  EXPECT_EQ(state.phase, TriggerPhase::kFiring);
  advanceTrigger(rule, seen(kT0 + kMinute, 11), kT0 + kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kFiring);
  advanceTrigger(rule, seen(kT0 + 2 * kMinute, 12.5), kT0 + 2 * kMinute, state);
  EXPECT_EQ(state.phase, TriggerPhase::kResolved);
}

TEST(TriggerStateTest, SubjectsThatStopReportingExpire) {
  TriggerRule rule = cpuRule();
  TriggerState pending;
  advanceTrigger(rule, seen(kT0, 0.9), kT0, pending);
  EXPECT_TRUE(expireTrigger(rule, kT0 + kMinute, pending));
  EXPECT_EQ(pending.phase, TriggerPhase::kOk);

  TriggerState firing;
  advanceTrigger(rule, seen(kT0, 0.9, kT0 - 60 * kMinute), kT0, firing);
  EXPECT_FALSE(expireTrigger(rule, kT0 + 14 * kMinute, firing));
  EXPECT_EQ(firing.phase, TriggerPhase::kFiring);
  EXPECT_TRUE(expireTrigger(rule, kT0 + 15 * kMinute, firing));
  EXPECT_EQ(firing.phase, TriggerPhase::kResolved);
  EXPECT_EQ(firing.resolved_at_ms, kT0 + 15 * kMinute);
}

}  // namespace
}  // namespace tidemark::controller
