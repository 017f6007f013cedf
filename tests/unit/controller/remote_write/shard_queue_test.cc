#include "controller/remote_write/shard_queue.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "controller/remote_write/queue_record.h"
#include "tests/support/test_support.h"

namespace tidemark::controller::remote_write {
namespace {

using tidemark::testing::TempDir;

std::string payloadOf(int i) { return "record-" + std::to_string(i) + std::string(100, 'p'); }

// Reads every record left, committing as it goes.
std::vector<std::string> drain(ShardQueue& queue) {
  std::vector<std::string> out;
  QueuedRecord record;
  while (queue.next(record)) out.push_back(record.payload.substr(0, record.payload.find('p')));
  queue.commitRead(0, /*force=*/true);
  return out;
}

std::vector<std::filesystem::path> segments(const std::string& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".seg") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void flipByte(const std::filesystem::path& path, size_t offset) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.read(&byte, 1);
  byte ^= 0x5A;
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(&byte, 1);
}

constexpr uint64_t kRecordBytes = kQueueRecordHeaderBytes + 108;  // payloadOf(i) for i < 10

TEST(RemoteWriteQueueTest, DeliversInOrderAndCountsSamples) {
  TempDir dir;
  ShardQueue queue(dir.str() + "/q", 1 << 20, 64 << 10);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(queue.append(payloadOf(i), 10, 1000 + i), "");
  EXPECT_EQ(queue.unreadSamples(), 30u);
  EXPECT_EQ(queue.oldestUnreadMs(), 1000);
  QueuedRecord record;
  ASSERT_TRUE(queue.next(record));
  EXPECT_EQ(record.payload, payloadOf(0));
  EXPECT_EQ(record.samples, 10u);
  EXPECT_EQ(record.enqueued_ms, 1000);
  // Read but not committed: still unsent, and the lag still counts from it.
  EXPECT_EQ(queue.stats().unsent_samples, 30u);
  EXPECT_EQ(queue.stats().oldest_unsent_ms, 1000);
  EXPECT_EQ(queue.unreadSamples(), 20u);
  queue.commitRead(0);
  EXPECT_EQ(queue.stats().unsent_samples, 20u);
  EXPECT_EQ(queue.stats().oldest_unsent_ms, 1001);
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"record-1", "record-2"}));
  EXPECT_EQ(queue.stats().unsent_samples, 0u);
  EXPECT_EQ(queue.stats().oldest_unsent_ms, 0);
}

TEST(RemoteWriteQueueTest, BoundDropsOldestSegmentsAndCountsThem) {
  TempDir dir;
  // Segments of 2 records, at most 6 records in all.
  ShardQueue queue(dir.str() + "/q", 6 * kRecordBytes, 2 * kRecordBytes);
  for (int i = 0; i < 9; ++i) ASSERT_EQ(queue.append(payloadOf(i), 10, i), "");
  const auto stats = queue.stats();
  EXPECT_LE(stats.bytes, 6 * kRecordBytes);
  // 9 appended into 2-record segments; the oldest two segments (4 records) went.
  EXPECT_EQ(stats.dropped_samples, 40u);
  EXPECT_EQ(stats.unsent_samples, 50u);
  EXPECT_EQ(drain(queue),
            (std::vector<std::string>{"record-4", "record-5", "record-6", "record-7", "record-8"}));
  EXPECT_FALSE(queue.append(std::string(7 * kRecordBytes, 'x'), 5, 0).empty());
  EXPECT_EQ(queue.stats().dropped_samples, 45u);  // too large for the queue at all
}

TEST(RemoteWriteQueueTest, RestartResumesAtTheCursor) {
  TempDir dir;
  const std::string path = dir.str() + "/q";
  {
    ShardQueue queue(path, 1 << 20, 2 * kRecordBytes);  // several segments
    for (int i = 0; i < 5; ++i) ASSERT_EQ(queue.append(payloadOf(i), 10, i), "");
    QueuedRecord record;
    ASSERT_TRUE(queue.next(record));
    ASSERT_TRUE(queue.next(record));
    ASSERT_TRUE(queue.next(record));
    queue.commitRead(0, /*force=*/true);
    ASSERT_TRUE(queue.next(record));  // read, never committed: sent again after restart
  }
  ShardQueue queue(path, 1 << 20, 2 * kRecordBytes);
  EXPECT_EQ(queue.stats().unsent_samples, 20u);
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"record-3", "record-4"}));
  // Delivered segments are gone from the disk.
  EXPECT_EQ(segments(path).size(), 1u);
  ASSERT_EQ(queue.append(payloadOf(5), 10, 5), "");
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"record-5"}));
}

TEST(RemoteWriteQueueTest, TornTailIsCutOffAtOpen) {
  TempDir dir;
  const std::string path = dir.str() + "/q";
  {
    ShardQueue queue(path, 1 << 20, 64 << 10);
    for (int i = 0; i < 2; ++i) ASSERT_EQ(queue.append(payloadOf(i), 10, i), "");
  }
  const auto files = segments(path);
  ASSERT_EQ(files.size(), 1u);
  // A crash mid-append: a record's header and half its payload.
  std::string torn;
  appendQueueRecord(torn, payloadOf(2), 10, 2);
  std::ofstream(files[0], std::ios::app | std::ios::binary) << torn.substr(0, torn.size() / 2);

  ShardQueue queue(path, 1 << 20, 64 << 10);
  EXPECT_EQ(std::filesystem::file_size(files[0]), 2 * kRecordBytes);
  EXPECT_EQ(queue.stats().unsent_samples, 20u);
  EXPECT_EQ(queue.stats().damaged_regions, 1u);
  ASSERT_EQ(queue.append(payloadOf(3), 10, 3), "");  // appends on a record boundary
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"record-0", "record-1", "record-3"}));
}

TEST(RemoteWriteQueueTest, DamagedRecordIsSkippedAndTheRestDelivered) {
  TempDir dir;
  const std::string path = dir.str() + "/q";
  {
    ShardQueue queue(path, 1 << 20, 64 << 10);
    for (int i = 0; i < 4; ++i) ASSERT_EQ(queue.append(payloadOf(i), 10, i), "");
  }
  const auto file = segments(path).at(0);
  flipByte(file, kRecordBytes + kQueueRecordHeaderBytes + 50);  // record 1's payload
  flipByte(file, 2 * kRecordBytes + 4);                         // record 2's length
  ShardQueue queue(path, 1 << 20, 64 << 10);
  EXPECT_EQ(queue.stats().unsent_samples, 20u);
  EXPECT_EQ(queue.stats().damaged_regions, 1u);  // one run of two bad records
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"record-0", "record-3"}));
}

TEST(RemoteWriteQueueTest, DamageAfterOpenIsSkippedWhenRead) {
  TempDir dir;
  const std::string path = dir.str() + "/q";
  ShardQueue queue(path, 1 << 20, 64 << 10);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(queue.append(payloadOf(i), 10, i), "");
  ASSERT_EQ(queue.sync(), "");
  flipByte(segments(path).at(0), kRecordBytes + kQueueRecordHeaderBytes + 1);
  EXPECT_EQ(drain(queue), (std::vector<std::string>{"record-0", "record-2"}));
  EXPECT_EQ(queue.stats().damaged_regions, 1u);
  EXPECT_EQ(queue.stats().unsent_samples, 0u);
}

}  // namespace
}  // namespace tidemark::controller::remote_write
