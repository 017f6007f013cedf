// The agent loop against an in-process fake controller: a real ROUTER socket on a
// loopback port, the real ControllerLink, a ManualClock and a fake collector.
// Network delivery is waited for with bounded loops of short polls; nothing here
// asserts on elapsed time.
#include "agent/agent.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/io/plain_read_batch.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"
#include "tests/unit/agent/link/fake_controller.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::FakeController;
using tidemark::testing::LogCapture;
using tidemark::testing::RefusingPort;
using tidemark::testing::TempDir;
using wire::AckData;
using wire::AckStatus;
using wire::MetricBatchData;

constexpr int64_t kIntervalMs = 1'000;
constexpr int64_t kAckTimeoutMs = 5'000;

// Writes the same three samples every collection.
class FakeCollector final : public Collector {
 public:
  std::string_view name() const override { return "fake"; }
  void collect(SampleWriter& out) override {
    out.add("fake_temperature_celsius", 21.5, {{"sensor", "cpu"}, {"zone", "a"}});
    out.add("fake_temperature_celsius", 30, {{"zone", "b"}, {"sensor", "gpu"}});
    out.add("fake_up", 1);
  }
};

// Reads a file through the batch: prepare() queues it, collect() finds it read.
class BatchedCollector final : public Collector {
 public:
  explicit BatchedCollector(std::string path) : path_(std::move(path)) {}
  std::string_view name() const override { return "batched"; }
  void prepare(ReadBatch& batch) override { batch.queueRead(path_, slot_); }
  void collect(SampleWriter& out) override {
    out.add("batched_bytes", slot_.error == 0 ? static_cast<double>(slot_.data.size()) : -1);
  }

 private:
  std::string path_;
  ReadSlot slot_;
};

class ThrowingCollector final : public Collector {
 public:
  std::string_view name() const override { return "throwing"; }
  void collect(SampleWriter& out) override {
    out.add("throwing_partial", 1);
    throw std::runtime_error("sensor on fire");
  }
};

// Queues a read, then fails before queueing the rest.
class PrepareThrowingCollector final : public Collector {
 public:
  std::string_view name() const override { return "half_prepared"; }
  void prepare(ReadBatch& batch) override {
    batch.queueRead("/proc/self/stat", slot_);
    throw std::runtime_error("cannot open /sys/class/hwmon");
  }
  void collect(SampleWriter& out) override {
    ++collects;
    out.add("half_prepared_bytes", static_cast<double>(slot_.data.size()));
  }
  int collects = 0;

 private:
  ReadSlot slot_;
};

// Spends known (manual-clock) time in prepare() and in collect().
class SlowCollector final : public Collector {
 public:
  SlowCollector(ManualClock& clock, int64_t prepare_ms, int64_t collect_ms)
      : clock_(clock), prepare_ms_(prepare_ms), collect_ms_(collect_ms) {}
  std::string_view name() const override { return "slow"; }
  void prepare(ReadBatch&) override { clock_.advanceMs(prepare_ms_); }
  void collect(SampleWriter& out) override {
    clock_.advanceMs(collect_ms_);
    out.add("slow_up", 1);
  }

 private:
  ManualClock& clock_;
  int64_t prepare_ms_;
  int64_t collect_ms_;
};

std::optional<double> valueOf(const MetricBatchData& batch, const SeriesRegistry& registry,
                              const std::string& name, const Labels& labels = {}) {
  std::optional<double> found;
  for (size_t i = 0; i < batch.series_ids.size(); ++i) {
    const auto& definition = registry.definition(batch.series_ids[i]);
    if (definition.name == name && definition.labels == labels) {
      EXPECT_FALSE(found.has_value()) << name << " appears twice in batch " << batch.sequence;
      found = batch.values[i];
    }
  }
  return found;
}

// Every series of the batch is announced exactly once, as the registry defines it.
void expectAnnouncesEverySeries(const MetricBatchData& batch, const SeriesRegistry& registry) {
  SCOPED_TRACE("batch " + std::to_string(batch.sequence));
  std::set<uint32_t> ids(batch.series_ids.begin(), batch.series_ids.end());
  std::set<uint32_t> announced;
  for (const auto& announcement : batch.announcements) {
    EXPECT_TRUE(announced.insert(announcement.id).second) << "announced twice: " << announcement.id;
    ASSERT_LT(announcement.id, registry.size());
    EXPECT_EQ(announcement.name, registry.definition(announcement.id).name);
    EXPECT_EQ(announcement.labels, registry.definition(announcement.id).labels);
  }
  EXPECT_EQ(announced, ids);
  EXPECT_FALSE(ids.empty());
}

class AgentTest : public ::testing::Test {
 protected:
  static AgentConfig defaultConfig() {
    AgentConfig config;
    config.host_id = "web-01";
    config.interval_ms = kIntervalMs;
    config.ack_timeout_ms = kAckTimeoutMs;
    config.hello.agent_version = "test-version";
    config.hello.boot_id = "boot-1";
    config.hello.facts = {{"kernel", "6.1.0"}, {"cpu_count", "4"}};
    return config;
  }

  void start(AgentConfig config = defaultConfig(), std::string endpoint = {},
             std::vector<CollectorPtr> collectors = {}) {
    state_ = std::make_unique<StateDir>(dir_.str() + "/state");
    registry_ = std::make_unique<SeriesRegistry>(state_->seriesJournalPath());
    LinkOptions link_options;
    link_options.controller = endpoint.empty() ? controller_.endpoint() : endpoint;
    link_options.reconnect_ms = 20;
    link_options.reconnect_max_ms = 100;
    link_ = std::make_unique<ControllerLink>(context_, link_options);
    if (collectors.empty()) collectors.push_back(std::make_unique<FakeCollector>());
    agent_ = std::make_unique<Agent>(std::move(config), clock_, *state_, *registry_, *link_,
                                     batch_, std::move(collectors));
  }

  // A new agent process on the same state dir, the old one gone without a goodbye.
  void restart(AgentConfig config = defaultConfig(), std::string endpoint = {}) {
    agent_.reset();
    link_.reset();
    registry_.reset();
    state_.reset();
    start(std::move(config), std::move(endpoint));
  }

  // Alternates agent exchanges and controller reads until `done` holds. Bounded.
  bool pumpUntil(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      agent_->exchange(5);
      controller_.receiveAll(5);
    }
    return true;
  }

  bool pumpUntilReceived(size_t count) {
    return pumpUntil([&] { return controller_.received.size() >= count; });
  }

  // What the controller received from index `from` on: "hello", "batch 3", ...
  std::vector<std::string> trace(size_t from = 0) const {
    std::vector<std::string> out;
    for (size_t i = from; i < controller_.received.size(); ++i) {
      if (const auto* batch = std::get_if<MetricBatchData>(&controller_.received[i])) {
        out.push_back("batch " + std::to_string(batch->sequence));
      } else {
        out.push_back("hello");
      }
    }
    return out;
  }

  const MetricBatchData& batchAt(size_t index) const {
    return std::get<MetricBatchData>(controller_.received.at(index));
  }

  std::vector<uint64_t> outboxSequences() const {
    std::vector<uint64_t> out;
    for (const auto& pending : agent_->outbox().pending()) out.push_back(pending.batch.sequence);
    return out;
  }

  void ack(uint64_t sequence, AckStatus status, uint64_t expected = 0, std::string reason = {}) {
    controller_.reply(AckData{sequence, status, expected, std::move(reason)});
  }

  // Collects, advancing the clock by one interval afterwards.
  void collect(int times = 1) {
    for (int i = 0; i < times; ++i) {
      agent_->collectOnce();
      clock_.advanceMs(kIntervalMs);
    }
  }

  zmq::context_t context_;
  FakeController controller_{context_};
  TempDir dir_;
  PlainReadBatch batch_{"/"};
  ManualClock clock_;
  std::unique_ptr<StateDir> state_;
  std::unique_ptr<SeriesRegistry> registry_;
  std::unique_ptr<ControllerLink> link_;
  std::unique_ptr<Agent> agent_;
};

TEST_F(AgentTest, HelloComesFirstAndTheFirstBatchAnnouncesEverySeries) {
  start();
  const int64_t collected_at = clock_.wallMs();
  agent_->collectOnce();
  EXPECT_EQ(agent_->outbox().size(), 1u);
  EXPECT_EQ(agent_->stats().batches_sent, 0u);

  ASSERT_TRUE(pumpUntilReceived(2)) << ::testing::PrintToString(trace());
  EXPECT_EQ(trace(), (std::vector<std::string>{"hello", "batch 1"}));

  const auto& hello = std::get<wire::HelloData>(controller_.received[0]);
  EXPECT_EQ(hello.host_id, "web-01");
  EXPECT_EQ(hello.epoch, state_->epoch());
  EXPECT_EQ(hello.interval_ms, kIntervalMs);
  EXPECT_EQ(hello.agent_version, "test-version");
  EXPECT_EQ(hello.boot_id, "boot-1");
  EXPECT_EQ(hello.facts, defaultConfig().hello.facts);

  const MetricBatchData& batch = batchAt(1);
  EXPECT_EQ(batch.host_id, "web-01");
  EXPECT_EQ(batch.epoch, state_->epoch());
  EXPECT_EQ(batch.sequence, 1u);
  EXPECT_EQ(batch.oldest_pending, 1u);
  ASSERT_EQ(batch.timestamps_ms.size(), batch.series_ids.size());
  ASSERT_EQ(batch.values.size(), batch.series_ids.size());
  for (int64_t timestamp : batch.timestamps_ms) EXPECT_EQ(timestamp, collected_at);

  // Every series, the collector's and the agent's own, is announced with sorted labels.
  expectAnnouncesEverySeries(batch, *registry_);
  EXPECT_EQ(std::set<uint32_t>(batch.series_ids.begin(), batch.series_ids.end()).size(),
            registry_->size());
  EXPECT_EQ(valueOf(batch, *registry_, "fake_up"), 1.0);
  EXPECT_EQ(
      valueOf(batch, *registry_, "fake_temperature_celsius", {{"sensor", "gpu"}, {"zone", "b"}}),
      30.0);
  EXPECT_EQ(
      valueOf(batch, *registry_, "fake_temperature_celsius", {{"sensor", "cpu"}, {"zone", "a"}}),
      21.5);
  EXPECT_TRUE(valueOf(batch, *registry_, "tidemark_agent_series").has_value());
  EXPECT_EQ(valueOf(batch, *registry_, "tidemark_agent_io_backend", {{"backend", "plain"}}), 1.0);
  EXPECT_TRUE(valueOf(batch, *registry_, "tidemark_agent_collector_duration_seconds",
                      {{"collector", "fake"}})
                  .has_value());

  EXPECT_EQ(agent_->stats().batches_sent, 1u);
  EXPECT_EQ(agent_->stats().collections, 1u);
  EXPECT_EQ(agent_->stats().samples_collected, batch.values.size());
  // Sent but not acknowledged: still held.
  ASSERT_EQ(agent_->outbox().size(), 1u);
  EXPECT_GE(agent_->outbox().pending().front().sent_at_ms, 0);
}

TEST_F(AgentTest, CollectorsFindTheirBatchedReadsDoneWhenCollecting) {
  dir_.write("sensor", "12345");
  std::vector<CollectorPtr> collectors;
  collectors.push_back(std::make_unique<BatchedCollector>(dir_.str() + "/sensor"));
  start(defaultConfig(), {}, std::move(collectors));
  agent_->collectOnce();
  ASSERT_TRUE(pumpUntilReceived(2));
  EXPECT_EQ(valueOf(batchAt(1), *registry_, "batched_bytes"), 5.0);
  dir_.write("sensor", "1234567");
  agent_->collectOnce();
  ASSERT_TRUE(pumpUntilReceived(3));
  EXPECT_EQ(valueOf(batchAt(2), *registry_, "batched_bytes"), 7.0);
}

TEST_F(AgentTest, StoredAckEmptiesTheOutboxAndLaterBatchesAnnounceNothing) {
  start();
  collect();
  ASSERT_TRUE(pumpUntilReceived(2));
  const MetricBatchData first = batchAt(1);

  controller_.reply(wire::WelcomeData{"controller-test", 0});
  ack(1, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 1u);
  EXPECT_EQ(agent_->stats().samples_acked, first.values.size());
  for (uint32_t id : first.series_ids) EXPECT_TRUE(registry_->acknowledged(id)) << id;

  const int64_t second_at = clock_.wallMs();
  collect();
  ASSERT_TRUE(pumpUntilReceived(3));
  EXPECT_EQ(trace(), (std::vector<std::string>{"hello", "batch 1", "batch 2"}));
  const MetricBatchData& second = batchAt(2);
  EXPECT_TRUE(second.announcements.empty()) << second.announcements.size() << " announcements";
  EXPECT_EQ(second.series_ids, first.series_ids);
  EXPECT_EQ(second.oldest_pending, 2u);
  for (int64_t timestamp : second.timestamps_ms) EXPECT_EQ(timestamp, second_at);
  // The agent reports its own progress.
  EXPECT_EQ(valueOf(second, *registry_, "tidemark_agent_batches_acked_total"), 1.0);
  EXPECT_EQ(valueOf(second, *registry_, "tidemark_agent_samples_acked_total"),
            static_cast<double>(first.values.size()));
  EXPECT_EQ(valueOf(second, *registry_, "tidemark_agent_outbox_batches"), 0.0);

  ack(2, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 2u);
  EXPECT_EQ(agent_->stats().samples_acked, first.values.size() + second.values.size());
}

TEST_F(AgentTest, BatchesCarryOneTimeForAllSamplesOnceTheControllerSaysItReadsThat) {
  start();
  const int64_t first_at = clock_.wallMs();
  collect();
  ASSERT_TRUE(pumpUntilReceived(2));
  // Before a Welcome says otherwise, a time per sample: what every controller reads.
  const MetricBatchData& first = batchAt(1);
  EXPECT_EQ(first.timestamps_ms, std::vector<int64_t>(first.series_ids.size(), first_at));

  controller_.reply(wire::WelcomeData{"controller-test", 0, /*reads_uniform_timestamps=*/true});
  ack(1, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  const int64_t second_at = clock_.wallMs();
  collect();
  ASSERT_TRUE(pumpUntilReceived(3));
  const MetricBatchData& second = batchAt(2);
  EXPECT_FALSE(second.series_ids.empty());
  EXPECT_TRUE(second.timestamps_ms.empty());
  EXPECT_EQ(second.timestamp_ms, second_at);
  EXPECT_EQ(second.values.size(), second.series_ids.size());
}

TEST_F(AgentTest, UnacknowledgedSeriesAreAnnouncedInEveryBatchAndAcksAreCumulative) {
  start();
  collect(2);
  ASSERT_TRUE(pumpUntilReceived(3));
  EXPECT_EQ(trace(), (std::vector<std::string>{"hello", "batch 1", "batch 2"}));
  // Nothing was confirmed when batch 2 left, so it announces everything again.
  expectAnnouncesEverySeries(batchAt(1), *registry_);
  expectAnnouncesEverySeries(batchAt(2), *registry_);
  EXPECT_EQ(batchAt(2).oldest_pending, 1u);

  ack(2, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 2u);
}

TEST_F(AgentTest, DuplicateAckRemovesTheBatchLikeStored) {
  start();
  collect();
  ASSERT_TRUE(pumpUntilReceived(2));
  ack(1, AckStatus::kDuplicate);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 1u);
  EXPECT_EQ(agent_->outbox().droppedBatches(), 0u);
}

TEST_F(AgentTest, ResyncSendsHelloAgainAndReannouncesEverySeries) {
  start();
  collect();
  ASSERT_TRUE(pumpUntilReceived(2));
  ack(1, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  collect();
  ASSERT_TRUE(pumpUntilReceived(3));
  ASSERT_TRUE(batchAt(2).announcements.empty());

  ack(2, AckStatus::kResync, 0, "series id 3 was never announced");
  ASSERT_TRUE(pumpUntilReceived(5)) << ::testing::PrintToString(trace());
  EXPECT_EQ(trace(3), (std::vector<std::string>{"hello", "batch 2"}));
  EXPECT_EQ(std::get<wire::HelloData>(controller_.received[3]).epoch, state_->epoch());
  expectAnnouncesEverySeries(batchAt(4), *registry_);
  EXPECT_EQ(agent_->outbox().size(), 1u);  // batch 2 still waits for its ack

  // Batches sent after the resync announce again too, until something is acknowledged.
  collect();
  ASSERT_TRUE(pumpUntilReceived(6));
  EXPECT_EQ(trace(5), (std::vector<std::string>{"batch 3"}));
  expectAnnouncesEverySeries(batchAt(5), *registry_);

  ack(3, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  collect();
  ASSERT_TRUE(pumpUntilReceived(7));
  EXPECT_EQ(trace(6), (std::vector<std::string>{"batch 4"}));
  EXPECT_TRUE(batchAt(6).announcements.empty());
}

TEST_F(AgentTest, GapAckResendsFromTheExpectedSequence) {
  start();
  collect(3);
  ASSERT_TRUE(pumpUntilReceived(4));
  EXPECT_EQ(trace(), (std::vector<std::string>{"hello", "batch 1", "batch 2", "batch 3"}));
  EXPECT_EQ(agent_->stats().batches_sent, 3u);

  // The controller stored batch 1 but lost batch 2.
  ack(3, AckStatus::kGap, 2);
  ASSERT_TRUE(pumpUntilReceived(6)) << ::testing::PrintToString(trace());
  EXPECT_EQ(trace(4), (std::vector<std::string>{"batch 2", "batch 3"}));
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(agent_->outbox().oldestSequence(state_->peekSequence()), 2u);
  EXPECT_EQ(agent_->stats().batches_acked, 1u);
  EXPECT_EQ(agent_->stats().batches_sent, 5u);
  EXPECT_EQ(agent_->outbox().droppedBatches(), 0u);
  // Batch 1 was stored with its announcements, so the resent batches need none.
  EXPECT_TRUE(batchAt(4).announcements.empty());
  EXPECT_EQ(batchAt(4).oldest_pending, 2u);

  ack(3, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 3u);
  // Batch 1 was never sent again.
  EXPECT_EQ(trace(), (std::vector<std::string>{"hello", "batch 1", "batch 2", "batch 3", "batch 2",
                                               "batch 3"}));
}

TEST_F(AgentTest, RejectedBatchIsDroppedAndCounted) {
  start();
  collect(2);
  ASSERT_TRUE(pumpUntilReceived(3));
  const size_t rows = batchAt(1).values.size();

  LogCapture capture;
  ack(1, AckStatus::kRejected, 0, "invalid metric name");
  ASSERT_TRUE(pumpUntil([&] { return agent_->stats().batches_rejected == 1; }));
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{2}));
  EXPECT_EQ(agent_->outbox().droppedBatches(), 1u);
  EXPECT_EQ(agent_->outbox().droppedSamples(), rows);
  EXPECT_EQ(agent_->stats().batches_acked, 0u);
  EXPECT_EQ(agent_->stats().batches_sent, 2u);  // a rejection is not a reason to resend
  EXPECT_EQ(capture.count("controller rejected batch 1: invalid metric name"), 1u)
      << capture.text();

  // The rejected batch confirmed no series, so the next batch still announces them.
  collect();
  ASSERT_TRUE(pumpUntilReceived(4));
  EXPECT_EQ(trace(3), (std::vector<std::string>{"batch 3"}));
  expectAnnouncesEverySeries(batchAt(3), *registry_);
  EXPECT_EQ(batchAt(3).oldest_pending, 2u);
}

TEST_F(AgentTest, NoAckResendsThePendingBatchesInOrderAfterTheAckTimeout) {
  start();
  collect(2);
  ASSERT_TRUE(pumpUntilReceived(3));
  EXPECT_EQ(agent_->stats().batches_sent, 2u);
  const int64_t sent_at = agent_->outbox().pending().front().sent_at_ms;

  // Just short of the timeout: nothing is resent.
  clock_.advanceMs(sent_at + kAckTimeoutMs - 1 - clock_.monotonicMs());
  agent_->exchange(0);
  EXPECT_EQ(agent_->stats().batches_sent, 2u);

  clock_.advanceMs(1);
  agent_->exchange(0);
  EXPECT_EQ(agent_->stats().batches_sent, 4u);
  ASSERT_TRUE(pumpUntilReceived(6)) << ::testing::PrintToString(trace());
  EXPECT_EQ(trace(3), (std::vector<std::string>{"hello", "batch 1", "batch 2"}));
  expectAnnouncesEverySeries(batchAt(4), *registry_);
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{1, 2}));

  // The resend restarted the timer.
  clock_.advanceMs(kAckTimeoutMs - 1);
  agent_->exchange(0);
  EXPECT_EQ(agent_->stats().batches_sent, 4u);

  ack(2, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 2u);
}

TEST_F(AgentTest, UnreachableControllerKeepsBatchesInTheOutbox) {
  RefusingPort port;
  start(defaultConfig(), port.endpoint());
  for (int i = 0; i < 4; ++i) {
    collect();
    for (int j = 0; j < 3; ++j) agent_->exchange(5);  // returns: sends never block
  }
  clock_.advanceMs(2 * kAckTimeoutMs);
  for (int j = 0; j < 3; ++j) agent_->exchange(5);

  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{1, 2, 3, 4}));
  for (const auto& pending : agent_->outbox().pending()) EXPECT_EQ(pending.sent_at_ms, -1);
  EXPECT_EQ(agent_->stats().batches_sent, 0u);
  EXPECT_EQ(agent_->stats().batches_acked, 0u);
  EXPECT_EQ(agent_->stats().collections, 4u);
  EXPECT_EQ(agent_->outbox().droppedBatches(), 0u);
}

TEST_F(AgentTest, OutboxOverflowWhileUnreachableDropsTheOldest) {
  RefusingPort port;
  AgentConfig config = defaultConfig();
  config.outbox.max_batches = 2;
  start(config, port.endpoint());
  for (int i = 0; i < 6; ++i) {
    collect();
    agent_->exchange(0);
  }
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{5, 6}));
  EXPECT_EQ(agent_->outbox().droppedBatches(), 4u);
  EXPECT_EQ(agent_->stats().collections, 6u);
}

TEST_F(AgentTest, OutboxOverflowDropsTheOldestAndSendsTheRest) {
  AgentConfig config = defaultConfig();
  config.outbox.max_batches = 3;
  start(config);
  collect(5);  // before any exchange
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(agent_->outbox().droppedBatches(), 2u);
  const uint64_t rows_per_batch = agent_->stats().samples_collected / 5;
  EXPECT_EQ(agent_->outbox().droppedSamples(), 2 * rows_per_batch);

  ASSERT_TRUE(pumpUntilReceived(4));
  EXPECT_EQ(trace(), (std::vector<std::string>{"hello", "batch 3", "batch 4", "batch 5"}));
  // The controller learns where the agent's history now starts.
  for (size_t i = 1; i <= 3; ++i) EXPECT_EQ(batchAt(i).oldest_pending, 3u);
  expectAnnouncesEverySeries(batchAt(1), *registry_);
  // The drops are reported in the agent's own series.
  EXPECT_GE(valueOf(batchAt(3), *registry_, "tidemark_agent_batches_dropped_total").value_or(0),
            1.0);

  ack(5, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 3u);
}

TEST_F(AgentTest, MalformedControllerMessageIsSkipped) {
  start();
  collect();
  ASSERT_TRUE(pumpUntilReceived(2));
  LogCapture capture;
  controller_.replyRaw("garbage");
  ack(1, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().batches_acked, 1u);
  EXPECT_EQ(capture.count("dropped a malformed message from the controller"), 1u) << capture.text();
}

TEST_F(AgentTest, ThrowingCollectorLosesItsIntervalNotTheBatch) {
  std::vector<CollectorPtr> collectors;
  collectors.push_back(std::make_unique<ThrowingCollector>());
  collectors.push_back(std::make_unique<FakeCollector>());
  RefusingPort port;
  start(defaultConfig(), port.endpoint(), std::move(collectors));
  LogCapture capture;
  collect();
  ASSERT_EQ(agent_->outbox().size(), 1u);
  const MetricBatchData& batch = agent_->outbox().pending().front().batch;
  EXPECT_EQ(valueOf(batch, *registry_, "fake_up"), 1.0);
  EXPECT_TRUE(valueOf(batch, *registry_, "tidemark_agent_collector_duration_seconds",
                      {{"collector", "throwing"}})
                  .has_value());
  ASSERT_EQ(agent_->stats().collector_seconds.size(), 2u);
  EXPECT_EQ(agent_->stats().collector_seconds[0].first, "throwing");
  EXPECT_EQ(agent_->stats().collector_seconds[1].first, "fake");
  EXPECT_EQ(capture.count("collector throwing failed: sensor on fire"), 1u) << capture.text();
}

TEST_F(AgentTest, ThrowingPrepareSkipsThatCollectorNotTheOthers) {
  std::vector<CollectorPtr> collectors;
  auto throwing = std::make_unique<PrepareThrowingCollector>();
  PrepareThrowingCollector* throwing_view = throwing.get();
  collectors.push_back(std::move(throwing));
  collectors.push_back(std::make_unique<FakeCollector>());
  RefusingPort port;
  start(defaultConfig(), port.endpoint(), std::move(collectors));
  LogCapture capture;
  collect(2);
  ASSERT_EQ(agent_->outbox().size(), 2u);
  for (const auto& pending : agent_->outbox().pending()) {
    EXPECT_EQ(valueOf(pending.batch, *registry_, "fake_up"), 1.0);
    EXPECT_FALSE(valueOf(pending.batch, *registry_, "half_prepared_bytes").has_value());
    EXPECT_TRUE(valueOf(pending.batch, *registry_, "tidemark_agent_collector_duration_seconds",
                        {{"collector", "half_prepared"}})
                    .has_value());
  }
  EXPECT_EQ(throwing_view->collects, 0);
  EXPECT_EQ(capture.count("collector half_prepared failed to prepare its reads: cannot open "
                          "/sys/class/hwmon"),
            2u)
      << capture.text();
}

TEST_F(AgentTest, CollectorDurationCountsPrepareAndCollect) {
  std::vector<CollectorPtr> collectors;
  collectors.push_back(std::make_unique<SlowCollector>(clock_, 30, 12));
  RefusingPort port;
  start(defaultConfig(), port.endpoint(), std::move(collectors));
  agent_->collectOnce();
  ASSERT_EQ(agent_->stats().collector_seconds.size(), 1u);
  EXPECT_EQ(agent_->stats().collector_seconds[0].first, "slow");
  EXPECT_DOUBLE_EQ(agent_->stats().collector_seconds[0].second, 0.042);
  // The batch carries its own collection's durations.
  const MetricBatchData& batch = agent_->outbox().pending().back().batch;
  EXPECT_EQ(valueOf(batch, *registry_, "tidemark_agent_collector_duration_seconds",
                    {{"collector", "slow"}}),
            0.042);
}

TEST_F(AgentTest, RestartOnTheSameStateDirReplaysUnackedBatchesAfterTheHello) {
  start();
  collect(3);
  ASSERT_TRUE(pumpUntilReceived(4));
  ack(1, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().size() == 2; }));
  const MetricBatchData second = batchAt(2);
  const MetricBatchData third = batchAt(3);
  const uint64_t epoch = state_->epoch();
  const uint32_t up_id = registry_->idFor("fake_up", {});
  const AgentStats before = agent_->stats();
  EXPECT_EQ(before.samples_acked, batchAt(1).values.size());

  // A new agent process on the same state dir (after a SIGKILL: nothing was
  // flushed): same epoch, same ids, the unacked batches, later sequences.
  restart();
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{2, 3}));
  // Counts are since the state dir was created, not since the process started.
  EXPECT_EQ(agent_->stats().samples_collected, before.samples_collected);
  EXPECT_EQ(agent_->stats().samples_acked, before.samples_acked);
  EXPECT_EQ(agent_->stats().batches_acked, 1u);
  EXPECT_EQ(agent_->stats().samples_dropped, 0u);

  collect();
  ASSERT_TRUE(pumpUntilReceived(8)) << ::testing::PrintToString(trace());
  ASSERT_EQ(trace(4).size(), 4u);
  EXPECT_EQ(trace(4)[0], "hello");
  EXPECT_EQ(trace(4)[1], "batch 2");
  EXPECT_EQ(trace(4)[2], "batch 3");
  // The replayed batches are the ones collected before the restart, announced again.
  for (const auto* original : {&second, &third}) {
    const MetricBatchData& replayed = batchAt(original == &second ? 5 : 6);
    EXPECT_EQ(replayed.epoch, epoch);
    EXPECT_EQ(replayed.sequence, original->sequence);
    EXPECT_EQ(replayed.series_ids, original->series_ids);
    EXPECT_EQ(replayed.timestamps_ms, original->timestamps_ms);
    EXPECT_EQ(replayed.values, original->values);
    EXPECT_EQ(replayed.oldest_pending, 2u);
    expectAnnouncesEverySeries(replayed, *registry_);
  }
  const MetricBatchData& fresh = batchAt(7);
  EXPECT_EQ(fresh.epoch, epoch);
  EXPECT_GT(fresh.sequence, 3u);
  EXPECT_EQ(fresh.oldest_pending, 2u);
  EXPECT_EQ(registry_->idFor("fake_up", {}), up_id);
  // The agent's own collected count includes the batches from before the restart.
  EXPECT_EQ(valueOf(fresh, *registry_, "tidemark_agent_samples_collected_total"),
            static_cast<double>(before.samples_collected));

  ack(fresh.sequence, AckStatus::kStored);
  ASSERT_TRUE(pumpUntil([&] { return agent_->outbox().empty(); }));
  EXPECT_EQ(agent_->stats().samples_collected, agent_->stats().samples_acked);
  EXPECT_EQ(agent_->stats().batches_acked, 4u);
}

TEST_F(AgentTest, DropsAreCountedSinceTheStateDirWasCreated) {
  RefusingPort port;
  AgentConfig config = defaultConfig();
  config.outbox.max_batches = 2;
  start(config, port.endpoint());
  collect(4);
  const uint64_t dropped = agent_->stats().samples_dropped;
  EXPECT_GT(dropped, 0u);
  EXPECT_EQ(agent_->stats().batches_dropped, 2u);
  restart(config, port.endpoint());
  EXPECT_EQ(agent_->stats().samples_dropped, dropped);
  EXPECT_EQ(agent_->stats().batches_dropped, 2u);
  EXPECT_EQ(outboxSequences(), (std::vector<uint64_t>{3, 4}));
  const uint64_t collected = agent_->stats().samples_collected;
  uint64_t pending = 0;
  for (const auto& p : agent_->outbox().pending()) pending += p.batch.values.size();
  EXPECT_EQ(collected, dropped + pending);
}

TEST_F(AgentTest, ANewConnectionGetsTheHelloAndEverythingUnackedAtOnce) {
  auto first = std::make_unique<FakeController>(context_);
  const std::string endpoint = first->endpoint();
  start(defaultConfig(), endpoint);
  collect(2);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (first->received.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    agent_->exchange(5);
    first->receiveAll(5);
  }
  ASSERT_EQ(first->received.size(), 3u);

  // The controller restarts; nothing was acked. The link reconnects by itself and
  // the agent resends without waiting for the ack timeout (the clock stands still).
  first.reset();
  auto second = FakeController::bindAgain(context_, endpoint);
  while (second->received.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    agent_->exchange(5);
    second->receiveAll(5);
  }
  ASSERT_EQ(second->received.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<wire::HelloData>(second->received[0]));
  EXPECT_EQ(std::get<MetricBatchData>(second->received[1]).sequence, 1u);
  EXPECT_EQ(std::get<MetricBatchData>(second->received[2]).sequence, 2u);
  EXPECT_EQ(link_->connections(), 2u);
}

}  // namespace
}  // namespace tidemark::agent
