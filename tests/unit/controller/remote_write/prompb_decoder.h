// Test-only: decodes a remote-write WriteRequest back into plain structs, strictly
// (every field number and wire type is checked), to test the hand-written encoder.
#pragma once

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tidemark::controller::remote_write::testing {

struct DecodedSample {
  double value = 0;
  int64_t timestamp_ms = 0;
};
struct DecodedSeries {
  std::vector<std::pair<std::string, std::string>> labels;
  std::vector<DecodedSample> samples;
};

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) : data_(data) {}
  bool done() const { return offset_ == data_.size(); }
  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (offset_ >= data_.size()) throw std::runtime_error("truncated varint");
      const uint8_t byte = static_cast<uint8_t>(data_[offset_++]);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("varint too long");
  }
  // Reads a key and checks it is (field, wire type).
  void expectKey(uint32_t field, uint32_t wire_type) {
    const uint64_t key = varint();
    if (key != ((field << 3) | wire_type)) {
      throw std::runtime_error("key " + std::to_string(key) + ", expected field " +
                               std::to_string(field) + " wire type " + std::to_string(wire_type));
    }
  }
  uint32_t peekField() const { return static_cast<uint8_t>(data_[offset_]) >> 3; }
  std::string_view bytes() {
    const uint64_t length = varint();
    if (data_.size() - offset_ < length) throw std::runtime_error("truncated bytes");
    std::string_view out = data_.substr(offset_, length);
    offset_ += length;
    return out;
  }
  double fixed64Double() {
    if (data_.size() - offset_ < 8) throw std::runtime_error("truncated fixed64");
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(data_[offset_ + i])) << (8 * i);
    offset_ += 8;
    double value;
    std::memcpy(&value, &bits, 8);
    return value;
  }

 private:
  std::string_view data_;
  size_t offset_ = 0;
};

inline std::vector<DecodedSeries> decodeWriteRequest(std::string_view data) {
  std::vector<DecodedSeries> out;
  ProtoReader request(data);
  while (!request.done()) {
    request.expectKey(1, 2);
    ProtoReader series(request.bytes());
    DecodedSeries decoded;
    while (!series.done()) {
      if (series.peekField() == 1) {
        series.expectKey(1, 2);
        ProtoReader label(series.bytes());
        label.expectKey(1, 2);
        std::string name(label.bytes());
        label.expectKey(2, 2);
        std::string value(label.bytes());
        if (!label.done()) throw std::runtime_error("extra bytes in a label");
        decoded.labels.emplace_back(std::move(name), std::move(value));
      } else {
        series.expectKey(2, 2);
        ProtoReader sample(series.bytes());
        DecodedSample s;
        sample.expectKey(1, 1);
        s.value = sample.fixed64Double();
        sample.expectKey(2, 0);
        s.timestamp_ms = static_cast<int64_t>(sample.varint());
        if (!sample.done()) throw std::runtime_error("extra bytes in a sample");
        decoded.samples.push_back(s);
      }
    }
    out.push_back(std::move(decoded));
  }
  return out;
}

}  // namespace tidemark::controller::remote_write::testing
