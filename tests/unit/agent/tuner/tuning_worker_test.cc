#include "agent/tuner/tuning_worker.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <chrono>

namespace tidemark::agent::tuner {
namespace {

// Counts what the worker asks of it; a command makes a change applied.
class CountingBackend final : public TuningBackend {
 public:
  wire::TuningResultData execute(const wire::TuningCommandData& command) override {
    applied = true;
    wire::TuningResultData result;
    result.change_id = command.change_id;
    result.outcome = wire::TuningOutcome::kApplied;
    return result;
  }
  std::vector<wire::KnobStateData> survey() override {
    ++surveys;
    return {};
  }
  std::vector<wire::KnobStateData> checkDrift() override {
    ++drift_checks;
    return {};
  }
  bool hasApplied() override { return applied; }

  std::atomic<bool> applied{false};
  std::atomic<int> surveys{0};
  std::atomic<int> drift_checks{0};
};

// Waits (up to 5 s) for the worker's eventfd and takes what it posted.
std::vector<TuningOutput> awaitOutputs(TuningWorker& worker) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::vector<TuningOutput> taken;
  while (taken.empty() && std::chrono::steady_clock::now() < deadline) {
    struct pollfd entry {worker.wakeFd(), POLLIN, 0};
    ::poll(&entry, 1, 100);
    taken = worker.take();
  }
  return taken;
}

bool readable(int fd) {
  struct pollfd entry {fd, POLLIN, 0};
  return ::poll(&entry, 1, 0) == 1;
}

TEST(TuningWorkerTest, NoDriftCheckRunsUntilAChangeIsApplied) {
  CountingBackend backend;
  TuningWorker worker(backend);
  // A survey is answered after the worker has looked at the backend.
  worker.requestSurvey();
  ASSERT_EQ(awaitOutputs(worker).size(), 1u);
  for (int i = 0; i < 3; ++i) worker.requestDriftCheck();
  worker.requestSurvey();  // queued behind any drift check
  ASSERT_EQ(awaitOutputs(worker).size(), 1u);
  EXPECT_EQ(backend.drift_checks, 0);

  wire::TuningCommandData command;
  command.change_id = 5;
  worker.submit(command);
  auto outputs = awaitOutputs(worker);
  while (outputs.size() < 2) {
    auto more = awaitOutputs(worker);
    ASSERT_FALSE(more.empty()) << "the command's result and survey never came";
    for (auto& output : more) outputs.push_back(std::move(output));
  }
  ASSERT_TRUE(outputs[0].result.has_value());
  worker.requestDriftCheck();
  worker.requestSurvey();
  ASSERT_EQ(awaitOutputs(worker).size(), 1u);
  EXPECT_EQ(backend.drift_checks, 1);
}

TEST(TuningWorkerTest, TakeLeavesTheEventfdUnreadableOnceEverythingIsTaken) {
  CountingBackend backend;
  TuningWorker worker(backend);
  EXPECT_TRUE(worker.take().empty());
  EXPECT_FALSE(readable(worker.wakeFd()));
  for (int i = 0; i < 3; ++i) {
    worker.requestSurvey();
    ASSERT_EQ(awaitOutputs(worker).size(), 1u) << "round " << i;
    // Once the output is taken, the eventfd is not readable: the agent's poll does not
    // wake again for it.
    EXPECT_FALSE(readable(worker.wakeFd())) << "round " << i;
  }
  EXPECT_EQ(backend.surveys, 3);
}

}  // namespace
}  // namespace tidemark::agent::tuner
