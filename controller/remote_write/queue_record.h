// One record of the remote-write queue (a segment file is records back to back):
//
//   offset 0   u32  magic "TRW1"
//          4   u32  payload length N
//          8   u32  samples in the payload
//         12   i64  when the samples were enqueued (unix ms): the queue's lag
//         20   u32  CRC-32C of bytes 0..19 and the payload
//         24   N    payload (export_record.h)
//
// All little-endian. The sample count and enqueue time sit in the header so that the
// queue counts and ages its records without decoding payloads; the magic lets a
// reader find the next record after a damaged one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::controller::remote_write {

constexpr size_t kQueueRecordHeaderBytes = 24;
// Far above any record the exporter writes (batch_size samples); a larger length is damage.
constexpr uint32_t kMaxQueueRecordPayload = 64u << 20;

struct QueueRecordHeader {
  uint32_t payload_bytes = 0;
  uint32_t samples = 0;
  int64_t enqueued_ms = 0;
  uint32_t crc = 0;
};

// Appends a whole record (header and payload) to `out`.
void appendQueueRecord(std::string& out, std::string_view payload, uint32_t samples,
                       int64_t enqueued_ms);

// Reads a header from `data` (at least kQueueRecordHeaderBytes); false when the magic
// is wrong or the length is impossible.
bool parseQueueRecordHeader(const char* data, QueueRecordHeader& header);

// True when `payload` matches the CRC of `header` (read from `header_bytes`).
bool queueRecordIntact(const char* header_bytes, const QueueRecordHeader& header,
                       std::string_view payload);

struct ScannedQueueRecord {
  size_t offset = 0;  // of the header, in the segment
  QueueRecordHeader header;
};

struct QueueSegmentScan {
  std::vector<ScannedQueueRecord> records;  // every intact record, in order
  size_t damaged_regions = 0;  // runs of bytes that are not intact records (torn tail included)
  // Where the last intact record ends: the size to cut the segment back to when it is
  // the one appended to (bytes after it are a torn append or damage).
  size_t clean_size = 0;
};

// Every intact record of a segment from `from` on; after damage, resumes at the next
// offset where an intact record starts.
QueueSegmentScan scanQueueSegment(std::string_view data, size_t from = 0);

}  // namespace tidemark::controller::remote_write
