// The agent's tuning path against an in-process fake controller: commands go to the
// tuning worker (a fake backend here), results and knob surveys come back up the
// link after the Hello; without a worker, commands are refused, not dropped.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/agent.h"
#include "agent/io/plain_read_batch.h"
#include "agent/tuner/tuning_worker.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/link/fake_controller.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::FakeController;
using tidemark::testing::TempDir;

class FakeBackend final : public tuner::TuningBackend {
 public:
  wire::TuningResultData execute(const wire::TuningCommandData& command) override {
    std::lock_guard lock(mutex_);
    executed.push_back(command);
    value_ = command.value;
    wire::TuningResultData result;
    result.host_id = "web-01";
    result.change_id = command.change_id;
    result.action = command.action;
    result.outcome = wire::TuningOutcome::kApplied;
    result.knob = command.knob;
    result.current = command.value;
    return result;
  }
  std::vector<wire::KnobStateData> survey() override {
    std::lock_guard lock(mutex_);
    ++surveys;
    wire::KnobStateData knob;
    knob.knob = "vm.swappiness";
    knob.value = value_;
    knob.available = true;
    return {knob};
  }
  std::vector<wire::KnobStateData> checkDrift() override {
    std::lock_guard lock(mutex_);
    ++drift_checks;
    if (!drift_) return {};
    drift_ = false;
    return {wire::KnobStateData{}};
  }
  void driftOnce() {
    std::lock_guard lock(mutex_);
    drift_ = true;
  }
  int surveyCount() {
    std::lock_guard lock(mutex_);
    return surveys;
  }

  std::vector<wire::TuningCommandData> executed;
  int surveys = 0;
  int drift_checks = 0;

 private:
  std::mutex mutex_;
  std::string value_ = "60";
  bool drift_ = false;
};

class AgentTuningTest : public ::testing::Test {
 protected:
  void start(bool with_tuning) {
    state_ = std::make_unique<StateDir>(dir_.str() + "/state");
    registry_ = std::make_unique<SeriesRegistry>(state_->seriesJournalPath());
    LinkOptions link_options;
    link_options.controller = controller_.endpoint();
    link_ = std::make_unique<ControllerLink>(context_, link_options);
    AgentConfig config;
    config.host_id = "web-01";
    config.interval_ms = 1'000;
    agent_ = std::make_unique<Agent>(config, clock_, *state_, *registry_, *link_, batch_,
                                     std::vector<CollectorPtr>{});
    if (with_tuning) {
      worker_ = std::make_unique<tuner::TuningWorker>(backend_);
      agent_->attachTuning(*worker_, 300'000);
    }
  }

  // Pumps both ends until `done` holds (bounded: 10 s).
  bool pumpUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      agent_->exchange(5);
      controller_.receiveAll(5);
    }
    return true;
  }

  template <typename T>
  std::vector<T> receivedOf() const {
    std::vector<T> out;
    for (const auto& message : controller_.received) {
      if (const auto* typed = std::get_if<T>(&message)) out.push_back(*typed);
    }
    return out;
  }

  zmq::context_t context_;
  FakeController controller_{context_};
  TempDir dir_;
  PlainReadBatch batch_{"/"};
  ManualClock clock_;
  FakeBackend backend_;
  std::unique_ptr<StateDir> state_;
  std::unique_ptr<SeriesRegistry> registry_;
  std::unique_ptr<ControllerLink> link_;
  std::unique_ptr<tuner::TuningWorker> worker_;
  std::unique_ptr<Agent> agent_;
};

TEST_F(AgentTuningTest, HelloIsFollowedByAKnobReport) {
  start(true);
  ASSERT_TRUE(pumpUntil([&] { return !receivedOf<wire::KnobReportData>().empty(); }));
  EXPECT_TRUE(std::holds_alternative<wire::HelloData>(controller_.received.front()));
  const auto report = receivedOf<wire::KnobReportData>().front();
  EXPECT_EQ(report.host_id, "web-01");
  ASSERT_EQ(report.knobs.size(), 1u);
  EXPECT_EQ(report.knobs[0].knob, "vm.swappiness");
  EXPECT_EQ(report.knobs[0].value, "60");
}

TEST_F(AgentTuningTest, CommandRunsOnTheWorkerAndItsResultAndANewSurveyComeBack) {
  start(true);
  ASSERT_TRUE(pumpUntil([&] { return !receivedOf<wire::KnobReportData>().empty(); }));
  wire::TuningCommandData command;
  command.change_id = 42;
  command.knob = "vm.swappiness";
  command.value = "10";
  controller_.reply(command);
  ASSERT_TRUE(pumpUntil([&] {
    return !receivedOf<wire::TuningResultData>().empty() &&
           receivedOf<wire::KnobReportData>().size() >= 2;
  }));
  const auto result = receivedOf<wire::TuningResultData>().front();
  EXPECT_EQ(result.change_id, 42u);
  EXPECT_EQ(result.outcome, wire::TuningOutcome::kApplied);
  EXPECT_EQ(receivedOf<wire::KnobReportData>().back().knobs.at(0).value, "10");
  ASSERT_EQ(backend_.executed.size(), 1u);
  EXPECT_EQ(backend_.executed[0].value, "10");
}

TEST_F(AgentTuningTest, DriftFoundAtACollectionSendsAFullSurvey) {
  start(true);
  ASSERT_TRUE(pumpUntil([&] { return !receivedOf<wire::KnobReportData>().empty(); }));
  const size_t reports = receivedOf<wire::KnobReportData>().size();
  agent_->collectOnce();  // no drift: a check, no survey
  ASSERT_TRUE(pumpUntil([&] { return worker_->pending() == 0 && backend_.surveyCount() == 1; }));
  backend_.driftOnce();
  agent_->collectOnce();
  ASSERT_TRUE(pumpUntil([&] { return receivedOf<wire::KnobReportData>().size() > reports; }));
  EXPECT_EQ(backend_.surveyCount(), 2);
}

TEST_F(AgentTuningTest, WithoutATunerCommandsAreRefusedWithTheReason) {
  start(false);
  ASSERT_TRUE(pumpUntil([&] { return !controller_.received.empty(); }));
  wire::TuningCommandData command;
  command.change_id = 7;
  command.knob = "vm.swappiness";
  command.value = "10";
  controller_.reply(command);
  ASSERT_TRUE(pumpUntil([&] { return !receivedOf<wire::TuningResultData>().empty(); }));
  const auto result = receivedOf<wire::TuningResultData>().front();
  EXPECT_EQ(result.change_id, 7u);
  EXPECT_EQ(result.outcome, wire::TuningOutcome::kRefused);
  EXPECT_NE(result.reason.find("tuning is off"), std::string::npos);
  EXPECT_TRUE(receivedOf<wire::KnobReportData>().empty());
}

}  // namespace
}  // namespace tidemark::agent
