#include "agent/tuner/tuner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>

#include "tests/unit/agent/collectors/collector_test_util.h"
#include "tests/unit/agent/tuner/host_fixture.h"

namespace tidemark::agent::tuner {
namespace {

using testing::readFixture;
using testing::TempDir;
using testing::writeHostTree;
using wire::TuningAction;
using wire::TuningOutcome;

// What a FakeKnob's copies share: knobs are rebuilt at every survey.
struct FakeState {
  std::string value = "1";
  std::string read_back_override;  // non-empty: read() says this whatever was written
  bool reversible = true;
  bool verified_by_write = false;
  std::string write_error;          // non-empty: write() changes the value, then throws this
  std::function<void()> on_write;   // runs first in write(): lets a test look at the journal
  int writes = 0;
};

class FakeKnob final : public Knob {
 public:
  FakeKnob(std::string id, std::shared_ptr<FakeState> state)
      : id_(std::move(id)), state_(std::move(state)) {}
  const std::string& id() const override { return id_; }
  KnobProbe probe() const override {
    KnobProbe probe;
    probe.available = true;
    probe.value = read();
    return probe;
  }
  std::string validate(const std::string& value) const override {
    return value == "bad" ? "fake: 'bad' is not a value" : "";
  }
  SavedState save() const override { return {{id_, state_->value}}; }
  void write(const std::string& value) override {
    if (state_->on_write) state_->on_write();
    ++state_->writes;
    state_->value = value;
    if (!state_->write_error.empty()) throw TuningError(state_->write_error);
  }
  std::string read() const override {
    return state_->read_back_override.empty() ? state_->value : state_->read_back_override;
  }
  void restore(const SavedState& saved) override {
    state_->read_back_override.clear();  // the fault was in the new value
    state_->value = saved.at(0).second;
  }
  std::string restoreCommand(const SavedState& saved) const override {
    return "fake-set " + saved.at(0).second;
  }
  bool reversible() const override { return state_->reversible; }
  bool verifiedByWrite() const override { return state_->verified_by_write; }

 private:
  std::string id_;
  std::shared_ptr<FakeState> state_;
};

class FakeKnobSource final : public KnobSource {
 public:
  FakeKnobSource(std::string id, std::shared_ptr<FakeState> state)
      : id_(std::move(id)), state_(std::move(state)) {}
  void addKnobs(std::vector<KnobPtr>& out) override {
    out.push_back(std::make_unique<FakeKnob>(id_, state_));
  }

 private:
  std::string id_;
  std::shared_ptr<FakeState> state_;
};

class TunerTest : public ::testing::Test {
 protected:
  TunerTest() { writeHostTree(root_); }

  TunerOptions options() const {
    TunerOptions options;
    options.root = root_.str();
    options.journal_dir = state_.str() + "/tuning";
    options.host_id = "host-a";
    return options;
  }

  // A Tuner over the fixture host plus the fake knobs "fake.knob" and "ship.pack:zod".
  std::unique_ptr<Tuner> makeTuner(Policy policy = Policy::defaults()) {
    std::vector<std::unique_ptr<KnobSource>> sources;
    sources.push_back(makeHostKnobSource(options()));
    sources.push_back(std::make_unique<FakeKnobSource>("fake.knob", fake_));
    sources.push_back(std::make_unique<FakeKnobSource>("ship.pack:zod", job_));
    return std::make_unique<Tuner>(options(), std::move(policy), clock_, std::move(sources));
  }

  static Policy fakePolicy() {
    return Policy::parse(
        "[[allow]]\nknob = \"fake.knob\"\n[[allow]]\nknob = \"vm.swappiness\"\nmin = 1\nmax = 60\n"
        "[[allow]]\nknob = \"ship.pack:*\"\nvalues = [\"run\"]\n",
        "(test)");
  }

  static wire::TuningCommandData apply(uint64_t id, std::string knob, std::string value) {
    wire::TuningCommandData command;
    command.change_id = id;
    command.action = TuningAction::kApply;
    command.knob = std::move(knob);
    command.value = std::move(value);
    return command;
  }

  static wire::TuningCommandData rollback(uint64_t id) {
    wire::TuningCommandData command;
    command.change_id = id;
    command.action = TuningAction::kRollback;
    return command;
  }

  TempDir root_;
  TempDir state_;
  ManualClock clock_;
  std::shared_ptr<FakeState> fake_ = std::make_shared<FakeState>();
  std::shared_ptr<FakeState> job_ = std::make_shared<FakeState>();
};

TEST_F(TunerTest, ApplyWritesTheFileAndJournalsTheChange) {
  auto tuner = makeTuner();
  const auto result = tuner->execute(apply(7, "vm.swappiness", "10"));
  EXPECT_EQ(result.outcome, TuningOutcome::kApplied) << result.reason;
  EXPECT_EQ(result.host_id, "host-a");
  EXPECT_EQ(result.change_id, 7u);
  EXPECT_EQ(result.knob, "vm.swappiness");
  EXPECT_EQ(result.previous, "60");
  EXPECT_EQ(result.current, "10");
  EXPECT_EQ(result.restore_command, "sysctl -w vm.swappiness=60");
  EXPECT_EQ(result.at_ms, clock_.wallMs());
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "10\n");

  const std::string entry = readFixture(state_, "tuning/7.change");
  EXPECT_NE(entry.find("status=applied\n"), std::string::npos) << entry;
  EXPECT_NE(entry.find("saved_value=60\n"), std::string::npos) << entry;

  bool seen = false;
  for (const auto& state : tuner->survey()) {
    if (state.knob != "vm.swappiness") continue;
    seen = true;
    EXPECT_EQ(state.value, "10");
    EXPECT_EQ(state.applied_change_id, 7u);
    EXPECT_EQ(state.applied_value, "10");
    EXPECT_FALSE(state.drift);
  }
  EXPECT_TRUE(seen);
}

TEST_F(TunerTest, RefusedByPolicyLeavesTheFileAlone) {
  auto tuner = makeTuner();
  const auto result = tuner->execute(apply(8, "vm.swappiness", "80"));
  EXPECT_EQ(result.outcome, TuningOutcome::kRefused);
  EXPECT_EQ(result.reason,
            "policy (built-in default) does not allow vm.swappiness = 80 (allowed 1..60)");
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "60\n");
  // Recorded, so a resend gets the same answer.
  EXPECT_EQ(tuner->execute(apply(8, "vm.swappiness", "80")).reason, result.reason);

  const auto no_entry = tuner->execute(apply(9, "kernel.numa_balancing", "0"));
  EXPECT_EQ(no_entry.outcome, TuningOutcome::kUnavailable);
  EXPECT_EQ(no_entry.reason, "no knob kernel.numa_balancing on this host");
}

TEST_F(TunerTest, ValidationRefusesWhatTheKernelDoesNotOffer) {
  auto tuner = makeTuner();
  const auto result = tuner->execute(apply(10, "net.ipv4.tcp_congestion_control", "bbr"));
  EXPECT_EQ(result.outcome, TuningOutcome::kRefused);
  EXPECT_NE(result.reason.find("'bbr' is not offered"), std::string::npos) << result.reason;
  EXPECT_EQ(readFixture(root_, "proc/sys/net/ipv4/tcp_congestion_control"), "cubic\n");
}

TEST_F(TunerTest, UnavailableKnobIsNeverWritten) {
  root_.write("proc/cmdline", "ro transparent_hugepage=madvise\n");
  auto tuner = makeTuner();
  const auto result = tuner->execute(apply(11, "thp.enabled", "never"));
  EXPECT_EQ(result.outcome, TuningOutcome::kUnavailable);
  EXPECT_EQ(result.reason,
            "set on the kernel command line (transparent_hugepage=madvise): left alone");
  EXPECT_EQ(readFixture(root_, "sys/kernel/mm/transparent_hugepage/enabled"),
            "always [madvise] never\n");
}

TEST_F(TunerTest, FailedVerificationRestoresByItself) {
  auto tuner = makeTuner(fakePolicy());
  fake_->value = "1";
  fake_->read_back_override = "3";
  const auto result = tuner->execute(apply(12, "fake.knob", "2"));
  EXPECT_EQ(result.outcome, TuningOutcome::kFailed);
  EXPECT_EQ(result.reason, "verification failed: wrote 2, read back 3; restored 1");
  EXPECT_EQ(fake_->value, "1");
  EXPECT_EQ(tuner->journal().find(12)->status, ChangeStatus::kFailed);
  EXPECT_EQ(tuner->journal().appliedFor("fake.knob"), nullptr);
}

TEST_F(TunerTest, TheJournalHoldsTheOldValueBeforeTheKnobIsWritten) {
  auto tuner = makeTuner(fakePolicy());
  fake_->value = "4";
  std::string journal_at_write;
  fake_->on_write = [&] { journal_at_write = readFixture(state_, "tuning/30.change"); };
  ASSERT_EQ(tuner->execute(apply(30, "fake.knob", "8")).outcome, TuningOutcome::kApplied);
  EXPECT_NE(journal_at_write.find("status=pending\n"), std::string::npos) << journal_at_write;
  EXPECT_NE(journal_at_write.find("saved_value=4\n"), std::string::npos) << journal_at_write;
  EXPECT_NE(journal_at_write.find("restore_command=fake-set 4\n"), std::string::npos);
}

TEST_F(TunerTest, AWriteThatThrowsIsRestoredAndReported) {
  auto tuner = makeTuner(fakePolicy());
  fake_->value = "4";
  fake_->write_error = "write /proc/sys/fake = '8': Invalid argument";
  const auto result = tuner->execute(apply(31, "fake.knob", "8"));
  EXPECT_EQ(result.outcome, TuningOutcome::kFailed);
  EXPECT_EQ(result.reason,
            "write failed: write /proc/sys/fake = '8': Invalid argument; restored 4");
  EXPECT_EQ(fake_->value, "4");
  EXPECT_EQ(tuner->journal().find(31)->status, ChangeStatus::kFailed);
}

TEST_F(TunerTest, RollingBackADirtyRatioChangePutsDirtyBytesBack) {
  root_.write("proc/sys/vm/dirty_ratio", "0\n");
  root_.write("proc/sys/vm/dirty_bytes", "268435456\n");
  auto tuner = makeTuner();
  const auto applied = tuner->execute(apply(32, "vm.dirty_ratio", "20"));
  ASSERT_EQ(applied.outcome, TuningOutcome::kApplied) << applied.reason;
  EXPECT_EQ(applied.restore_command, "sysctl -w vm.dirty_bytes=268435456");
  root_.write("proc/sys/vm/dirty_bytes", "0\n");  // as the kernel does on a ratio write
  const auto undone = tuner->execute(rollback(32));
  EXPECT_EQ(undone.outcome, TuningOutcome::kRolledBack) << undone.reason;
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/dirty_bytes"), "268435456\n");
}

TEST_F(TunerTest, KnobValidationRefusesBeforeAnyWrite) {
  auto tuner = makeTuner(fakePolicy());
  const auto result = tuner->execute(apply(13, "fake.knob", "bad"));
  EXPECT_EQ(result.outcome, TuningOutcome::kRefused);
  EXPECT_EQ(result.reason, "fake: 'bad' is not a value");
  EXPECT_EQ(fake_->writes, 0);
}

TEST_F(TunerTest, ANewTunerOverTheSameJournalCanRollBack) {
  makeTuner()->execute(apply(14, "vm.swappiness", "10"));
  ASSERT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "10\n");
  // The first Tuner is gone (the agent restarted): nothing was reverted by that.
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "10\n");

  auto restarted = makeTuner();
  const auto result = restarted->execute(rollback(14));
  EXPECT_EQ(result.outcome, TuningOutcome::kRolledBack) << result.reason;
  EXPECT_EQ(result.knob, "vm.swappiness");
  EXPECT_EQ(result.previous, "10");
  EXPECT_EQ(result.current, "60");
  EXPECT_EQ(result.reason, "");
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "60\n");
  EXPECT_EQ(restarted->journal().find(14)->status, ChangeStatus::kRolledBack);

  // A resent rollback is answered from the journal.
  EXPECT_EQ(restarted->execute(rollback(14)).outcome, TuningOutcome::kRolledBack);
  const auto unknown = restarted->execute(rollback(99));
  EXPECT_EQ(unknown.outcome, TuningOutcome::kFailed);
  EXPECT_EQ(unknown.reason, "no journaled change 99 on this host");
}

TEST_F(TunerTest, RollbackOfADriftedKnobRestoresAndSaysSo) {
  auto tuner = makeTuner();
  tuner->execute(apply(15, "vm.swappiness", "10"));
  root_.write("proc/sys/vm/swappiness", "30\n");
  const auto result = tuner->execute(rollback(15));
  EXPECT_EQ(result.outcome, TuningOutcome::kRolledBack);
  EXPECT_EQ(result.previous, "30");
  EXPECT_EQ(result.current, "60");
  EXPECT_EQ(result.reason, "the knob had drifted to 30 (change 15 applied 10); restored anyway");
}

TEST_F(TunerTest, RollbackOfARefusedChangeSaysItsStatus) {
  auto tuner = makeTuner();
  tuner->execute(apply(16, "vm.swappiness", "99"));
  const auto result = tuner->execute(rollback(16));
  EXPECT_EQ(result.outcome, TuningOutcome::kFailed);
  EXPECT_EQ(result.reason, "change 16 is refused, not applied");
}

TEST_F(TunerTest, ResentChangeIdIsNotAppliedTwice) {
  auto tuner = makeTuner(fakePolicy());
  const auto first = tuner->execute(apply(17, "fake.knob", "5"));
  ASSERT_EQ(first.outcome, TuningOutcome::kApplied);
  fake_->value = "6";  // changed by hand since
  const auto again = makeTuner(fakePolicy())->execute(apply(17, "fake.knob", "5"));
  EXPECT_EQ(again.outcome, TuningOutcome::kApplied);
  EXPECT_EQ(again.previous, "1");
  EXPECT_EQ(again.current, "5");
  EXPECT_EQ(fake_->writes, 1);
  EXPECT_EQ(fake_->value, "6");
}

TEST_F(TunerTest, AJournaledChangeIdWithAnotherKnobOrValueIsRefused) {
  auto tuner = makeTuner(fakePolicy());
  ASSERT_EQ(tuner->execute(apply(18, "fake.knob", "5")).outcome, TuningOutcome::kApplied);
  const auto other_value = tuner->execute(apply(18, "fake.knob", "7"));
  EXPECT_EQ(other_value.outcome, TuningOutcome::kRefused);
  EXPECT_THAT(other_value.reason, ::testing::HasSubstr("journaled as fake.knob = 5"));
  wire::TuningCommandData rollback_other;
  rollback_other.change_id = 18;
  rollback_other.action = TuningAction::kRollback;
  rollback_other.knob = "vm.swappiness";
  const auto other_knob = tuner->execute(rollback_other);
  EXPECT_EQ(other_knob.outcome, TuningOutcome::kRefused);
  EXPECT_EQ(other_knob.knob, "vm.swappiness");
  EXPECT_EQ(fake_->writes, 1);
  EXPECT_EQ(fake_->value, "5");
}

TEST_F(TunerTest, DriftIsReportedOnceAndNeverWrittenBack) {
  testing::LogCapture log;
  auto tuner = makeTuner();
  tuner->execute(apply(18, "vm.swappiness", "10"));
  EXPECT_TRUE(tuner->checkDrift().empty());

  root_.write("proc/sys/vm/swappiness", "30\n");
  const auto drifted = tuner->checkDrift();
  ASSERT_EQ(drifted.size(), 1u);
  EXPECT_EQ(drifted[0].knob, "vm.swappiness");
  EXPECT_TRUE(drifted[0].drift);
  EXPECT_EQ(drifted[0].value, "30");
  EXPECT_EQ(drifted[0].applied_value, "10");
  EXPECT_TRUE(tuner->checkDrift().empty()) << "unchanged drift is not reported again";
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "30\n");
  EXPECT_EQ(log.count("vm.swappiness drifted: change 18 applied 10, it now reads 30"), 1u)
      << log.text();

  root_.write("proc/sys/vm/swappiness", "10\n");
  const auto settled = tuner->checkDrift();
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_FALSE(settled[0].drift);
  root_.write("proc/sys/vm/swappiness", "40\n");
  EXPECT_EQ(tuner->checkDrift().size(), 1u);
  EXPECT_EQ(log.count("drifted"), 1u) << "the first drift of a change is logged once";
}

TEST_F(TunerTest, MaintenanceJobsAreVerifiedByTheWriteAndCannotBeUndone) {
  job_->verified_by_write = true;
  job_->reversible = false;
  job_->read_back_override = "last run: ok";
  auto tuner = makeTuner(fakePolicy());
  const auto result = tuner->execute(apply(19, "ship.pack:zod", "run"));
  EXPECT_EQ(result.outcome, TuningOutcome::kApplied) << result.reason;
  EXPECT_EQ(job_->writes, 1);
  EXPECT_TRUE(tuner->checkDrift().empty());
  const auto undo = tuner->execute(rollback(19));
  EXPECT_EQ(undo.outcome, TuningOutcome::kRefused);
  EXPECT_EQ(undo.reason, "maintenance jobs cannot be undone");
}

TEST_F(TunerTest, ANewerChangeSupersedesAndRollingItBackRevivesTheOlder) {
  auto tuner = makeTuner();
  tuner->execute(apply(20, "vm.swappiness", "10"));
  tuner->execute(apply(21, "vm.swappiness", "20"));
  EXPECT_EQ(tuner->journal().find(20)->status, ChangeStatus::kSuperseded);
  EXPECT_EQ(tuner->execute(rollback(20)).reason,
            "change 20 is superseded, not applied: roll back change 21 first");
  EXPECT_EQ(tuner->execute(rollback(21)).current, "10");
  EXPECT_EQ(tuner->journal().find(20)->status, ChangeStatus::kApplied);
  EXPECT_EQ(tuner->execute(rollback(20)).current, "60");
}

TEST_F(TunerTest, PendingChangeAfterACrashCanStillBeRolledBack) {
  JournalEntry pending;
  pending.change_id = 22;
  pending.knob = "vm.swappiness";
  pending.value = "10";
  pending.previous = "60";
  pending.saved = {{"vm.swappiness", "60"}};
  pending.restore_command = "sysctl -w vm.swappiness=60";
  pending.status = ChangeStatus::kPending;
  {
    Journal journal(options().journal_dir);
    journal.record(pending);
  }
  root_.write("proc/sys/vm/swappiness", "10\n");  // the write landed before the crash
  auto tuner = makeTuner();
  const auto resent = tuner->execute(apply(22, "vm.swappiness", "10"));
  EXPECT_EQ(resent.outcome, TuningOutcome::kApplied);
  EXPECT_EQ(resent.current, "10");
  EXPECT_EQ(resent.reason, "verified after an agent restart");
  EXPECT_FALSE(tuner->journal().find(22)->unverified);
  const auto result = tuner->execute(rollback(22));
  EXPECT_EQ(result.outcome, TuningOutcome::kRolledBack) << result.reason;
  EXPECT_EQ(readFixture(root_, "proc/sys/vm/swappiness"), "60\n");
}

}  // namespace
}  // namespace tidemark::agent::tuner
