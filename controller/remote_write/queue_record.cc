#include "controller/remote_write/queue_record.h"

#include <cstring>

#include "common/checksum/crc32c.h"

namespace tidemark::controller::remote_write {
namespace {

constexpr char kMagic[4] = {'T', 'R', 'W', '1'};

void putU32(char* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (8 * i));
}
void putU64(char* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (8 * i));
}
uint32_t getU32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  return value;
}
uint64_t getU64(const char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i)
    value |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  return value;
}

uint32_t recordCrc(const char* header_bytes, std::string_view payload) {
  return crc32c(crc32c(0, header_bytes, 20), payload.data(), payload.size());
}

}  // namespace

void appendQueueRecord(std::string& out, std::string_view payload, uint32_t samples,
                       int64_t enqueued_ms) {
  char header[kQueueRecordHeaderBytes];
  std::memcpy(header, kMagic, 4);
  putU32(header + 4, static_cast<uint32_t>(payload.size()));
  putU32(header + 8, samples);
  putU64(header + 12, static_cast<uint64_t>(enqueued_ms));
  putU32(header + 20, recordCrc(header, payload));
  out.append(header, sizeof header);
  out.append(payload);
}

bool parseQueueRecordHeader(const char* data, QueueRecordHeader& header) {
  if (std::memcmp(data, kMagic, 4) != 0) return false;
  header.payload_bytes = getU32(data + 4);
  header.samples = getU32(data + 8);
  header.enqueued_ms = static_cast<int64_t>(getU64(data + 12));
  header.crc = getU32(data + 20);
  return header.payload_bytes <= kMaxQueueRecordPayload;
}

bool queueRecordIntact(const char* header_bytes, const QueueRecordHeader& header,
                       std::string_view payload) {
  return payload.size() == header.payload_bytes && recordCrc(header_bytes, payload) == header.crc;
}

QueueSegmentScan scanQueueSegment(std::string_view data, size_t from) {
  QueueSegmentScan scan;
  scan.clean_size = from;
  size_t offset = from;
  bool in_damage = false;
  while (offset + kQueueRecordHeaderBytes <= data.size()) {
    QueueRecordHeader header;
    const char* at = data.data() + offset;
    if (parseQueueRecordHeader(at, header) &&
        offset + kQueueRecordHeaderBytes + header.payload_bytes <= data.size() &&
        queueRecordIntact(at, header,
                          data.substr(offset + kQueueRecordHeaderBytes, header.payload_bytes))) {
      scan.records.push_back({offset, header});
      offset += kQueueRecordHeaderBytes + header.payload_bytes;
      scan.clean_size = offset;
      in_damage = false;
      continue;
    }
    if (!in_damage) ++scan.damaged_regions;
    in_damage = true;
    // Resume at the next magic: a damaged length must not make us skip good records.
    const size_t next = data.find(std::string_view(kMagic, 4), offset + 1);
    if (next == std::string_view::npos) break;
    offset = next;
  }
  if (!in_damage && scan.clean_size < data.size()) ++scan.damaged_regions;  // a torn tail
  return scan;
}

}  // namespace tidemark::controller::remote_write
