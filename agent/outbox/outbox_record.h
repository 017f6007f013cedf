// One outbox record: a batch as it was collected (host id, epoch, sequence and the
// three sample columns; never the announcements or oldest_pending, which are worked
// out when the batch is sent).
//
//   offset 0   u32  magic "TMR1"
//          4   u32  payload length N
//          8   u32  CRC-32C of bytes 0..7 and the payload
//         12   N    payload, little-endian:
//                     u8 version (1), u64 epoch, u64 sequence, u32 host id length,
//                     host id bytes, u32 sample count S,
//                     S x u32 series id, S x i64 timestamp ms, S x f64 value
//                   or, for a batch whose samples share one time (every batch the
//                   agent collects; 12 bytes a sample instead of 20):
//                     u8 version (2), u64 epoch, u64 sequence, u32 host id length,
//                     host id bytes, u32 sample count S, i64 timestamp ms,
//                     S x u32 series id, S x f64 value
//
// The magic lets a reader find the next record after a damaged one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

constexpr size_t kRecordHeaderBytes = 12;
// Larger than any batch the controller accepts; a bigger length is damage.
constexpr size_t kMaxRecordPayload = 256u << 20;

// Bytes the batch's record takes on disk, header included.
size_t recordBytes(const wire::MetricBatchData& batch);

// Appends the batch's record to `out`. The columns must have the same length.
void appendRecord(const wire::MetricBatchData& batch, std::string& out);

struct ScannedRecord {
  size_t offset = 0;  // in the segment
  size_t bytes = 0;   // header included
  wire::MetricBatchData batch;
};

struct SkippedRegion {
  enum class Kind {
    kBadChecksum,  // a complete record whose CRC does not match
    kTornTail,     // the segment ends inside a record: a crash mid-append
    kUndecodable,  // the CRC matches but the payload is not a batch
    kGarbage,      // bytes that do not start a record
  };
  size_t offset = 0;
  size_t bytes = 0;
  Kind kind = Kind::kGarbage;
};

struct SegmentScan {
  std::vector<ScannedRecord> records;
  std::vector<SkippedRegion> skipped;
  // Where the last good record ends when only damage follows it (the length to
  // truncate to); the segment's size otherwise.
  size_t clean_size = 0;
};

// Reads every good record of a segment, in order, skipping damaged ones.
SegmentScan scanSegment(std::string_view data);

const char* skippedKindName(SkippedRegion::Kind kind);

}  // namespace tidemark::agent
