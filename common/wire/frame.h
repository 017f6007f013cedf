// Cap'n Proto messages <-> ZeroMQ frames. One frame carries one flat (unpacked)
// message. Decoding treats the bytes as untrusted: it checks the size, copies into
// aligned words when the frame is not 8-byte aligned, and applies explicit
// traversal and nesting limits, so a hostile peer costs bounded work.
#pragma once

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>

#include <cstddef>
#include <optional>
#include <zmq.hpp>

namespace tidemark::wire {

// Limits for messages from agents. A 10 s batch of a host with a thousand series is
// about 40 KiB; the defaults leave two orders of magnitude of room.
struct DecodeLimits {
  // Largest frame accepted, in bytes. Default: 16 MiB.
  size_t max_frame_bytes = 16u << 20;
  // Cap'n Proto traversal limit in 8-byte words (guards amplification). Default: 4 Mi words (32 MiB).
  uint64_t traversal_limit_words = 4u << 20;
  // Cap'n Proto nesting limit. Default: 16 (our schemas nest at most 4 deep).
  int nesting_limit = 16;
};

// Serialises `builder` into a new ZeroMQ frame.
zmq::message_t toFrame(capnp::MessageBuilder& builder);

// A decoded frame. Construction throws WireError when the frame is too large, not a
// whole number of words, or its segment table is malformed. Reading fields of a
// hostile message can still throw kj::Exception; callers reading untrusted input
// catch it at the edge.
class FrameReader {
 public:
  FrameReader(const void* data, size_t size, const DecodeLimits& limits = {});

  template <typename T>
  typename T::Reader root() {
    return reader_->getRoot<T>();
  }

 private:
  kj::Array<capnp::word> aligned_copy_;
  std::optional<capnp::FlatArrayMessageReader> reader_;
};

}  // namespace tidemark::wire
