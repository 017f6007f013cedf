#include "agent/outbox/outbox_record.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/checksum/crc32c.h"

namespace tidemark::agent {

namespace {

constexpr uint32_t kMagic = 0x31524D54;  // "TMR1" as little-endian bytes
// Version 1 stores a time per sample; version 2 one time for all of them.
constexpr uint8_t kPerSampleTimes = 1;
constexpr uint8_t kUniformTime = 2;
// version, epoch, sequence, host id length, sample count
constexpr size_t kFixedPayload = 1 + 8 + 8 + 4 + 4;
constexpr size_t kBytesPerSample = 4 + 8 + 8;
constexpr size_t kBytesPerUniformSample = 4 + 8;

template <typename T>
T byteswap(T value) {
  if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(value)));
  if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(value)));
  return value;
}

template <typename T>
void putLe(std::string& out, T value) {
  if constexpr (std::endian::native == std::endian::big) value = byteswap(value);
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

template <typename T>
T getLe(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  if constexpr (std::endian::native == std::endian::big) value = byteswap(value);
  return value;
}

template <typename T>
void putColumn(std::string& out, const std::vector<T>& column) {
  if constexpr (std::endian::native == std::endian::little) {
    out.append(reinterpret_cast<const char*>(column.data()), column.size() * sizeof(T));
  } else {
    for (T value : column) {
      if constexpr (std::is_floating_point_v<T>) {
        putLe(out, std::bit_cast<uint64_t>(value));
      } else {
        putLe(out, value);
      }
    }
  }
}

template <typename T>
void getColumn(const uint8_t* p, size_t count, std::vector<T>& column) {
  column.resize(count);
  if constexpr (std::endian::native == std::endian::little) {
    if (count > 0) std::memcpy(column.data(), p, count * sizeof(T));
  } else {
    for (size_t i = 0; i < count; ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        column[i] = std::bit_cast<T>(getLe<uint64_t>(p + i * sizeof(T)));
      } else {
        column[i] = getLe<T>(p + i * sizeof(T));
      }
    }
  }
}

// The one place that knows how long each version's payload is, for writing and checking.
uint64_t payloadBytes(bool uniform, uint64_t host_length, uint64_t samples) {
  return uniform ? kFixedPayload + 8 + host_length + samples * kBytesPerUniformSample
                 : kFixedPayload + host_length + samples * kBytesPerSample;
}

bool decodePayload(const uint8_t* p, size_t size, wire::MetricBatchData& batch) {
  if (size < kFixedPayload || (p[0] != kPerSampleTimes && p[0] != kUniformTime)) return false;
  const bool uniform = p[0] == kUniformTime;
  batch.epoch = getLe<uint64_t>(p + 1);
  batch.sequence = getLe<uint64_t>(p + 9);
  const uint32_t host_length = getLe<uint32_t>(p + 17);
  if (host_length > size - kFixedPayload) return false;
  batch.host_id.assign(reinterpret_cast<const char*>(p + 21), host_length);
  const uint8_t* q = p + 21 + host_length;
  const uint64_t samples = getLe<uint32_t>(q);
  q += 4;
  if (size != payloadBytes(uniform, host_length, samples)) return false;
  if (uniform) {
    batch.timestamp_ms = getLe<int64_t>(q);
    q += 8;
    batch.timestamps_ms.clear();
  }
  getColumn(q, samples, batch.series_ids);
  q += samples * 4;
  if (!uniform) {
    getColumn(q, samples, batch.timestamps_ms);
    q += samples * 8;
  }
  getColumn(q, samples, batch.values);
  batch.announcements.clear();
  batch.oldest_pending = 0;
  return true;
}

uint32_t recordCrc(const uint8_t* header, const uint8_t* payload, size_t size) {
  return crc32c(crc32c(0, header, 8), payload, size);
}

enum class Check { kGood, kIncomplete, kBadMagic, kBadLength, kBadChecksum };

Check checkRecord(const uint8_t* p, size_t available, size_t& payload_size) {
  if (available < 4) return Check::kIncomplete;
  if (getLe<uint32_t>(p) != kMagic) return Check::kBadMagic;
  if (available < kRecordHeaderBytes) return Check::kIncomplete;
  payload_size = getLe<uint32_t>(p + 4);
  if (payload_size > kMaxRecordPayload || payload_size < kFixedPayload) return Check::kBadLength;
  if (available - kRecordHeaderBytes < payload_size) return Check::kIncomplete;
  if (recordCrc(p, p + kRecordHeaderBytes, payload_size) != getLe<uint32_t>(p + 8)) {
    return Check::kBadChecksum;
  }
  return Check::kGood;
}

}  // namespace

size_t recordBytes(const wire::MetricBatchData& batch) {
  return kRecordHeaderBytes +
         payloadBytes(batch.timestamps_ms.empty(), batch.host_id.size(), batch.values.size());
}

void appendRecord(const wire::MetricBatchData& batch, std::string& out) {
  const size_t start = out.size();
  const size_t payload = recordBytes(batch) - kRecordHeaderBytes;
  out.reserve(start + kRecordHeaderBytes + payload);
  putLe<uint32_t>(out, kMagic);
  putLe<uint32_t>(out, static_cast<uint32_t>(payload));
  putLe<uint32_t>(out, 0);  // the CRC, below
  const bool uniform = batch.timestamps_ms.empty();
  out.push_back(static_cast<char>(uniform ? kUniformTime : kPerSampleTimes));
  putLe<uint64_t>(out, batch.epoch);
  putLe<uint64_t>(out, batch.sequence);
  putLe<uint32_t>(out, static_cast<uint32_t>(batch.host_id.size()));
  out.append(batch.host_id);
  putLe<uint32_t>(out, static_cast<uint32_t>(batch.values.size()));
  if (uniform) putLe<int64_t>(out, batch.timestamp_ms);
  putColumn(out, batch.series_ids);
  if (!uniform) putColumn(out, batch.timestamps_ms);
  putColumn(out, batch.values);
  auto* p = reinterpret_cast<uint8_t*>(out.data() + start);
  uint32_t crc = recordCrc(p, p + kRecordHeaderBytes, payload);
  if constexpr (std::endian::native == std::endian::big) crc = byteswap(crc);
  std::memcpy(p + 8, &crc, 4);
}

SegmentScan scanSegment(std::string_view data) {
  SegmentScan scan;
  const auto* base = reinterpret_cast<const uint8_t*>(data.data());
  const size_t size = data.size();
  size_t offset = 0;
  scan.clean_size = size;
  while (offset < size) {
    size_t payload = 0;
    const Check check = checkRecord(base + offset, size - offset, payload);
    if (check == Check::kGood) {
      ScannedRecord record;
      record.offset = offset;
      record.bytes = kRecordHeaderBytes + payload;
      if (decodePayload(base + offset + kRecordHeaderBytes, payload, record.batch)) {
        scan.records.push_back(std::move(record));
      } else {
        scan.skipped.push_back({offset, record.bytes, SkippedRegion::Kind::kUndecodable});
      }
      offset += kRecordHeaderBytes + payload;
      continue;
    }
    // Damage: look for the next good record after it.
    size_t next = offset + 1;
    for (; next < size; ++next) {
      size_t ignored = 0;
      if (base[next] == (kMagic & 0xFF) && checkRecord(base + next, size - next, ignored) == Check::kGood) {
        break;
      }
    }
    SkippedRegion::Kind kind = SkippedRegion::Kind::kGarbage;
    if (check == Check::kBadChecksum) {
      kind = SkippedRegion::Kind::kBadChecksum;
    } else if (next == size &&
               (check == Check::kIncomplete ||
                std::all_of(base + offset, base + size, [](uint8_t b) { return b == 0; }))) {
      // Cut short, or zeros where a filesystem extended the file but lost the data.
      kind = SkippedRegion::Kind::kTornTail;
    }
    scan.skipped.push_back({offset, next - offset, kind});
    if (next == size) scan.clean_size = offset;
    offset = next;
  }
  return scan;
}

const char* skippedKindName(SkippedRegion::Kind kind) {
  switch (kind) {
    case SkippedRegion::Kind::kBadChecksum: return "bad CRC";
    case SkippedRegion::Kind::kTornTail: return "torn tail (a crash mid-append)";
    case SkippedRegion::Kind::kUndecodable: return "undecodable payload";
    case SkippedRegion::Kind::kGarbage: return "not a record";
  }
  return "?";
}

}  // namespace tidemark::agent
