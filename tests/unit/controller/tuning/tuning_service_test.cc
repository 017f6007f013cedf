// TuningService: recommendations, approvals, dispatch, results, roll-outs, rollbacks
// and the audit log, over a real store and a manual clock.
#include "controller/tuning/tuning_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/unit/controller/tuning/tuning_service_fixture.h"

namespace tidemark::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using Action = wire::TuningAction;
using Outcome = wire::TuningOutcome;

using TuningServiceTest = TuningServiceFixture;

TEST_F(TuningServiceTest, RecommendsOnTheFirstReportOnceAndStaysInert) {
  report("a");
  auto proposals = service->list({});
  ASSERT_THAT(proposals, SizeIs(1));
  EXPECT_EQ(proposals[0].knob, "vm.swappiness");
  EXPECT_EQ(proposals[0].current, "60");
  EXPECT_EQ(proposals[0].value, "10");
  EXPECT_EQ(proposals[0].state, ProposalState::kProposed);
  EXPECT_EQ(proposals[0].source, "recommender");
  EXPECT_THAT(proposals[0].evidence, ElementsAre("vm.swappiness = 60"));

  report("a");
  clock.advanceMs(options.recommend_interval_ms);
  tick();
  tick();
  EXPECT_THAT(service->list({}), SizeIs(1));  // open: not proposed twice
  EXPECT_THAT(sent, IsEmpty());               // inert until approved
  ASSERT_THAT(events("proposed"), SizeIs(1));
  EXPECT_EQ(events("proposed")[0].actor, "controller");
}

TEST_F(TuningServiceTest, EverythingSurvivesARestartAndIdsKeepIncreasing) {
  report("a");
  const uint64_t first = swappinessOf("a");
  service->approve({first}, std::nullopt, alice);
  reopen();
  auto kept = service->show(first);
  EXPECT_EQ(kept.state, ProposalState::kApproved);
  EXPECT_EQ(kept.command, PendingCommand::kApply);
  EXPECT_EQ(kept.evidence, std::vector<std::string>{"vm.swappiness = 60"});
  // The knob report survived too: a manual proposal knows the current value.
  const auto ids = service->propose("vm.swappiness", "5", {"b"}, alice);  // b: no report
  ASSERT_THAT(ids, SizeIs(1));
  EXPECT_GT(ids[0], first);
  EXPECT_THROW(service->propose("vm.swappiness", "5", {"a"}, alice), TuningError);  // a's is open
  reopen();
  const auto manual = service->propose("vm.dirty_ratio", "10", {"a"}, alice);
  EXPECT_GT(manual[0], ids[0]);
  EXPECT_THAT(service->show(manual[0]).evidence,
              ElementsAre(HasSubstr("a never reported vm.dirty_ratio")));
  // The audit log too, newest first.
  const auto log = service->log(3);
  ASSERT_THAT(log, SizeIs(3));
  EXPECT_EQ(log[0].event, "proposed");
  EXPECT_EQ(log[0].proposal, manual[0]);
  EXPECT_EQ(log[2].event, "approved");
  tick();
  ASSERT_THAT(sent, SizeIs(1));  // the queued command survived as well
  EXPECT_EQ(sent[0].second.change_id, first);
}

TEST_F(TuningServiceTest, ApprovedChangeIsSentAppliedAndRolledBack) {
  report("a");
  const uint64_t id = swappinessOf("a");
  service->approve({id}, std::nullopt, alice);  // one host: no canary
  EXPECT_FALSE(service->show(id).canary);
  tick();
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_EQ(sent[0].first, "a");
  EXPECT_EQ(sent[0].second.change_id, id);
  EXPECT_EQ(sent[0].second.action, Action::kApply);
  EXPECT_EQ(sent[0].second.knob, "vm.swappiness");
  EXPECT_EQ(sent[0].second.value, "10");
  EXPECT_EQ(sent[0].second.timeout_ms, 0);
  tick();
  EXPECT_THAT(sent, SizeIs(1));  // sent once

  applied("a", id);
  auto proposal = service->show(id);
  EXPECT_EQ(proposal.state, ProposalState::kApplied);
  EXPECT_EQ(proposal.restore_command, "sysctl -w vm.swappiness=60");
  EXPECT_THAT(service->openCounts().applied, 1u);

  service->rollback(id, alice);
  EXPECT_THROW(service->rollback(id, alice), TuningError);  // already on its way
  tick();
  ASSERT_THAT(sent, SizeIs(2));
  EXPECT_EQ(sent[1].second.action, Action::kRollback);
  EXPECT_EQ(service->show(id).state, ProposalState::kApplied);  // until the agent confirms
  result("a", id, Action::kRollback, Outcome::kRolledBack);
  EXPECT_EQ(service->show(id).state, ProposalState::kRolledBack);

  std::vector<std::string> trail;
  auto log = service->log(100);
  for (auto it = log.rbegin(); it != log.rend(); ++it) trail.push_back(it->event);
  EXPECT_THAT(trail, ElementsAre("proposed", "approved", "dispatched", "applied",
                                 "rollback_requested", "dispatched", "rolled_back"));
}

TEST_F(TuningServiceTest, FailedResultsCarryTheAgentsReason) {
  report("a");
  const uint64_t id = swappinessOf("a");
  service->approve({id}, std::nullopt, alice);
  tick();
  result("a", id, Action::kApply, Outcome::kRefused, "not in the local allow-list");
  EXPECT_EQ(service->show(id).state, ProposalState::kFailed);
  EXPECT_EQ(service->show(id).agent_message, "not in the local allow-list");
  EXPECT_THAT(events("failed")[0].detail, HasSubstr("refused"));
  // A result for an id nobody proposed is ignored.
  wire::TuningResultData stray;
  stray.host_id = "a";
  stray.change_id = 999;
  service->onResult(stray);
  EXPECT_THAT(service->list({}), SizeIs(1));
}

TEST_F(TuningServiceTest, CanaryFirstThenTheRestAfterTheHealthWindow) {
  for (const char* host : {"a", "b", "c"}) report(host);
  const auto rollout = service->approve({swappinessOf("a"), swappinessOf("b"), swappinessOf("c")},
                                        std::nullopt, alice);
  EXPECT_TRUE(service->show(swappinessOf("a")).canary);
  EXPECT_FALSE(service->show(swappinessOf("b")).canary);
  EXPECT_EQ(service->show(swappinessOf("c")).rollout, rollout);
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a"));
  applied("a", swappinessOf("a"));
  tick();
  clock.advanceMs(999);
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a"));  // the health window is not over
  clock.advanceMs(1);
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a", "b", "c"));
  ASSERT_THAT(events("canary_healthy"), SizeIs(1));
  EXPECT_THAT(events("canary_healthy")[0].detail, HasSubstr("sending 2 change(s) to 2 host(s)"));
}

TEST_F(TuningServiceTest, AFailedCanaryStopsTheRollout) {
  for (const char* host : {"a", "b", "c"}) report(host);
  const uint64_t a = swappinessOf("a"), b = swappinessOf("b"), c = swappinessOf("c");
  service->approve({a, b, c}, std::nullopt, alice);
  tick();
  result("a", a, Action::kApply, Outcome::kFailed, "read back 60");
  EXPECT_EQ(service->show(a).state, ProposalState::kFailed);
  for (uint64_t rest : {b, c}) {
    EXPECT_EQ(service->show(rest).state, ProposalState::kProposed);
    EXPECT_EQ(service->show(rest).rollout, 0u);
  }
  ASSERT_THAT(events("rollout_stopped"), SizeIs(2));
  EXPECT_THAT(events("rollout_stopped")[0].detail,
              HasSubstr("canary vm.swappiness on a failed: read back 60"));
  clock.advanceMs(10'000);
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a"));  // nothing more went out
}

TEST_F(TuningServiceTest, AnAppliedCanaryIsRolledBackWhenAnotherCanaryFails) {
  for (const char* host : {"a", "b", "c"}) report(host);
  const uint64_t a = swappinessOf("a"), b = swappinessOf("b"), c = swappinessOf("c");
  service->approve({a, b, c}, 2, alice);
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a", "b"));
  applied("a", a);
  result("b", b, Action::kApply, Outcome::kUnavailable, "no such sysctl");
  EXPECT_EQ(service->show(c).state, ProposalState::kProposed);
  tick();
  ASSERT_THAT(sent, SizeIs(3));
  EXPECT_EQ(sent[2].first, "a");
  EXPECT_EQ(sent[2].second.action, Action::kRollback);
  result("a", a, Action::kRollback, Outcome::kRolledBack);
  EXPECT_EQ(service->show(a).state, ProposalState::kRolledBack);
}

TEST_F(TuningServiceTest, AnUnhealthyCanaryIsRolledBackAndTheRestWaitsForTheOperator) {
  for (const char* host : {"a", "b"}) report(host);
  const uint64_t a = swappinessOf("a"), b = swappinessOf("b");
  service->approve({a, b}, std::nullopt, alice);
  tick();
  applied("a", a);
  clock.advanceMs(500);
  unhealthy.insert("a");
  tick();
  ASSERT_THAT(sent, SizeIs(2));
  EXPECT_EQ(sent[1].second.action, Action::kRollback);
  EXPECT_EQ(service->show(b).state, ProposalState::kProposed);
  EXPECT_THAT(events("rollout_stopped")[0].detail, HasSubstr("canary host a is unhealthy"));
  clock.advanceMs(10'000);
  tick();
  EXPECT_THAT(sent, SizeIs(2));
}

TEST_F(TuningServiceTest, DriftOnACanaryStopsTheRolloutAndIsAuditedOnce) {
  for (const char* host : {"a", "b"}) report(host);
  const uint64_t a = swappinessOf("a"), b = swappinessOf("b");
  service->approve({a, b}, std::nullopt, alice);
  tick();
  applied("a", a);
  wire::KnobStateData drifted;
  drifted.knob = "vm.swappiness";
  drifted.value = "30";
  drifted.available = true;
  drifted.applied_change_id = a;
  drifted.applied_value = "10";
  drifted.drift = true;
  wire::KnobReportData data{"a", clock.wallMs(), {drifted}};
  service->onKnobReport(data);
  service->onKnobReport(data);
  ASSERT_THAT(events("drift"), SizeIs(1));
  EXPECT_EQ(events("drift")[0].detail, "applied 10, now 30: changed out of band, left alone");
  EXPECT_EQ(service->show(b).state, ProposalState::kProposed);
}

TEST_F(TuningServiceTest, CommandsWaitForAConnectionAndAreResentAfterHello) {
  connected.clear();
  report("a");
  const uint64_t id = swappinessOf("a");
  service->approve({id}, std::nullopt, alice);
  tick();
  EXPECT_THAT(sent, IsEmpty());
  EXPECT_THAT(events("dispatched"), IsEmpty());
  connected.insert("a");
  tick();
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a"));
  service->onHello("b");
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a"));
  service->onHello("a");  // reconnected without an answer: the agent answers from its journal
  tick();
  EXPECT_THAT(sentTo(), ElementsAre("a", "a"));
  EXPECT_EQ(sent[1].second.change_id, id);
  applied("a", id);
  applied("a", id);  // the repeat's answer changes nothing
  service->onHello("a");
  tick();
  EXPECT_THAT(sent, SizeIs(2));
  EXPECT_THAT(events("applied"), SizeIs(1));
}

TEST_F(TuningServiceTest, RollbackOnlyOfAppliedChangesAndNeverOfMaintenanceJobs) {
  report("a");
  const uint64_t id = swappinessOf("a");
  try {
    service->rollback(id, alice);
    FAIL() << "expected TuningError";
  } catch (const TuningError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is proposed: only applied ones can be rolled back"));
  }
  EXPECT_THROW(service->rollback(4242, alice), TuningError);

  const uint64_t pack = service->propose("ship.pack:zod", "run", {"a"}, alice)[0];
  service->approve({pack}, std::nullopt, alice);
  tick();
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_EQ(sent[0].second.timeout_ms, options.job_timeout_ms);
  applied("a", pack);
  try {
    service->rollback(pack, alice);
    FAIL() << "expected TuningError";
  } catch (const TuningError& e) {
    EXPECT_THAT(e.what(), HasSubstr("a maintenance job cannot be rolled back"));
  }
}

TEST_F(TuningServiceTest, RejectedProposalsStayQuietForSevenDays) {
  report("a");
  const uint64_t id = swappinessOf("a");
  service->reject(id, alice);
  EXPECT_EQ(service->show(id).state, ProposalState::kRejected);
  EXPECT_THROW(service->reject(id, alice), TuningError);
  try {
    service->approve({id}, std::nullopt, alice);
    FAIL() << "expected TuningError";
  } catch (const TuningError& e) {
    EXPECT_THAT(e.what(), HasSubstr("proposal " + std::to_string(id) + " is rejected"));
  }
  tick();
  clock.advanceMs(6 * 86'400'000LL);
  tick();
  EXPECT_THAT(service->list({}), SizeIs(1));
  clock.advanceMs(2 * 86'400'000LL);
  tick();
  EXPECT_THAT(service->list({ProposalState::kProposed, ""}), SizeIs(1));
}

TEST_F(TuningServiceTest, TheAuditNamesTheOperator) {
  report("a");
  const uint64_t id = swappinessOf("a");
  service->approve({id}, std::nullopt, alice);
  const auto approvals = events("approved");
  ASSERT_THAT(approvals, SizeIs(1));
  EXPECT_EQ(approvals[0].actor_uid, 1234);
  EXPECT_EQ(approvals[0].actor, "alice");
  EXPECT_EQ(approvals[0].proposal, id);
  EXPECT_EQ(approvals[0].host, "a");
  EXPECT_EQ(approvals[0].at_ms, clock.wallMs());
  const auto manual = service->propose("thp.enabled", "never", {"b", "c"}, AdminPeer{77, ""});
  ASSERT_THAT(manual, SizeIs(2));
  EXPECT_EQ(service->show(manual[1]).host, "c");
  EXPECT_EQ(service->show(manual[0]).source, "manual by uid:77");
}

TEST_F(TuningServiceTest, VerbsRefuseWithReasons) {
  report("a");
  const uint64_t id = swappinessOf("a");
  EXPECT_THROW(service->show(77), TuningError);
  EXPECT_THROW(service->approve({}, std::nullopt, alice), TuningError);
  EXPECT_THROW(service->approve({id, id}, std::nullopt, alice), TuningError);
  EXPECT_THROW(service->approve({id}, 2, alice), TuningError);  // one host only
  service->approve({id}, std::nullopt, alice);
  tick();
  applied("a", id);
  try {
    service->approve({id}, std::nullopt, alice);
    FAIL() << "expected TuningError";
  } catch (const TuningError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is applied: only proposed ones can be approved"));
  }
  wire::KnobStateData thp;
  thp.knob = "thp.enabled";
  thp.value = "always";
  thp.available = true;
  thp.choices = {"always", "madvise", "never"};
  wire::KnobStateData sched;
  sched.knob = "kernel.sched_migration_cost_ns";
  sched.reason = "sched_* moved out of sysctl in 5.13";
  report("b", {thp, sched});
  EXPECT_THROW(service->propose("thp.enabled", "sometimes", {"b"}, alice), TuningError);
  try {
    service->propose("kernel.sched_migration_cost_ns", "5000000", {"b"}, alice);
    FAIL() << "expected TuningError";
  } catch (const TuningError& e) {
    EXPECT_THAT(e.what(), HasSubstr("sched_* moved out of sysctl in 5.13"));
  }
  EXPECT_THROW(service->propose("vm.swappiness", "10", {}, alice), TuningError);
}

}  // namespace
}  // namespace tidemark::controller
