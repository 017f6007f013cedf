#include "controller/store/head_log.h"

#include <cstring>

namespace tidemark::controller {

namespace {

void putVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool getVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

uint64_t zigzag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

int64_t unzigzag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

}  // namespace

void HeadLogWriter::add(uint64_t series_id, std::span<const int64_t> timestamps_ms,
                        std::span<const double> values) {
  putVarint(body_, series_id);
  putVarint(body_, timestamps_ms.size());
  int64_t previous = 0;
  for (size_t i = 0; i < timestamps_ms.size(); ++i) {
    // Deltas wrap instead of overflowing; the reader wraps them back.
    putVarint(body_, zigzag(static_cast<int64_t>(static_cast<uint64_t>(timestamps_ms[i]) -
                                                 static_cast<uint64_t>(previous))));
    previous = timestamps_ms[i];
    char bytes[sizeof(double)];
    std::memcpy(bytes, &values[i], sizeof bytes);
    body_.append(bytes, sizeof bytes);
  }
  ++runs_;
}

void HeadLogWriter::append(HeadLogWriter&& other) {
  body_ += other.body_;
  runs_ += other.runs_;
  other.body_.clear();
  other.runs_ = 0;
}

std::string HeadLogWriter::finish() {
  std::string record;
  putVarint(record, runs_);
  record += body_;
  body_.clear();
  runs_ = 0;
  return record;
}

bool decodeHeadLogRecord(std::string_view record, std::vector<HeadLogRun>& runs) {
  uint64_t count = 0;
  if (!getVarint(record, count)) return false;
  // Each run takes at least two bytes: a bound before reserving anything.
  if (count > record.size() / 2) return false;
  runs.clear();
  runs.reserve(count);
  for (uint64_t r = 0; r < count; ++r) {
    HeadLogRun run;
    uint64_t samples = 0;
    if (!getVarint(record, run.series_id) || !getVarint(record, samples)) return false;
    if (samples > record.size() / (1 + sizeof(double))) return false;
    run.timestamps_ms.reserve(samples);
    run.values.reserve(samples);
    int64_t previous = 0;
    for (uint64_t i = 0; i < samples; ++i) {
      uint64_t delta = 0;
      if (!getVarint(record, delta) || record.size() < sizeof(double)) return false;
      previous = static_cast<int64_t>(static_cast<uint64_t>(previous) +
                                      static_cast<uint64_t>(unzigzag(delta)));
      double value = 0;
      std::memcpy(&value, record.data(), sizeof value);
      record.remove_prefix(sizeof value);
      run.timestamps_ms.push_back(previous);
      run.values.push_back(value);
    }
    runs.push_back(std::move(run));
  }
  return record.empty();
}

}  // namespace tidemark::controller
