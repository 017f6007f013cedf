#include "agent/outbox/outbox.h"

#include <gtest/gtest.h>

#include <vector>

namespace tidemark::agent {
namespace {

// A batch with `samples` rows; the outbox counts 16 bytes a sample plus 64 a batch.
wire::MetricBatchData makeBatch(uint64_t sequence, size_t samples = 1) {
  wire::MetricBatchData batch;
  batch.host_id = "h";
  batch.epoch = 7;
  batch.sequence = sequence;
  for (size_t i = 0; i < samples; ++i) {
    batch.series_ids.push_back(static_cast<uint32_t>(i));
    batch.timestamps_ms.push_back(1000);
    batch.values.push_back(static_cast<double>(i));
  }
  return batch;
}

constexpr size_t bytesOf(size_t samples) { return samples * 16 + 64; }

std::vector<uint64_t> sequences(const Outbox& outbox) {
  std::vector<uint64_t> out;
  for (const auto& pending : outbox.pending()) out.push_back(pending.batch.sequence);
  return out;
}

TEST(OutboxTest, StartsEmpty) {
  Outbox outbox(OutboxOptions{});
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.size(), 0u);
  EXPECT_EQ(outbox.droppedBatches(), 0u);
  EXPECT_EQ(outbox.droppedSamples(), 0u);
  EXPECT_EQ(outbox.oldestSequence(42), 42u);
}

TEST(OutboxTest, PushKeepsOrderAndMarksUnsent) {
  Outbox outbox(OutboxOptions{});
  for (uint64_t s = 1; s <= 3; ++s) EXPECT_EQ(outbox.push(makeBatch(s, 2)), 0u);
  EXPECT_FALSE(outbox.empty());
  EXPECT_EQ(outbox.size(), 3u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{1, 2, 3}));
  for (const auto& pending : outbox.pending()) {
    EXPECT_EQ(pending.sent_at_ms, -1);
    EXPECT_EQ(pending.batch.values.size(), 2u);
  }
  EXPECT_EQ(outbox.oldestSequence(4), 1u);
}

TEST(OutboxTest, AcknowledgeThroughRemovesInOrderAndCallsBackForEach) {
  Outbox outbox(OutboxOptions{});
  for (uint64_t s = 1; s <= 5; ++s) outbox.push(makeBatch(s, s));
  std::vector<uint64_t> removed;
  size_t samples = 0;
  EXPECT_EQ(outbox.acknowledgeThrough(3,
                                      [&](const wire::MetricBatchData& batch) {
                                        removed.push_back(batch.sequence);
                                        samples += batch.values.size();
                                      }),
            3u);
  EXPECT_EQ(removed, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(samples, 1u + 2u + 3u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(outbox.oldestSequence(6), 4u);
  // Acknowledged batches are not drops.
  EXPECT_EQ(outbox.droppedBatches(), 0u);
  EXPECT_EQ(outbox.droppedSamples(), 0u);
}

TEST(OutboxTest, AcknowledgeThroughOlderSequenceRemovesNothing) {
  Outbox outbox(OutboxOptions{});
  for (uint64_t s = 5; s <= 6; ++s) outbox.push(makeBatch(s));
  int calls = 0;
  EXPECT_EQ(outbox.acknowledgeThrough(4, [&](const auto&) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(outbox.size(), 2u);
}

TEST(OutboxTest, AcknowledgeThroughBeyondNewestEmptiesIt) {
  Outbox outbox(OutboxOptions{});
  for (uint64_t s = 1; s <= 3; ++s) outbox.push(makeBatch(s));
  std::vector<uint64_t> removed;
  EXPECT_EQ(outbox.acknowledgeThrough(100, [&](const auto& b) { removed.push_back(b.sequence); }),
            3u);
  EXPECT_EQ(removed, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_TRUE(outbox.empty());
  EXPECT_EQ(outbox.oldestSequence(4), 4u);
  EXPECT_EQ(outbox.acknowledgeThrough(100, [&](const auto&) { FAIL(); }), 0u);
}

TEST(OutboxTest, MaxBatchesDropsTheOldestAndCountsThem) {
  Outbox outbox(OutboxOptions{.max_batches = 3, .max_bytes = 1u << 30});
  std::vector<size_t> dropped;
  for (uint64_t s = 1; s <= 5; ++s) dropped.push_back(outbox.push(makeBatch(s, s)));
  EXPECT_EQ(dropped, (std::vector<size_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(outbox.droppedBatches(), 2u);
  EXPECT_EQ(outbox.droppedSamples(), 1u + 2u);  // batches 1 and 2
}

TEST(OutboxTest, MaxBytesDropsTheOldestUntilUnderTheBound) {
  // Room for two 10-sample batches, not three.
  Outbox outbox(OutboxOptions{.max_batches = 100, .max_bytes = 2 * bytesOf(10)});
  EXPECT_EQ(outbox.push(makeBatch(1, 10)), 0u);
  EXPECT_EQ(outbox.push(makeBatch(2, 10)), 0u);  // exactly at the bound: kept
  EXPECT_EQ(outbox.push(makeBatch(3, 10)), 1u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{2, 3}));
  // One big batch pushes out as many old ones as needed.
  EXPECT_EQ(outbox.push(makeBatch(4, 15)), 2u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{4}));
  EXPECT_EQ(outbox.droppedBatches(), 3u);
  EXPECT_EQ(outbox.droppedSamples(), 30u);
}

TEST(OutboxTest, NeverDropsTheNewestEvenWhenItAloneIsOverTheBounds) {
  Outbox outbox(OutboxOptions{.max_batches = 0, .max_bytes = 10});
  EXPECT_EQ(outbox.push(makeBatch(1, 100)), 0u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{1}));
  EXPECT_EQ(outbox.push(makeBatch(2, 100)), 1u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{2}));
  EXPECT_EQ(outbox.droppedBatches(), 1u);
  EXPECT_EQ(outbox.droppedSamples(), 100u);
}

TEST(OutboxTest, AcknowledgedBatchesFreeTheirBytes) {
  Outbox outbox(OutboxOptions{.max_batches = 100, .max_bytes = 2 * bytesOf(10)});
  outbox.push(makeBatch(1, 10));
  outbox.push(makeBatch(2, 10));
  outbox.acknowledgeThrough(1, [](const auto&) {});
  // With batch 1's bytes released there is room for batch 3.
  EXPECT_EQ(outbox.push(makeBatch(3, 10)), 0u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(outbox.droppedBatches(), 0u);
}

TEST(OutboxTest, DropRemovesOneBatchBySequenceAndCountsIt) {
  Outbox outbox(OutboxOptions{.max_batches = 100, .max_bytes = 3 * bytesOf(4)});
  for (uint64_t s = 1; s <= 3; ++s) outbox.push(makeBatch(s, 4));
  EXPECT_TRUE(outbox.drop(2));
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(outbox.droppedBatches(), 1u);
  EXPECT_EQ(outbox.droppedSamples(), 4u);
  EXPECT_FALSE(outbox.drop(2));
  EXPECT_FALSE(outbox.drop(99));
  EXPECT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox.droppedBatches(), 1u);
  // The dropped batch's bytes are released too.
  EXPECT_EQ(outbox.push(makeBatch(4, 4)), 0u);
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{1, 3, 4}));

  EXPECT_TRUE(outbox.drop(1));
  EXPECT_EQ(outbox.oldestSequence(5), 3u);
}

TEST(OutboxTest, ResendFromMarksThatSequenceOnAsUnsent) {
  Outbox outbox(OutboxOptions{});
  for (uint64_t s = 1; s <= 4; ++s) outbox.push(makeBatch(s));
  for (auto& pending : outbox.pending())
    pending.sent_at_ms = 100 + static_cast<int64_t>(pending.batch.sequence);
  outbox.resendFrom(3);
  std::vector<int64_t> sent_at;
  for (const auto& pending : outbox.pending()) sent_at.push_back(pending.sent_at_ms);
  EXPECT_EQ(sent_at, (std::vector<int64_t>{101, 102, -1, -1}));

  outbox.resendFrom(0);
  for (const auto& pending : outbox.pending()) EXPECT_EQ(pending.sent_at_ms, -1);
  // Resending does not reorder or remove anything.
  EXPECT_EQ(sequences(outbox), (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(OutboxTest, ResendFromBeyondNewestChangesNothing) {
  Outbox outbox(OutboxOptions{});
  outbox.push(makeBatch(1));
  outbox.pending().front().sent_at_ms = 5;
  outbox.resendFrom(2);
  EXPECT_EQ(outbox.pending().front().sent_at_ms, 5);
}

}  // namespace
}  // namespace tidemark::agent
