#include "common/wire/frame.h"

#include <kj/exception.h>
#include <kj/io.h>

#include <cstring>
#include <string>

#include "common/errors/error.h"

namespace tidemark::wire {

zmq::message_t toFrame(capnp::MessageBuilder& builder) {
  // Written straight into the frame: one copy of the segments, not two (a flat array,
  // then the frame), which counts for an import's 4 MiB requests.
  auto segments = builder.getSegmentsForOutput();
  zmq::message_t frame(capnp::computeSerializedSizeInWords(segments) * sizeof(capnp::word));
  kj::ArrayOutputStream out(kj::arrayPtr(static_cast<kj::byte*>(frame.data()), frame.size()));
  capnp::writeMessage(out, segments);
  return frame;
}

FrameReader::FrameReader(const void* data, size_t size, const DecodeLimits& limits) {
  if (size == 0) throw WireError("empty frame");
  if (size > limits.max_frame_bytes) {
    throw WireError("frame of " + std::to_string(size) + " bytes exceeds the limit of " +
                    std::to_string(limits.max_frame_bytes));
  }
  if (size % sizeof(capnp::word) != 0) {
    throw WireError("frame of " + std::to_string(size) +
                    " bytes is not a whole number of 8-byte words");
  }
  const size_t words = size / sizeof(capnp::word);
  const capnp::word* start = static_cast<const capnp::word*>(data);
  if (reinterpret_cast<uintptr_t>(data) % alignof(capnp::word) != 0) {
    aligned_copy_ = kj::heapArray<capnp::word>(words);
    std::memcpy(aligned_copy_.begin(), data, size);
    start = aligned_copy_.begin();
  }
  capnp::ReaderOptions options;
  options.traversalLimitInWords = limits.traversal_limit_words;
  options.nestingLimit = limits.nesting_limit;
  try {
    reader_.emplace(kj::ArrayPtr<const capnp::word>(start, words), options);
  } catch (const kj::Exception& e) {
    throw WireError("malformed Cap'n Proto frame: " + std::string(e.getDescription().cStr()));
  }
}

}  // namespace tidemark::wire
