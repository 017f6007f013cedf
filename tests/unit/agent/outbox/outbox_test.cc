// The durable outbox on real files in a temp dir, and with a storage that fails
// writes (a full disk) on demand.
#include "agent/outbox/outbox.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "agent/outbox/outbox_record.h"
#include "tests/support/test_support.h"
#include "tests/unit/agent/collectors/collector_test_util.h"

namespace tidemark::agent {
namespace {

using tidemark::testing::LogCapture;
using tidemark::testing::TempDir;

// A batch with `samples` rows whose values depend on the sequence.
wire::MetricBatchData makeBatch(uint64_t sequence, size_t samples = 1) {
  wire::MetricBatchData batch;
  batch.host_id = "h";
  batch.epoch = 7;
  batch.sequence = sequence;
  for (size_t i = 0; i < samples; ++i) {
    batch.series_ids.push_back(static_cast<uint32_t>(i));
    batch.timestamps_ms.push_back(1'700'000'000'000 + static_cast<int64_t>(sequence) * 1000);
    batch.values.push_back(static_cast<double>(sequence) + static_cast<double>(i) / 8);
  }
  return batch;
}

size_t bytesOf(size_t samples) { return recordBytes(makeBatch(1, samples)); }

std::vector<uint64_t> sequences(const Outbox& outbox) {
  std::vector<uint64_t> out;
  for (const auto& pending : outbox.pending()) out.push_back(pending.batch.sequence);
  return out;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void writeFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

void expectSameBatch(const wire::MetricBatchData& got, const wire::MetricBatchData& want) {
  EXPECT_EQ(got.host_id, want.host_id);
  EXPECT_EQ(got.epoch, want.epoch);
  EXPECT_EQ(got.sequence, want.sequence);
  EXPECT_EQ(got.series_ids, want.series_ids);
  EXPECT_EQ(got.timestamps_ms, want.timestamps_ms);
  EXPECT_EQ(got.values, want.values);
  EXPECT_TRUE(got.announcements.empty());
}

// collected = acked + dropped + pending, in samples and in batches.
void expectBalanced(const Outbox& outbox) {
  const OutboxCounters& c = outbox.counters();
  uint64_t pending_samples = 0;
  for (const auto& pending : outbox.pending()) pending_samples += pending.batch.values.size();
  EXPECT_EQ(c.samples_collected, c.samples_acked + c.samples_dropped + pending_samples);
  EXPECT_EQ(c.batches_collected, c.batches_acked + c.batches_dropped + outbox.size());
}

// Wraps the real storage; fails appends (after writing `partial_bytes` of them,
// left behind) or state writes with an errno while told to.
class FaultyStorage final : public OutboxStorage {
 public:
  FaultyStorage(const std::string& dir, const std::string& state) : inner_(dir, state) {}

  int fail_appends = 0;
  size_t partial_bytes = 0;
  int fail_state = 0;
  int appends = 0;
  int fail_sync = 0;
  int syncs = 0;
  // Each segment's size at its last successful sync: what a power loss leaves of it.
  std::map<uint32_t, uintmax_t> synced_bytes;

  std::string segmentPath(uint32_t segment) const override { return inner_.segmentPath(segment); }
  std::string statePath() const override { return inner_.statePath(); }
  std::vector<uint32_t> listSegments() override { return inner_.listSegments(); }
  int readSegment(uint32_t segment, std::string& out) override {
    return inner_.readSegment(segment, out);
  }
  int append(uint32_t segment, const void* data, size_t size) override {
    ++appends;
    if (fail_appends != 0) {
      if (partial_bytes > 0) inner_.append(segment, data, std::min(partial_bytes, size));
      return fail_appends;
    }
    return inner_.append(segment, data, size);
  }
  int sync(uint32_t segment) override {
    ++syncs;
    if (fail_sync != 0) return fail_sync;
    const int error = inner_.sync(segment);
    if (error == 0) {
      std::error_code ignored;
      synced_bytes[segment] = std::filesystem::file_size(inner_.segmentPath(segment), ignored);
    }
    return error;
  }
  int truncate(uint32_t segment, uint64_t size) override { return inner_.truncate(segment, size); }
  int remove(uint32_t segment) override { return inner_.remove(segment); }
  std::optional<std::string> readState() override { return inner_.readState(); }
  int writeState(const std::string& text, bool durable) override {
    return fail_state != 0 ? fail_state : inner_.writeState(text, durable);
  }

 private:
  FileOutboxStorage inner_;
};

class OutboxTest : public ::testing::Test {
 protected:
  std::string segmentsDir() const { return dir_.str() + "/state/outbox"; }
  std::string statePath() const { return dir_.str() + "/state/counters"; }

  std::unique_ptr<Outbox> open(OutboxOptions options = {}) {
    std::filesystem::create_directories(dir_.str() + "/state");
    return std::make_unique<Outbox>(segmentsDir(), statePath(), options);
  }

  std::unique_ptr<Outbox> openFaulty(FaultyStorage*& storage, OutboxOptions options = {}) {
    std::filesystem::create_directories(dir_.str() + "/state");
    auto owned = std::make_unique<FaultyStorage>(segmentsDir(), statePath());
    storage = owned.get();
    return std::make_unique<Outbox>(std::move(owned), options);
  }

  std::vector<std::string> segmentFiles() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(segmentsDir())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  std::string segment(const std::string& name) const { return segmentsDir() + "/" + name; }

  TempDir dir_;
};

// ---- the in-memory behaviour the agent relies on ----

TEST_F(OutboxTest, StartsEmptyAndCreatesItsFolder) {
  auto outbox = open();
  EXPECT_TRUE(outbox->empty());
  EXPECT_EQ(outbox->size(), 0u);
  EXPECT_EQ(outbox->droppedBatches(), 0u);
  EXPECT_EQ(outbox->droppedSamples(), 0u);
  EXPECT_EQ(outbox->oldestSequence(42), 42u);
  EXPECT_TRUE(std::filesystem::is_directory(segmentsDir()));
  struct stat st {};
  ASSERT_EQ(::stat(segmentsDir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(OutboxTest, PushKeepsOrderAndMarksUnsent) {
  auto outbox = open();
  for (uint64_t s = 1; s <= 3; ++s) EXPECT_EQ(outbox->push(makeBatch(s, 2)), 0u);
  EXPECT_EQ(outbox->size(), 3u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  for (const auto& pending : outbox->pending()) {
    EXPECT_EQ(pending.sent_at_ms, -1);
    EXPECT_EQ(pending.batch.values.size(), 2u);
    EXPECT_NE(pending.segment, 0u);  // on disk
  }
  EXPECT_EQ(outbox->oldestSequence(4), 1u);
  EXPECT_EQ(outbox->bytes(), 3 * bytesOf(2));
  EXPECT_EQ(outbox->counters().batches_collected, 3u);
  EXPECT_EQ(outbox->counters().samples_collected, 6u);
  EXPECT_EQ(outbox->unwritten(), 0u);
}

TEST_F(OutboxTest, AcknowledgeThroughRemovesInOrderAndCallsBackForEach) {
  auto outbox = open();
  for (uint64_t s = 1; s <= 5; ++s) outbox->push(makeBatch(s, s));
  std::vector<uint64_t> removed;
  size_t samples = 0;
  EXPECT_EQ(outbox->acknowledgeThrough(3,
                                       [&](const wire::MetricBatchData& batch) {
                                         removed.push_back(batch.sequence);
                                         samples += batch.values.size();
                                       }),
            3u);
  EXPECT_EQ(removed, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(samples, 1u + 2u + 3u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(outbox->oldestSequence(6), 4u);
  EXPECT_EQ(outbox->counters().batches_acked, 3u);
  EXPECT_EQ(outbox->counters().samples_acked, 6u);
  EXPECT_EQ(outbox->droppedBatches(), 0u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, AcknowledgeThroughOlderSequenceRemovesNothing) {
  auto outbox = open();
  for (uint64_t s = 5; s <= 6; ++s) outbox->push(makeBatch(s));
  int calls = 0;
  EXPECT_EQ(outbox->acknowledgeThrough(4, [&](const auto&) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(outbox->size(), 2u);
}

TEST_F(OutboxTest, AcknowledgeThroughBeyondNewestEmptiesIt) {
  auto outbox = open();
  for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s));
  EXPECT_EQ(outbox->acknowledgeThrough(100, [](const auto&) {}), 3u);
  EXPECT_TRUE(outbox->empty());
  EXPECT_EQ(outbox->oldestSequence(4), 4u);
  EXPECT_EQ(outbox->acknowledgeThrough(100, [](const auto&) { FAIL(); }), 0u);
  // An ack beyond what was pushed must not hide later batches after a restart.
  outbox->push(makeBatch(4));
  outbox.reset();
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{4}));
}

TEST_F(OutboxTest, MaxBatchesDropsTheOldestAndCountsThem) {
  auto outbox = open({.max_batches = 3, .max_bytes = 1u << 30});
  std::vector<size_t> dropped;
  for (uint64_t s = 1; s <= 5; ++s) dropped.push_back(outbox->push(makeBatch(s, s)));
  EXPECT_EQ(dropped, (std::vector<size_t>{0, 0, 0, 1, 1}));
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{3, 4, 5}));
  EXPECT_EQ(outbox->droppedBatches(), 2u);
  EXPECT_EQ(outbox->droppedSamples(), 1u + 2u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, MaxBytesDropsTheOldestUntilUnderTheBound) {
  auto outbox = open({.max_batches = 100, .max_bytes = 2 * bytesOf(10)});
  EXPECT_EQ(outbox->push(makeBatch(1, 10)), 0u);
  EXPECT_EQ(outbox->push(makeBatch(2, 10)), 0u);  // exactly at the bound: kept
  EXPECT_EQ(outbox->push(makeBatch(3, 10)), 1u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{2, 3}));
  // One big batch pushes out as many old ones as needed.
  EXPECT_EQ(outbox->push(makeBatch(4, 15)), 2u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{4}));
  EXPECT_EQ(outbox->droppedBatches(), 3u);
  EXPECT_EQ(outbox->droppedSamples(), 30u);
}

TEST_F(OutboxTest, NeverDropsTheNewestEvenWhenItAloneIsOverTheBounds) {
  auto outbox = open({.max_batches = 0, .max_bytes = 10});
  EXPECT_EQ(outbox->push(makeBatch(1, 100)), 0u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1}));
  EXPECT_EQ(outbox->push(makeBatch(2, 100)), 1u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{2}));
  EXPECT_EQ(outbox->droppedBatches(), 1u);
  EXPECT_EQ(outbox->droppedSamples(), 100u);
}

TEST_F(OutboxTest, AcknowledgedBatchesFreeTheirBytes) {
  auto outbox = open({.max_batches = 100, .max_bytes = 2 * bytesOf(10)});
  outbox->push(makeBatch(1, 10));
  outbox->push(makeBatch(2, 10));
  outbox->acknowledgeThrough(1, [](const auto&) {});
  EXPECT_EQ(outbox->push(makeBatch(3, 10)), 0u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(outbox->droppedBatches(), 0u);
}

TEST_F(OutboxTest, DropRemovesOneBatchBySequenceAndCountsIt) {
  auto outbox = open({.max_batches = 100, .max_bytes = 3 * bytesOf(4)});
  for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 4));
  EXPECT_TRUE(outbox->drop(2));
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(outbox->droppedBatches(), 1u);
  EXPECT_EQ(outbox->droppedSamples(), 4u);
  EXPECT_FALSE(outbox->drop(2));
  EXPECT_FALSE(outbox->drop(99));
  // The dropped batch's bytes are released too.
  EXPECT_EQ(outbox->push(makeBatch(4, 4)), 0u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_TRUE(outbox->drop(1));
  EXPECT_EQ(outbox->oldestSequence(5), 3u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, ResendFromMarksThatSequenceOnAsUnsent) {
  auto outbox = open();
  for (uint64_t s = 1; s <= 4; ++s) outbox->push(makeBatch(s));
  for (auto& pending : outbox->pending()) {
    pending.sent_at_ms = 100 + static_cast<int64_t>(pending.batch.sequence);
  }
  outbox->resendFrom(3);
  std::vector<int64_t> sent_at;
  for (const auto& pending : outbox->pending()) sent_at.push_back(pending.sent_at_ms);
  EXPECT_EQ(sent_at, (std::vector<int64_t>{101, 102, -1, -1}));
  outbox->resendFrom(0);
  for (const auto& pending : outbox->pending()) EXPECT_EQ(pending.sent_at_ms, -1);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3, 4}));
}

// ---- on disk ----

TEST_F(OutboxTest, UnackedBatchesSurviveACrashInOrder) {
  std::vector<wire::MetricBatchData> pushed;
  {
    auto outbox = open();
    for (uint64_t s = 1; s <= 4; ++s) {
      pushed.push_back(makeBatch(s, 3 + s));
      outbox->push(pushed.back());
    }
    outbox->acknowledgeThrough(1, [](const auto&) {});
    outbox->pending().front().sent_at_ms = 5;
    // Destroyed without anything more: what a SIGKILL leaves (every write is in the
    // page cache or on disk already).
  }
  auto outbox = open();
  ASSERT_EQ(sequences(*outbox), (std::vector<uint64_t>{2, 3, 4}));
  for (size_t i = 0; i < 3; ++i) {
    expectSameBatch(outbox->pending()[i].batch, pushed[i + 1]);
    EXPECT_EQ(outbox->pending()[i].sent_at_ms, -1);  // all of them go out again
  }
  EXPECT_EQ(outbox->counters().batches_collected, 4u);
  EXPECT_EQ(outbox->counters().batches_acked, 1u);
  EXPECT_EQ(outbox->counters().samples_acked, 4u);
  EXPECT_EQ(outbox->bytes(), bytesOf(5) + bytesOf(6) + bytesOf(7));
  EXPECT_EQ(outbox->corruptRecords(), 0u);
  expectBalanced(*outbox);

  // New batches follow the loaded ones, in a new segment, and survive too.
  outbox->push(makeBatch(5));
  outbox.reset();
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{2, 3, 4, 5}));
}

TEST_F(OutboxTest, ABatchAcknowledgedBeforeTheNextPushIsNeverSynced) {
  FaultyStorage* storage = nullptr;
  auto outbox = openFaulty(storage);
  for (uint64_t s = 1; s <= 5; ++s) {
    outbox->push(makeBatch(s, 2));
    outbox->acknowledgeThrough(s, [](const auto&) {});
  }
  EXPECT_EQ(storage->syncs, 0);
  EXPECT_EQ(storage->appends, 5);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, AnUnacknowledgedBatchIsSyncedAtTheNextPush) {
  FaultyStorage* storage = nullptr;
  auto outbox = openFaulty(storage);
  outbox->push(makeBatch(1, 2));
  EXPECT_EQ(storage->syncs, 0);
  outbox->push(makeBatch(2, 2));  // 1 still unacknowledged: synced now, before 2 is written
  EXPECT_EQ(storage->syncs, 1);
  EXPECT_EQ(storage->synced_bytes[1], bytesOf(2));
  outbox->acknowledgeThrough(2, [](const auto&) {});
  outbox->push(makeBatch(3, 2));  // 2 was acked meanwhile: no sync
  EXPECT_EQ(storage->syncs, 1);
  outbox.reset();  // a clean stop syncs what is still pending
  EXPECT_EQ(storage->syncs, 2);
}

TEST_F(OutboxTest, AFailedSyncIsLoggedOnceKeptInMemoryAndTriedAgain) {
  FaultyStorage* storage = nullptr;
  auto outbox = openFaulty(storage);
  LogCapture capture;
  storage->fail_sync = EIO;
  for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 2));
  EXPECT_EQ(capture.count("cannot fdatasync " + segment("00000001.seg")), 1u) << capture.text();
  EXPECT_EQ(outbox->writeErrors(), 2u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  storage->fail_sync = 0;
  outbox->push(makeBatch(4, 2));
  EXPECT_EQ(capture.count("fdatasync works again"), 1u) << capture.text();
  EXPECT_EQ(storage->synced_bytes[1], 3 * bytesOf(2));
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, APowerLossTakesOnlyTheUnsyncedNewestBatchAndCountsItDropped) {
  {
    FaultyStorage* storage = nullptr;
    auto outbox = openFaulty(storage);
    for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 2 + s));
    // Power loss now: batch 3 was written but not synced. What is left on disk is the
    // segment as of its last sync (the state file written since names 3 as at risk).
    std::filesystem::resize_file(segment("00000001.seg"), storage->synced_bytes[1]);
    auto* leaked = outbox.release();  // no destructor: it would sync
    (void)leaked;
  }
  LogCapture capture;
  auto outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(outbox->counters().batches_collected, 3u);
  EXPECT_EQ(outbox->counters().batches_dropped, 1u);
  EXPECT_EQ(outbox->counters().samples_dropped, 5u);
  EXPECT_EQ(capture.count("were not on disk yet when the agent stopped"), 1u) << capture.text();
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, RecordsNewerThanAStaleStateFileAreCountedCollected) {
  // Power loss: the state file (renamed, not fsynced) may be older than the records.
  std::string old_state;
  {
    auto outbox = open();
    outbox->push(makeBatch(1, 2));
    old_state = readFile(statePath());
    outbox->push(makeBatch(2, 3));
    outbox->push(makeBatch(3, 4));
    outbox->acknowledgeThrough(2, [](const auto&) {});
  }
  writeFile(statePath(), old_state);
  auto outbox = open();
  // The acks were forgotten with the state: sent again, acked as duplicates.
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox->counters().batches_collected, 3u);
  EXPECT_EQ(outbox->counters().samples_collected, 9u);
  EXPECT_EQ(outbox->counters().batches_acked, 0u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, ADamagedStateFileRestartsTheCountsFromTheRecords) {
  {
    auto outbox = open();
    for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 2));
    outbox->acknowledgeThrough(1, [](const auto&) {});
  }
  // Both slots of the state file (see outbox_storage.h) damaged.
  std::string state = readFile(statePath());
  for (size_t at = state.find("samples_acked"); at != std::string::npos;
       at = state.find("samples_acked", at + 1)) {
    state[at + 14] ^= 1;
  }
  writeFile(statePath(), state);
  LogCapture capture;
  auto outbox = open();
  EXPECT_EQ(capture.count(statePath() + " is damaged"), 1u) << capture.text();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox->counters().batches_collected, 3u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, TornTailIsCutAndLaterAppendsAreClean) {
  {
    auto outbox = open();
    for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 5));
  }
  ASSERT_EQ(segmentFiles(), (std::vector<std::string>{"00000001.seg"}));
  const std::string path = segment("00000001.seg");
  const std::string good = readFile(path);
  // A crash in the middle of appending batch 4.
  std::string record;
  appendRecord(makeBatch(4, 5), record);
  writeFile(path, good + record.substr(0, record.size() / 2));

  LogCapture capture;
  auto outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox->corruptRecords(), 1u);
  EXPECT_EQ(outbox->counters().batches_collected, 3u);  // batch 4 never counted
  EXPECT_EQ(readFile(path), good);                       // cut back
  EXPECT_EQ(capture.count("at offset " + std::to_string(good.size())), 2u) << capture.text();
  EXPECT_EQ(capture.count(path), 2u) << capture.text();
  EXPECT_EQ(capture.count("torn tail"), 1u) << capture.text();

  outbox->push(makeBatch(4, 5));
  outbox.reset();
  LogCapture quiet;
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(outbox->corruptRecords(), 0u);
  EXPECT_EQ(quiet.count("damaged"), 0u) << quiet.text();
}

TEST_F(OutboxTest, RecordWithABadCrcIsSkippedAndCounted) {
  {
    auto outbox = open();
    for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 5));
  }
  const std::string path = segment("00000001.seg");
  std::string data = readFile(path);
  const size_t second = bytesOf(5);
  data[second + 50] ^= 0x40;  // a bit flip inside batch 2's columns
  writeFile(path, data);

  LogCapture capture;
  auto outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(outbox->corruptRecords(), 1u);
  EXPECT_EQ(capture.count("skipped a damaged record in " + path + " at offset " +
                          std::to_string(second)),
            1u)
      << capture.text();
  EXPECT_EQ(capture.count("bad CRC"), 1u) << capture.text();
  EXPECT_EQ(readFile(path).size(), data.size());  // only a damaged end is cut
}

TEST_F(OutboxTest, WholeSegmentsAreDeletedOnceEveryRecordIsAcked) {
  // Two records a segment.
  const OutboxOptions options{.max_batches = 100, .max_bytes = 1u << 20,
                              .segment_bytes = 2 * bytesOf(4)};
  auto outbox = open(options);
  for (uint64_t s = 1; s <= 6; ++s) outbox->push(makeBatch(s, 4));
  EXPECT_EQ(segmentFiles(),
            (std::vector<std::string>{"00000001.seg", "00000002.seg", "00000003.seg"}));
  const std::string first_segment = readFile(segment("00000002.seg"));

  outbox->acknowledgeThrough(1, [](const auto&) {});
  EXPECT_EQ(segmentFiles().size(), 3u);  // batch 2 still pending in segment 1
  outbox->acknowledgeThrough(3, [](const auto&) {});
  EXPECT_EQ(segmentFiles(), (std::vector<std::string>{"00000002.seg", "00000003.seg"}));
  // Acked records are never rewritten.
  EXPECT_EQ(readFile(segment("00000002.seg")), first_segment);

  outbox->acknowledgeThrough(6, [](const auto&) {});
  // The newest segment stays open for appends until it is full.
  EXPECT_EQ(segmentFiles(), (std::vector<std::string>{"00000003.seg"}));
  outbox->push(makeBatch(7, 4));
  EXPECT_EQ(segmentFiles(), (std::vector<std::string>{"00000004.seg"}));
  outbox->acknowledgeThrough(7, [](const auto&) {});
  outbox.reset();
  // On the next start, a segment with nothing pending is deleted too.
  outbox = open(options);
  EXPECT_TRUE(outbox->empty());
  EXPECT_TRUE(segmentFiles().empty());
  EXPECT_EQ(outbox->counters().batches_acked, 7u);
}

TEST_F(OutboxTest, DropsPersistAcrossRestarts) {
  {
    auto outbox = open({.max_batches = 3});
    for (uint64_t s = 1; s <= 5; ++s) outbox->push(makeBatch(s, 10));
    EXPECT_TRUE(outbox->drop(4));  // rejected by the controller
    EXPECT_EQ(outbox->droppedBatches(), 3u);
  }
  auto outbox = open({.max_batches = 3});
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{3, 5}));
  EXPECT_EQ(outbox->droppedBatches(), 3u);
  EXPECT_EQ(outbox->droppedSamples(), 30u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, SmallerBoundsOnRestartDropTheOldestKeptBatches) {
  {
    auto outbox = open();
    for (uint64_t s = 1; s <= 5; ++s) outbox->push(makeBatch(s, 2));
  }
  LogCapture capture;
  auto outbox = open({.max_batches = 100, .max_bytes = 2 * bytesOf(2)});
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(outbox->droppedBatches(), 3u);
  EXPECT_EQ(outbox->droppedSamples(), 6u);
  EXPECT_EQ(capture.count("dropped the 3 oldest batches"), 1u) << capture.text();
  outbox.reset();
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{4, 5}));
  EXPECT_EQ(outbox->droppedBatches(), 3u);
}

TEST_F(OutboxTest, FullDiskKeepsBatchesInMemoryLogsOnceAndWritesThemLater) {
  FaultyStorage* storage = nullptr;
  auto outbox = openFaulty(storage);
  outbox->push(makeBatch(1, 3));

  LogCapture capture;
  storage->fail_appends = ENOSPC;
  EXPECT_EQ(outbox->push(makeBatch(2, 3)), 0u);
  EXPECT_EQ(outbox->push(makeBatch(3, 3)), 0u);
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox->unwritten(), 2u);
  EXPECT_GE(outbox->writeErrors(), 2u);
  EXPECT_EQ(outbox->counters().batches_collected, 3u);
  EXPECT_EQ(capture.count("No space left on device (errno 28)"), 1u) << capture.text();
  EXPECT_EQ(capture.count("cannot write batch 2 to " + segmentsDir() + "/0000000"), 1u)
      << capture.text();
  // Acks still work on batches only in memory.
  outbox->acknowledgeThrough(2, [](const auto&) {});
  EXPECT_EQ(outbox->unwritten(), 1u);

  storage->fail_appends = 0;
  outbox->push(makeBatch(4, 3));
  EXPECT_EQ(outbox->unwritten(), 0u);
  EXPECT_EQ(capture.count("the disk takes records again"), 1u) << capture.text();
  outbox.reset();
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(outbox->corruptRecords(), 0u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, PartialWriteOnAFullDiskLeavesNothingUnreadable) {
  FaultyStorage* storage = nullptr;
  auto outbox = openFaulty(storage);
  outbox->push(makeBatch(1, 3));
  storage->fail_appends = EDQUOT;
  storage->partial_bytes = 17;  // and the storage could not cut it back
  outbox->push(makeBatch(2, 3));
  storage->fail_appends = 0;
  outbox->push(makeBatch(3, 3));
  EXPECT_EQ(outbox->unwritten(), 0u);
  outbox.reset();
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(outbox->corruptRecords(), 1u);  // the partial record, skipped
}

TEST_F(OutboxTest, BatchesOnlyInMemoryAndLostInACrashCountAsDropped) {
  FaultyStorage* storage = nullptr;
  auto outbox = openFaulty(storage);
  outbox->push(makeBatch(1, 3));
  storage->fail_appends = ENOSPC;
  outbox->push(makeBatch(2, 5));
  {
    LogCapture capture;
    outbox.reset();  // the exit tries once more, then says what is lost
    EXPECT_EQ(capture.count("1 batches (5 samples) the disk refused are lost"), 1u)
        << capture.text();
  }
  outbox = open();
  EXPECT_EQ(sequences(*outbox), (std::vector<uint64_t>{1}));
  EXPECT_EQ(outbox->droppedBatches(), 1u);
  EXPECT_EQ(outbox->droppedSamples(), 5u);
  expectBalanced(*outbox);
}

TEST_F(OutboxTest, UnwritableStateFileKeepsSegmentsUntilItCanBeWritten) {
  FaultyStorage* storage = nullptr;
  const OutboxOptions options{.max_batches = 100, .max_bytes = 1u << 20,
                              .segment_bytes = bytesOf(2)};
  auto outbox = openFaulty(storage, options);
  for (uint64_t s = 1; s <= 3; ++s) outbox->push(makeBatch(s, 2));
  EXPECT_EQ(segmentFiles().size(), 3u);
  LogCapture capture;
  storage->fail_state = ENOSPC;
  outbox->acknowledgeThrough(2, [](const auto&) {});
  // Without a durable marker, the segments of acked batches must stay.
  EXPECT_EQ(segmentFiles().size(), 3u);
  EXPECT_EQ(capture.count("cannot write " + statePath()), 1u) << capture.text();
  storage->fail_state = 0;
  outbox->push(makeBatch(4, 2));
  EXPECT_EQ(segmentFiles(), (std::vector<std::string>{"00000003.seg", "00000004.seg"}));
}

}  // namespace
}  // namespace tidemark::agent
