#include "controller/remote_write/write_request_encoder.h"

#include <cstring>

namespace tidemark::controller::remote_write {
namespace {

// Field keys: (field number << 3) | wire type (0 varint, 1 fixed64, 2 length-delimited).
constexpr uint8_t kTimeseriesKey = (1 << 3) | 2;   // WriteRequest.timeseries
constexpr uint8_t kLabelKey = (1 << 3) | 2;        // TimeSeries.labels
constexpr uint8_t kSampleKey = (2 << 3) | 2;       // TimeSeries.samples
constexpr uint8_t kNameKey = (1 << 3) | 2;         // Label.name
constexpr uint8_t kValueKey = (2 << 3) | 2;        // Label.value
constexpr uint8_t kSampleValueKey = (1 << 3) | 1;  // Sample.value (double)
constexpr uint8_t kTimestampKey = (2 << 3) | 0;    // Sample.timestamp (int64)

size_t labelSize(const LabelView& label) {
  return 1 + varintSize(label.name.size()) + label.name.size() + 1 +
         varintSize(label.value.size()) + label.value.size();
}

size_t sampleSize(int64_t timestamp_ms) {
  // int64 is a varint of its two's complement: 10 bytes when negative.
  return 1 + 8 + 1 + varintSize(static_cast<uint64_t>(timestamp_ms));
}

char* putVarint(char* out, uint64_t value) {
  while (value >= 0x80) {
    *out++ = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  *out++ = static_cast<char>(value);
  return out;
}

char* putBytes(char* out, uint8_t key, std::string_view bytes) {
  *out++ = static_cast<char>(key);
  out = putVarint(out, bytes.size());
  std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}

}  // namespace

size_t varintSize(uint64_t value) {
  size_t size = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++size;
  }
  return size;
}

void WriteRequestEncoder::addSeries(std::span<const LabelView> labels,
                                    std::span<const int64_t> timestamps_ms,
                                    std::span<const double> values) {
  // Sizes first, so every length prefix is written once, in place: no nested buffers.
  size_t series_size = 0;
  for (const auto& label : labels) {
    const size_t size = labelSize(label);
    series_size += 1 + varintSize(size) + size;
  }
  for (int64_t timestamp : timestamps_ms) {
    const size_t size = sampleSize(timestamp);
    series_size += 1 + varintSize(size) + size;
  }
  const size_t start = buffer_.size();
  buffer_.resize(start + 1 + varintSize(series_size) + series_size);
  char* out = buffer_.data() + start;
  *out++ = static_cast<char>(kTimeseriesKey);
  out = putVarint(out, series_size);
  for (const auto& label : labels) {
    *out++ = static_cast<char>(kLabelKey);
    out = putVarint(out, labelSize(label));
    out = putBytes(out, kNameKey, label.name);
    out = putBytes(out, kValueKey, label.value);
  }
  for (size_t i = 0; i < timestamps_ms.size(); ++i) {
    *out++ = static_cast<char>(kSampleKey);
    out = putVarint(out, sampleSize(timestamps_ms[i]));
    *out++ = static_cast<char>(kSampleValueKey);
    uint64_t bits;
    std::memcpy(&bits, &values[i], 8);
    for (int byte = 0; byte < 8; ++byte) *out++ = static_cast<char>(bits >> (8 * byte));
    *out++ = static_cast<char>(kTimestampKey);
    out = putVarint(out, static_cast<uint64_t>(timestamps_ms[i]));
  }
}

}  // namespace tidemark::controller::remote_write
