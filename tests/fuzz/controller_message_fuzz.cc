// Fuzzes the agent's decoder of controller frames (Ack, Welcome). Only WireError may
// escape; a decoded message must survive an encode and decode round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/errors/error.h"
#include "common/wire/agent_link_codec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using tidemark::WireError;
using namespace tidemark::wire;

std::optional<ControllerMessageData> decode(const void* data, size_t size) {
  try {
    return decodeControllerMessage(data, size);
  } catch (const WireError&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::optional<ControllerMessageData> message = decode(data, size);
  if (!message) return 0;
  if (const auto* ack = std::get_if<AckData>(&*message);
      ack && !tidemark::fuzz::validStatus(ack->status)) {
    tidemark::fuzz::finding("decoded an ack with a status outside the enum");
  }
  zmq::message_t frame = encodeControllerMessage(*message);
  std::optional<ControllerMessageData> again = decode(frame.data(), frame.size());
  if (!again) tidemark::fuzz::finding("a re-encoded controller message does not decode");
  if (!tidemark::fuzz::equal(*message, *again)) {
    tidemark::fuzz::finding("controller message changed in an encode/decode round trip");
  }
  return 0;
}
