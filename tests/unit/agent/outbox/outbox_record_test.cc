#include "agent/outbox/outbox_record.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "common/checksum/crc32c.h"

namespace tidemark::agent {
namespace {

wire::MetricBatchData makeBatch(uint64_t sequence, size_t samples) {
  wire::MetricBatchData batch;
  batch.host_id = "web-01.example";
  batch.epoch = 0x0123456789abcdefULL;
  batch.sequence = sequence;
  for (size_t i = 0; i < samples; ++i) {
    batch.series_ids.push_back(static_cast<uint32_t>(i * 7));
    batch.timestamps_ms.push_back(-5 + static_cast<int64_t>(i));
    batch.values.push_back(1.0 / (static_cast<double>(i) + 3));
  }
  return batch;
}

TEST(Crc32cTest, MatchesTheKnownCheckValues) {
  const std::string check = "123456789";
  EXPECT_EQ(crc32c(0, check.data(), check.size()), 0xE3069283u);
  EXPECT_EQ(crc32c(0, "", 0), 0u);
  // Incremental over any split, long enough for the 8-byte paths.
  std::string long_text(1000, '\0');
  for (size_t i = 0; i < long_text.size(); ++i) long_text[i] = static_cast<char>(i * 31 + 7);
  const uint32_t whole = crc32c(0, long_text.data(), long_text.size());
  for (size_t split : {0u, 1u, 7u, 8u, 9u, 500u, 999u}) {
    EXPECT_EQ(crc32c(crc32c(0, long_text.data(), split), long_text.data() + split,
                     long_text.size() - split),
              whole)
        << split;
  }
}

TEST(OutboxRecordTest, RoundTripsEveryFieldExceptWhatIsWorkedOutAtSendTime) {
  wire::MetricBatchData batch = makeBatch(42, 300);
  batch.values[1] = std::numeric_limits<double>::quiet_NaN();
  batch.values[2] = -0.0;
  batch.values[3] = std::numeric_limits<double>::infinity();
  batch.oldest_pending = 40;
  batch.announcements.push_back({0, "node_load1", {}});

  std::string data;
  appendRecord(batch, data);
  EXPECT_EQ(data.size(), recordBytes(batch));
  EXPECT_EQ(data.size(), kRecordHeaderBytes + 25 + batch.host_id.size() + 300 * 20);

  SegmentScan scan = scanSegment(data);
  ASSERT_EQ(scan.records.size(), 1u);
  EXPECT_TRUE(scan.skipped.empty());
  EXPECT_EQ(scan.clean_size, data.size());
  const auto& got = scan.records[0].batch;
  EXPECT_EQ(scan.records[0].offset, 0u);
  EXPECT_EQ(scan.records[0].bytes, data.size());
  EXPECT_EQ(got.host_id, batch.host_id);
  EXPECT_EQ(got.epoch, batch.epoch);
  EXPECT_EQ(got.sequence, 42u);
  EXPECT_EQ(got.series_ids, batch.series_ids);
  EXPECT_EQ(got.timestamps_ms, batch.timestamps_ms);
  ASSERT_EQ(got.values.size(), 300u);
  EXPECT_TRUE(std::isnan(got.values[1]));
  EXPECT_TRUE(std::signbit(got.values[2]));
  for (size_t i = 3; i < 300; ++i) EXPECT_EQ(got.values[i], batch.values[i]) << i;
  // Announcements and oldest_pending are not stored: they are worked out when sent.
  EXPECT_TRUE(got.announcements.empty());
  EXPECT_EQ(got.oldest_pending, 0u);
}

wire::MetricBatchData uniformBatch(uint64_t sequence, size_t samples, int64_t timestamp_ms) {
  wire::MetricBatchData batch = makeBatch(sequence, samples);
  batch.timestamps_ms.clear();
  batch.timestamp_ms = timestamp_ms;
  return batch;
}

TEST(OutboxRecordTest, OneTimeForAllSamplesIsStoredOnceAndTakesTwelveBytesASample) {
  const wire::MetricBatchData batch = uniformBatch(43, 300, 1'700'000'000'123);
  std::string data;
  appendRecord(batch, data);
  EXPECT_EQ(data.size(), recordBytes(batch));
  EXPECT_EQ(data.size(), kRecordHeaderBytes + 25 + 8 + batch.host_id.size() + 300 * 12);

  SegmentScan scan = scanSegment(data);
  ASSERT_EQ(scan.records.size(), 1u);
  EXPECT_TRUE(scan.skipped.empty());
  const auto& got = scan.records[0].batch;
  EXPECT_EQ(got.host_id, batch.host_id);
  EXPECT_EQ(got.epoch, batch.epoch);
  EXPECT_EQ(got.sequence, 43u);
  EXPECT_EQ(got.series_ids, batch.series_ids);
  EXPECT_TRUE(got.timestamps_ms.empty());
  EXPECT_EQ(got.timestamp_ms, 1'700'000'000'123);
  EXPECT_EQ(got.values, batch.values);
}

TEST(OutboxRecordTest, ASegmentWrittenBeforeTheUniformFormStillReadsAfterIt) {
  // An agent upgraded with batches pending: per-sample records, then uniform ones.
  std::string data;
  appendRecord(makeBatch(1, 5), data);
  appendRecord(uniformBatch(2, 5, 9000), data);
  appendRecord(makeBatch(3, 0), data);
  appendRecord(uniformBatch(4, 0, 9001), data);
  SegmentScan scan = scanSegment(data);
  ASSERT_EQ(scan.records.size(), 4u);
  EXPECT_TRUE(scan.skipped.empty());
  EXPECT_EQ(scan.records[0].batch.timestamps_ms, makeBatch(1, 5).timestamps_ms);
  EXPECT_TRUE(scan.records[1].batch.timestamps_ms.empty());
  EXPECT_EQ(scan.records[1].batch.timestamp_ms, 9000);
  EXPECT_EQ(scan.records[1].batch.values, makeBatch(2, 5).values);
  EXPECT_EQ(scan.records[3].batch.sequence, 4u);
  EXPECT_EQ(scan.records[3].batch.timestamp_ms, 9001);
}

TEST(OutboxRecordTest, AUniformRecordWhoseLengthDisagreesWithItsCountIsUndecodable) {
  std::string data;
  appendRecord(uniformBatch(7, 3, 1), data);
  // Claim 4 samples in a payload sized for 3, then fix the CRC so only the length
  // check can refuse it.
  const size_t count_at = kRecordHeaderBytes + 1 + 8 + 8 + 4 + std::string("web-01.example").size();
  data[count_at] = 4;
  const uint32_t payload = static_cast<uint32_t>(data.size() - kRecordHeaderBytes);
  uint32_t crc = crc32c(crc32c(0, data.data(), 8), data.data() + kRecordHeaderBytes, payload);
  std::memcpy(data.data() + 8, &crc, 4);
  SegmentScan scan = scanSegment(data);
  EXPECT_TRUE(scan.records.empty());
  ASSERT_EQ(scan.skipped.size(), 1u);
  EXPECT_EQ(scan.skipped[0].kind, SkippedRegion::Kind::kUndecodable);
}

TEST(OutboxRecordTest, EmptyBatchAndManyRecordsInOneSegment) {
  std::string data;
  for (uint64_t s = 1; s <= 50; ++s) appendRecord(makeBatch(s, s % 4), data);
  SegmentScan scan = scanSegment(data);
  ASSERT_EQ(scan.records.size(), 50u);
  for (uint64_t s = 1; s <= 50; ++s) {
    EXPECT_EQ(scan.records[s - 1].batch.sequence, s);
    EXPECT_EQ(scan.records[s - 1].batch.values.size(), s % 4);
  }
}

TEST(OutboxRecordTest, EveryTruncationIsATornTailAfterTheLastWholeRecord) {
  std::string data;
  appendRecord(makeBatch(1, 3), data);
  const size_t first = data.size();
  appendRecord(makeBatch(2, 3), data);
  for (size_t cut = first + 1; cut < data.size(); ++cut) {
    SegmentScan scan = scanSegment(std::string_view(data).substr(0, cut));
    ASSERT_EQ(scan.records.size(), 1u) << cut;
    ASSERT_EQ(scan.skipped.size(), 1u) << cut;
    EXPECT_EQ(scan.skipped[0].kind, SkippedRegion::Kind::kTornTail) << cut;
    EXPECT_EQ(scan.skipped[0].offset, first);
    EXPECT_EQ(scan.clean_size, first) << cut;
  }
}

TEST(OutboxRecordTest, ZerosAfterTheLastRecordAreATornTail) {
  std::string data;
  appendRecord(makeBatch(1, 3), data);
  const size_t size = data.size();
  data.append(4096, '\0');
  SegmentScan scan = scanSegment(data);
  ASSERT_EQ(scan.records.size(), 1u);
  ASSERT_EQ(scan.skipped.size(), 1u);
  EXPECT_EQ(scan.skipped[0].kind, SkippedRegion::Kind::kTornTail);
  EXPECT_EQ(scan.clean_size, size);
}

TEST(OutboxRecordTest, EveryBitFlipIsCaughtAndTheFollowingRecordsStillRead) {
  std::string data;
  appendRecord(makeBatch(1, 2), data);
  const size_t start = data.size();
  appendRecord(makeBatch(2, 2), data);
  const size_t end = data.size();
  appendRecord(makeBatch(3, 2), data);
  for (size_t byte = start; byte < end; ++byte) {
    for (int bit = 0; bit < 8; bit += 3) {
      std::string damaged = data;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      SegmentScan scan = scanSegment(damaged);
      ASSERT_EQ(scan.records.size(), 2u) << byte << ":" << bit;
      EXPECT_EQ(scan.records[0].batch.sequence, 1u);
      EXPECT_EQ(scan.records[1].batch.sequence, 3u);
      ASSERT_EQ(scan.skipped.size(), 1u) << byte << ":" << bit;
      EXPECT_EQ(scan.skipped[0].offset, start);
      EXPECT_EQ(scan.clean_size, damaged.size());
    }
  }
}

}  // namespace
}  // namespace tidemark::agent
