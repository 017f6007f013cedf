#include "common/wire/frame.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <capnp/message.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/errors/error.h"
#include "schemas/agent_link.capnp.h"

namespace tidemark::wire {
namespace {

using ::testing::HasSubstr;

zmq::message_t welcomeFrame(const std::string& version, uint64_t last_sequence) {
  capnp::MallocMessageBuilder builder;
  auto welcome = builder.initRoot<schema::ControllerMessage>().initWelcome();
  welcome.setControllerVersion(version);
  welcome.setLastSequence(last_sequence);
  return toFrame(builder);
}

std::string wireErrorOf(const void* data, size_t size, const DecodeLimits& limits = {}) {
  try {
    FrameReader reader(data, size, limits);
  } catch (const WireError& e) {
    return e.what();
  }
  return "";
}

TEST(FrameTest, ToFrameIsWholeWordsAndReadsBack) {
  auto frame = welcomeFrame("1.2.3", 42);
  ASSERT_GT(frame.size(), 0u);
  EXPECT_EQ(frame.size() % 8, 0u);
  FrameReader reader(frame.data(), frame.size());
  auto root = reader.root<schema::ControllerMessage>();
  ASSERT_EQ(root.which(), schema::ControllerMessage::WELCOME);
  EXPECT_EQ(std::string(root.getWelcome().getControllerVersion().cStr()), "1.2.3");
  EXPECT_EQ(root.getWelcome().getLastSequence(), 42u);
}

TEST(FrameTest, RejectsEmptyFrame) {
  char byte = 0;
  EXPECT_THAT(wireErrorOf(&byte, 0), HasSubstr("empty frame"));
  EXPECT_THAT(wireErrorOf(nullptr, 0), HasSubstr("empty frame"));
}

TEST(FrameTest, RejectsSizeNotMultipleOfWord) {
  auto frame = welcomeFrame("v", 1);
  for (size_t size : {size_t{1}, size_t{7}, size_t{9}, frame.size() - 1}) {
    EXPECT_THAT(wireErrorOf(frame.data(), size), HasSubstr("not a whole number of 8-byte words"))
        << size;
  }
}

TEST(FrameTest, RejectsOversizedFrame) {
  auto frame = welcomeFrame(std::string(200, 'x'), 1);
  DecodeLimits limits;
  limits.max_frame_bytes = frame.size() - 8;
  EXPECT_THAT(wireErrorOf(frame.data(), frame.size(), limits), HasSubstr("exceeds the limit"));
  limits.max_frame_bytes = frame.size();  // exactly at the limit is fine
  EXPECT_EQ(wireErrorOf(frame.data(), frame.size(), limits), "");
}

TEST(FrameTest, RejectsMalformedSegmentTable) {
  // Claims 2^32 segments in one word.
  std::vector<capnp::word> words(1);
  std::memset(reinterpret_cast<char*>(words.data()), 0xff, 8);
  EXPECT_THAT(wireErrorOf(words.data(), 8), HasSubstr("malformed"));
  // One segment that claims to be longer than the frame.
  std::vector<capnp::word> short_segment(2);
  uint32_t header[2] = {0, 1000};
  std::memcpy(short_segment.data(), header, sizeof header);
  EXPECT_THAT(wireErrorOf(short_segment.data(), 16), HasSubstr("malformed"));
}

TEST(FrameTest, MisalignedBufferIsCopiedAndDecodes) {
  auto frame = welcomeFrame("misaligned", 7);
  std::vector<capnp::word> storage(frame.size() / 8 + 2);
  char* base = reinterpret_cast<char*>(storage.data()) + 1;
  std::memcpy(base, frame.data(), frame.size());
  FrameReader reader(base, frame.size());
  auto root = reader.root<schema::ControllerMessage>();
  ASSERT_EQ(root.which(), schema::ControllerMessage::WELCOME);
  EXPECT_EQ(std::string(root.getWelcome().getControllerVersion().cStr()), "misaligned");
  EXPECT_EQ(root.getWelcome().getLastSequence(), 7u);
}

TEST(FrameTest, ReaderOwnsItsAlignedCopy) {
  auto frame = welcomeFrame("copy", 9);
  std::vector<capnp::word> storage(frame.size() / 8 + 2);
  char* base = reinterpret_cast<char*>(storage.data()) + 3;
  std::memcpy(base, frame.data(), frame.size());
  FrameReader reader(base, frame.size());
  // Scribbling over the source afterwards does not affect the reader.
  std::memset(base, 0xAB, frame.size());
  auto root = reader.root<schema::ControllerMessage>();
  EXPECT_EQ(root.getWelcome().getLastSequence(), 9u);
}

TEST(FrameTest, TraversalLimitApplies) {
  auto frame = welcomeFrame(std::string(4000, 'y'), 1);
  DecodeLimits limits;
  limits.traversal_limit_words = 16;
  FrameReader reader(frame.data(), frame.size(), limits);
  EXPECT_THROW(
      {
        auto root = reader.root<schema::ControllerMessage>();
        (void)root.getWelcome().getControllerVersion();
      },
      kj::Exception);
}

}  // namespace
}  // namespace tidemark::wire
