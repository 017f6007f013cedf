// Fuzzes the controller's decoder of agent frames (Hello, MetricBatch). Only
// WireError may escape the decoder; a decoded message must survive an encode and
// decode round trip unchanged, and decoding must not depend on the frame's alignment.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "common/errors/error.h"
#include "common/wire/agent_link_codec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using tidemark::WireError;
using namespace tidemark::wire;

std::optional<AgentMessageData> decode(const void* data, size_t size,
                                       std::string* error = nullptr) {
  try {
    return decodeAgentMessage(data, size, DecodeLimits{});
  } catch (const WireError& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<AgentMessageData> message = decode(data, size);

  // The same bytes at an odd address take the aligned-copy path of FrameReader.
  auto shifted = std::make_unique<uint8_t[]>(size + 1);
  if (size > 0) std::memcpy(shifted.get() + 1, data, size);
  std::optional<AgentMessageData> unaligned = decode(shifted.get() + 1, size);
  if (message.has_value() != unaligned.has_value() ||
      (message && !tidemark::fuzz::equal(*message, *unaligned))) {
    tidemark::fuzz::finding("decoding depends on the alignment of the frame");
  }
  if (!message) return 0;

  zmq::message_t frame = encodeAgentMessage(*message);
  std::string error;
  std::optional<AgentMessageData> again = decode(frame.data(), frame.size(), &error);
  if (!again) {
    tidemark::fuzz::finding("a re-encoded agent message (" + std::to_string(frame.size()) +
                            " bytes from " + std::to_string(size) + ") does not decode: " + error);
  }
  if (!tidemark::fuzz::equal(*message, *again)) {
    tidemark::fuzz::finding("agent message changed in an encode/decode round trip");
  }
  return 0;
}
