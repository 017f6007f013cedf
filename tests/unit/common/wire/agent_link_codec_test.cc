#include "common/wire/agent_link_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <capnp/message.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "schemas/agent_link.capnp.h"

namespace tidemark::wire {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

AgentMessageData roundTripAgent(const AgentMessageData& message) {
  auto frame = encodeAgentMessage(message);
  EXPECT_EQ(frame.size() % 8, 0u);
  return decodeAgentMessage(frame.data(), frame.size(), DecodeLimits{});
}

ControllerMessageData roundTripController(const ControllerMessageData& message) {
  auto frame = encodeControllerMessage(message);
  EXPECT_EQ(frame.size() % 8, 0u);
  return decodeControllerMessage(frame.data(), frame.size());
}

MetricBatchData sampleBatch() {
  MetricBatchData batch;
  batch.host_id = "web-01.example";
  batch.epoch = 0xDEADBEEFCAFEF00Dull;
  batch.sequence = 17;
  batch.oldest_pending = 12;
  batch.announcements.push_back({1, "node_cpu_seconds_total", {{"cpu", "0"}, {"mode", "idle"}}});
  batch.announcements.push_back({2, "node_load1", {}});
  batch.announcements.push_back({4000000000u, "x", {{"path", "/a \"b\"\\ ünï"}}});
  batch.series_ids = {1, 2, 4000000000u, 1};
  batch.timestamps_ms = {1'700'000'000'000, -5, 0, std::numeric_limits<int64_t>::max()};
  batch.values = {1.5, -0.0, 1e300, std::numeric_limits<double>::infinity()};
  return batch;
}

void expectSameBatch(const MetricBatchData& got, const MetricBatchData& want) {
  EXPECT_EQ(got.host_id, want.host_id);
  EXPECT_EQ(got.epoch, want.epoch);
  EXPECT_EQ(got.sequence, want.sequence);
  EXPECT_EQ(got.oldest_pending, want.oldest_pending);
  ASSERT_EQ(got.announcements.size(), want.announcements.size());
  for (size_t i = 0; i < want.announcements.size(); ++i) {
    EXPECT_EQ(got.announcements[i].id, want.announcements[i].id);
    EXPECT_EQ(got.announcements[i].name, want.announcements[i].name);
    EXPECT_EQ(got.announcements[i].labels, want.announcements[i].labels);
  }
  EXPECT_EQ(got.series_ids, want.series_ids);
  EXPECT_EQ(got.timestamps_ms, want.timestamps_ms);
  ASSERT_EQ(got.values.size(), want.values.size());
  for (size_t i = 0; i < want.values.size(); ++i) {
    if (std::isnan(want.values[i])) {
      EXPECT_TRUE(std::isnan(got.values[i]));
    } else {
      EXPECT_EQ(got.values[i], want.values[i]);
      EXPECT_EQ(std::signbit(got.values[i]), std::signbit(want.values[i]));
    }
  }
}

TEST(AgentLinkCodecTest, HelloRoundTrip) {
  HelloData hello;
  hello.host_id = "db-7";
  hello.agent_version = "0.1.0";
  hello.boot_id = "3f0c6b2a-1d2e-4f5a-8b9c-0d1e2f3a4b5c";
  hello.epoch = 123456789012345ull;
  hello.interval_ms = 10'000;
  hello.facts = {{"kernel", "6.1.0-13-amd64"}, {"cpu_count", "8"}, {"empty", ""}};
  auto decoded = roundTripAgent(hello);
  ASSERT_TRUE(std::holds_alternative<HelloData>(decoded));
  const auto& got = std::get<HelloData>(decoded);
  EXPECT_EQ(got.host_id, hello.host_id);
  EXPECT_EQ(got.agent_version, hello.agent_version);
  EXPECT_EQ(got.boot_id, hello.boot_id);
  EXPECT_EQ(got.epoch, hello.epoch);
  EXPECT_EQ(got.interval_ms, hello.interval_ms);
  EXPECT_EQ(got.facts, hello.facts);
}

TEST(AgentLinkCodecTest, EmptyHelloRoundTrip) {
  auto decoded = roundTripAgent(HelloData{});
  ASSERT_TRUE(std::holds_alternative<HelloData>(decoded));
  const auto& got = std::get<HelloData>(decoded);
  EXPECT_EQ(got.host_id, "");
  EXPECT_EQ(got.epoch, 0u);
  EXPECT_TRUE(got.facts.empty());
}

TEST(AgentLinkCodecTest, MetricBatchRoundTrip) {
  auto batch = sampleBatch();
  batch.values[1] = std::nan("");
  auto decoded = roundTripAgent(batch);
  ASSERT_TRUE(std::holds_alternative<MetricBatchData>(decoded));
  expectSameBatch(std::get<MetricBatchData>(decoded), batch);
}

MetricBatchData uniformBatch() {
  MetricBatchData batch = sampleBatch();
  batch.timestamps_ms.clear();
  batch.timestamp_ms = 1'700'000'000'123;
  return batch;
}

MetricBatchData decodeBatch(const zmq::message_t& frame) {
  return std::get<MetricBatchData>(decodeAgentMessage(frame.data(), frame.size(), {}));
}

TEST(AgentLinkCodecTest, OneTimeForAllSamplesGoesOnceToAPeerThatReadsIt) {
  const MetricBatchData batch = uniformBatch();
  const zmq::message_t uniform = encodeAgentMessage(batch, {.uniform_timestamps = true});
  const MetricBatchData got = decodeBatch(uniform);
  expectSameBatch(got, batch);
  EXPECT_TRUE(got.timestamps_ms.empty());
  EXPECT_EQ(got.timestamp_ms, 1'700'000'000'123);
  for (size_t i = 0; i < got.series_ids.size(); ++i) EXPECT_EQ(got.timestampAt(i), 1'700'000'000'123);

  // 8 bytes a sample less than the same batch with the time repeated.
  const zmq::message_t repeated = encodeAgentMessage(batch);
  EXPECT_EQ(repeated.size() - uniform.size(), 8 * batch.series_ids.size());
}

TEST(AgentLinkCodecTest, OneTimeForAllSamplesIsRepeatedForAPeerThatDoesNotReadIt) {
  // A controller from before the uniform form checks that the columns match.
  const MetricBatchData batch = uniformBatch();
  const MetricBatchData got = decodeBatch(encodeAgentMessage(batch));
  EXPECT_EQ(got.timestamps_ms, std::vector<int64_t>(batch.series_ids.size(), 1'700'000'000'123));
  EXPECT_EQ(got.series_ids, batch.series_ids);
}

TEST(AgentLinkCodecTest, PerSampleTimesStayPerSampleWhateverThePeerReads) {
  const MetricBatchData batch = sampleBatch();
  expectSameBatch(decodeBatch(encodeAgentMessage(batch, {.uniform_timestamps = true})), batch);
}

TEST(AgentLinkCodecTest, NegativeZeroSurvives) {
  auto batch = sampleBatch();
  auto decoded = roundTripAgent(batch);
  ASSERT_TRUE(std::holds_alternative<MetricBatchData>(decoded));
  expectSameBatch(std::get<MetricBatchData>(decoded), batch);
}

TEST(AgentLinkCodecTest, AnnouncementOnlyAndEmptyBatchesRoundTrip) {
  MetricBatchData batch;
  batch.host_id = "h";
  batch.sequence = 0;
  batch.announcements.push_back({9, "up", {{"job", "node"}}});
  auto decoded = roundTripAgent(batch);
  ASSERT_TRUE(std::holds_alternative<MetricBatchData>(decoded));
  expectSameBatch(std::get<MetricBatchData>(decoded), batch);

  MetricBatchData empty;
  auto decoded_empty = roundTripAgent(empty);
  ASSERT_TRUE(std::holds_alternative<MetricBatchData>(decoded_empty));
  expectSameBatch(std::get<MetricBatchData>(decoded_empty), empty);
}

TEST(AgentLinkCodecTest, AckRoundTripEveryStatus) {
  for (AckStatus status : {AckStatus::kStored, AckStatus::kDuplicate, AckStatus::kResync,
                           AckStatus::kGap, AckStatus::kRejected}) {
    AckData ack{99, status, 42, std::string("why: ") + ackStatusName(status)};
    auto decoded = roundTripController(ack);
    ASSERT_TRUE(std::holds_alternative<AckData>(decoded));
    const auto& got = std::get<AckData>(decoded);
    EXPECT_EQ(got.sequence, 99u);
    EXPECT_EQ(got.status, status) << ackStatusName(status);
    EXPECT_EQ(got.expected_sequence, 42u);
    EXPECT_EQ(got.reason, ack.reason);
  }
}

TEST(AgentLinkCodecTest, AckStatusNames) {
  EXPECT_STREQ(ackStatusName(AckStatus::kStored), "stored");
  EXPECT_STREQ(ackStatusName(AckStatus::kDuplicate), "duplicate");
  EXPECT_STREQ(ackStatusName(AckStatus::kResync), "resync");
  EXPECT_STREQ(ackStatusName(AckStatus::kGap), "gap");
  EXPECT_STREQ(ackStatusName(AckStatus::kRejected), "rejected");
}

TEST(AgentLinkCodecTest, WelcomeRoundTrip) {
  auto decoded = roundTripController(WelcomeData{"0.1.0", 12345678901ull});
  ASSERT_TRUE(std::holds_alternative<WelcomeData>(decoded));
  const auto& got = std::get<WelcomeData>(decoded);
  EXPECT_EQ(got.controller_version, "0.1.0");
  EXPECT_EQ(got.last_sequence, 12345678901ull);
  EXPECT_FALSE(got.reads_uniform_timestamps);  // what a controller without the field says
  auto uniform = roundTripController(WelcomeData{"0.2.0", 1, /*reads_uniform_timestamps=*/true});
  EXPECT_TRUE(std::get<WelcomeData>(uniform).reads_uniform_timestamps);
}

TEST(AgentLinkCodecTest, UnknownAckStatusIsWireError) {
  capnp::MallocMessageBuilder builder;
  auto ack = builder.initRoot<schema::ControllerMessage>().initAck();
  ack.setStatus(static_cast<schema::Ack::Status>(77));
  auto frame = toFrame(builder);
  try {
    decodeControllerMessage(frame.data(), frame.size());
    FAIL() << "expected WireError";
  } catch (const WireError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown ack status 77"));
  }
}

TEST(AgentLinkCodecTest, TuningCommandRoundTripBothActions) {
  for (TuningAction action : {TuningAction::kApply, TuningAction::kRollback}) {
    TuningCommandData command{77, action, "block.scheduler:nvme0n1", "none", 7'200'000};
    const auto decoded = roundTripController(command);
    const auto& got = std::get<TuningCommandData>(decoded);
    EXPECT_EQ(got.change_id, 77u);
    EXPECT_EQ(got.action, action);
    EXPECT_EQ(got.knob, "block.scheduler:nvme0n1");
    EXPECT_EQ(got.value, "none");
    EXPECT_EQ(got.timeout_ms, 7'200'000);
  }
  EXPECT_STREQ(tuningActionName(TuningAction::kRollback), "rollback");
}

TEST(AgentLinkCodecTest, TuningResultRoundTripEveryOutcome) {
  for (TuningOutcome outcome : {TuningOutcome::kApplied, TuningOutcome::kRolledBack,
                                TuningOutcome::kRefused, TuningOutcome::kFailed,
                                TuningOutcome::kUnavailable}) {
    TuningResultData result;
    result.host_id = "web-01";
    result.change_id = 9;
    result.action = TuningAction::kRollback;
    result.outcome = outcome;
    result.knob = "vm.dirty_ratio";
    result.previous = "20";
    result.current = "40";
    result.reason = "verification failed: wrote 40, read back 20; restored 20";
    result.restore_command = "sysctl -w vm.dirty_ratio=20";
    result.at_ms = 1'763'900'000'123;
    const auto decoded = roundTripAgent(result);
    const auto& got = std::get<TuningResultData>(decoded);
    EXPECT_EQ(got.outcome, outcome) << tuningOutcomeName(outcome);
    EXPECT_EQ(got.action, TuningAction::kRollback);
    EXPECT_EQ(got.host_id, "web-01");
    EXPECT_EQ(got.change_id, 9u);
    EXPECT_EQ(got.knob, result.knob);
    EXPECT_EQ(got.previous, "20");
    EXPECT_EQ(got.current, "40");
    EXPECT_EQ(got.reason, result.reason);
    EXPECT_EQ(got.restore_command, result.restore_command);
    EXPECT_EQ(got.at_ms, result.at_ms);
  }
  EXPECT_STREQ(tuningOutcomeName(TuningOutcome::kRolledBack), "rolled_back");
}

TEST(AgentLinkCodecTest, KnobReportRoundTrip) {
  KnobReportData report;
  report.host_id = "web-01";
  report.at_ms = 5;
  KnobStateData scheduler;
  scheduler.knob = "block.scheduler:sda";
  scheduler.value = "mq-deadline";
  scheduler.available = true;
  scheduler.choices = {"none", "mq-deadline", "bfq"};
  scheduler.facts = {{"rotational", "1"}, {"transport", "scsi"}};
  KnobStateData thp;
  thp.knob = "thp.enabled";
  thp.reason = "set on the kernel command line";
  KnobStateData swappiness;
  swappiness.knob = "vm.swappiness";
  swappiness.value = "30";
  swappiness.available = true;
  swappiness.applied_change_id = 4;
  swappiness.applied_value = "10";
  swappiness.drift = true;
  report.knobs = {scheduler, thp, swappiness};
  const auto decoded = roundTripAgent(report);
  const auto& got = std::get<KnobReportData>(decoded);
  EXPECT_EQ(got.host_id, "web-01");
  EXPECT_EQ(got.at_ms, 5);
  ASSERT_EQ(got.knobs.size(), 3u);
  EXPECT_EQ(got.knobs[0].choices, scheduler.choices);
  EXPECT_EQ(got.knobs[0].facts, scheduler.facts);
  EXPECT_FALSE(got.knobs[1].available);
  EXPECT_EQ(got.knobs[1].reason, thp.reason);
  EXPECT_EQ(got.knobs[2].applied_change_id, 4u);
  EXPECT_EQ(got.knobs[2].applied_value, "10");
  EXPECT_TRUE(got.knobs[2].drift);
}

TEST(AgentLinkCodecTest, UnknownTuningOutcomeIsWireError) {
  capnp::MallocMessageBuilder builder;
  auto result = builder.initRoot<schema::AgentMessage>().initTuningResult();
  result.setOutcome(static_cast<schema::TuningResult::Outcome>(40));
  auto frame = toFrame(builder);
  try {
    decodeAgentMessage(frame.data(), frame.size(), DecodeLimits{});
    FAIL() << "expected WireError";
  } catch (const WireError& e) {
    EXPECT_THAT(e.what(), HasSubstr("unknown tuning outcome 40"));
  }
}

TEST(AgentLinkCodecTest, RejectsEmptyAndUnalignedSizes) {
  auto frame = encodeAgentMessage(sampleBatch());
  EXPECT_THROW(decodeAgentMessage(frame.data(), 0, {}), WireError);
  EXPECT_THROW(decodeAgentMessage(frame.data(), frame.size() - 3, {}), WireError);
  EXPECT_THROW(decodeControllerMessage(frame.data(), 0), WireError);
  EXPECT_THROW(decodeControllerMessage(frame.data(), 12), WireError);
}

TEST(AgentLinkCodecTest, RejectsOversizedFrame) {
  auto frame = encodeAgentMessage(sampleBatch());
  DecodeLimits limits;
  limits.max_frame_bytes = frame.size() - 8;
  try {
    decodeAgentMessage(frame.data(), frame.size(), limits);
    FAIL() << "expected WireError";
  } catch (const WireError& e) {
    EXPECT_THAT(e.what(), HasSubstr("exceeds the limit"));
  }
  limits.max_frame_bytes = frame.size();
  EXPECT_NO_THROW(decodeAgentMessage(frame.data(), frame.size(), limits));
}

TEST(AgentLinkCodecTest, TraversalLimitTurnsIntoWireError) {
  MetricBatchData batch;
  batch.host_id = "h";
  for (uint32_t i = 0; i < 2000; ++i) {
    batch.series_ids.push_back(i);
    batch.timestamps_ms.push_back(i);
    batch.values.push_back(i);
  }
  auto frame = encodeAgentMessage(batch);
  DecodeLimits limits;
  limits.traversal_limit_words = 64;
  EXPECT_THROW(decodeAgentMessage(frame.data(), frame.size(), limits), WireError);
  EXPECT_NO_THROW(decodeAgentMessage(frame.data(), frame.size(), DecodeLimits{}));
}

TEST(AgentLinkCodecTest, NestingLimitTurnsIntoWireError) {
  auto frame = encodeAgentMessage(sampleBatch());
  DecodeLimits limits;
  limits.nesting_limit = 1;
  EXPECT_THROW(decodeAgentMessage(frame.data(), frame.size(), limits), WireError);
}

TEST(AgentLinkCodecTest, ColumnLengthsDifferIsWireError) {
  capnp::MallocMessageBuilder builder;
  auto batch = builder.initRoot<schema::AgentMessage>().initBatch();
  batch.setHostId("web-1");
  batch.setSequence(5);
  auto ids = batch.initSeriesIds(3);
  auto timestamps = batch.initTimestampsMs(2);
  auto values = batch.initValues(3);
  for (unsigned i = 0; i < 3; ++i) {
    ids.set(i, i);
    values.set(i, i);
  }
  timestamps.set(0, 1);
  timestamps.set(1, 2);
  auto frame = toFrame(builder);
  try {
    decodeAgentMessage(frame.data(), frame.size(), {});
    FAIL() << "expected WireError";
  } catch (const WireError& e) {
    EXPECT_THAT(e.what(), HasSubstr("column lengths differ"));
    EXPECT_THAT(e.what(), HasSubstr("web-1"));
    EXPECT_THAT(e.what(), HasSubstr("timestamps 2"));
  }
}

TEST(AgentLinkCodecTest, ValuesColumnShorterIsWireError) {
  capnp::MallocMessageBuilder builder;
  auto batch = builder.initRoot<schema::AgentMessage>().initBatch();
  batch.initSeriesIds(2);
  batch.initTimestampsMs(2);
  batch.initValues(1);
  auto frame = toFrame(builder);
  EXPECT_THROW(decodeAgentMessage(frame.data(), frame.size(), {}), WireError);
}

TEST(AgentLinkCodecTest, MisalignedBufferDecodes) {
  auto batch = sampleBatch();
  auto frame = encodeAgentMessage(batch);
  std::vector<capnp::word> storage(frame.size() / 8 + 2);
  for (size_t offset : {1, 2, 5, 7}) {
    char* base = reinterpret_cast<char*>(storage.data()) + offset;
    std::memcpy(base, frame.data(), frame.size());
    auto decoded = decodeAgentMessage(base, frame.size(), {});
    ASSERT_TRUE(std::holds_alternative<MetricBatchData>(decoded)) << offset;
    expectSameBatch(std::get<MetricBatchData>(decoded), batch);
  }
  auto ack_frame = encodeControllerMessage(AckData{3, AckStatus::kGap, 2, ""});
  char* base = reinterpret_cast<char*>(storage.data()) + 1;
  std::memcpy(base, ack_frame.data(), ack_frame.size());
  auto ack = decodeControllerMessage(base, ack_frame.size());
  ASSERT_TRUE(std::holds_alternative<AckData>(ack));
  EXPECT_EQ(std::get<AckData>(ack).status, AckStatus::kGap);
  EXPECT_EQ(std::get<AckData>(ack).expected_sequence, 2u);
}

// Decodes `bytes` with both decoders; anything but success or WireError fails the test.
void decodeUntrusted(const std::vector<capnp::word>& words, size_t size, size_t& rejected) {
  DecodeLimits limits;
  limits.traversal_limit_words = 1u << 16;  // keep hostile amplification cheap in tests
  try {
    decodeAgentMessage(words.data(), size, limits);
  } catch (const WireError&) {
    ++rejected;
  }
  try {
    decodeControllerMessage(words.data(), size);
  } catch (const WireError&) {
    ++rejected;
  }
}

TEST(AgentLinkCodecTest, RandomGarbageOnlyEverThrowsWireError) {
  std::mt19937_64 random(20240613);
  size_t rejected = 0;
  constexpr int kRounds = 4000;
  for (int round = 0; round < kRounds; ++round) {
    size_t size = random() % 257;
    if (round % 4 != 0) size &= ~size_t{7};  // mostly whole words, to get past the size check
    std::vector<capnp::word> words(size / 8 + 1);
    auto* bytes = reinterpret_cast<unsigned char*>(words.data());
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<unsigned char>(random());
    if (round % 2 == 0 && size >= 8) {
      // A plausible segment table (one segment of the right length) gets the bytes past
      // the framing checks and into pointer validation.
      uint32_t header[2] = {0, static_cast<uint32_t>(size / 8 - 1)};
      std::memcpy(bytes, header, sizeof header);
    }
    ASSERT_NO_FATAL_FAILURE(decodeUntrusted(words, size, rejected));
  }
  EXPECT_GT(rejected, static_cast<size_t>(kRounds));  // most of the garbage is refused
}

TEST(AgentLinkCodecTest, MutatedValidFramesOnlyEverThrowWireError) {
  auto frame = encodeAgentMessage(sampleBatch());
  const size_t size = frame.size();
  std::mt19937_64 random(7);
  size_t rejected = 0;
  for (int round = 0; round < 3000; ++round) {
    std::vector<capnp::word> words(size / 8);
    std::memcpy(words.data(), frame.data(), size);
    auto* bytes = reinterpret_cast<unsigned char*>(words.data());
    int flips = 1 + static_cast<int>(random() % 8);
    for (int f = 0; f < flips; ++f) bytes[random() % size] = static_cast<unsigned char>(random());
    ASSERT_NO_FATAL_FAILURE(decodeUntrusted(words, size, rejected));
  }
  EXPECT_GT(rejected, 0u);
}

TEST(AgentLinkCodecTest, TruncatedFramesOnlyEverThrowWireError) {
  auto frame = encodeAgentMessage(sampleBatch());
  std::vector<capnp::word> words(frame.size() / 8);
  std::memcpy(words.data(), frame.data(), frame.size());
  for (size_t size = 8; size < frame.size(); size += 8) {
    EXPECT_THROW(decodeAgentMessage(words.data(), size, {}), WireError) << size;
  }
}

// Found by the fuzzer (tests/fuzz): a 300-byte Hello whose facts list claims a huge
// number of zero-size elements. Capn Proto accepts it; decoding it would allocate
// millions of facts.
TEST(AgentLinkCodecTest, ZeroSizeListElementsAreRefused) {
  const std::string path =
      std::string(TIDEMARK_FIXTURES_DIR) + "/../fuzz/corpus/agent_message_fuzz/regression_hello_zero_size_facts";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<capnp::word> aligned(bytes.size() / sizeof(capnp::word));
  std::memcpy(aligned.data(), bytes.data(), aligned.size() * sizeof(capnp::word));
  try {
    decodeAgentMessage(aligned.data(), aligned.size() * sizeof(capnp::word), DecodeLimits{});
    FAIL() << "expected WireError";
  } catch (const WireError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot fit in the frame"));
  }
}

}  // namespace
}  // namespace tidemark::wire
