// Sealed chunks: a run of one series' samples, encoded once when the head is cut and then
// stored as a RocksDB value. Layout (integers LEB128, bit fields LSB-first after the header):
//   byte  format version (kChunkFormatVersion)
//   varint count (1..kMaxChunkSamples); zigzag varint first timestamp; zigzag varint
//          last - first (wrapping)  -- readChunkHeader stops here
//   timestamps (count >= 2): 2 bits transform (delta | delta-of-delta | residual from the
//          straight line first..last), then residuals: divided by their common divisor and
//          either frame-of-reference bit-packed at one width or coded with per-chunk bucket
//          widths; the encoder computes every option's exact size and keeps the smallest
//   values: 2 bits kind: constant (64 raw bits) | decimal (each value == integer / 10^d for
//          the chunk's smallest d <= 15, bit-exact through the decoder's own arithmetic;
//          the integers go through the same transforms and residual coders) | Gorilla XOR
//          (the fallback: every bit pattern round-trips, NaN payloads and -0.0 included)
//   zero padding to the byte boundary; nothing may follow.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::controller::chunk {

inline constexpr uint8_t kChunkFormatVersion = 1;
// Bounds what a decoder allocates for untrusted input (at most 1 MiB of output).
inline constexpr uint32_t kMaxChunkSamples = 65536;

struct ChunkHeader {
  uint32_t count = 0;
  int64_t first_timestamp_ms = 0;
  int64_t last_timestamp_ms = 0;
  size_t header_bytes = 0;  // where the encoded samples start
};

// Appends the encoding of the samples to `out`. Timestamps may be in any order and any
// values are kept bit-exact. Throws std::invalid_argument when the spans differ in length,
// are empty or hold more than kMaxChunkSamples (a caller's bug).
void encodeChunk(std::span<const int64_t> timestamps_ms, std::span<const double> values,
                 std::string& out);

// Reads the count and timestamp range without decoding. Throws StoreError when malformed.
ChunkHeader readChunkHeader(std::string_view chunk);

// Appends the chunk's samples to the two vectors. Throws StoreError naming the part that is
// malformed; on a throw the vectors are as they were.
void decodeChunk(std::string_view chunk, std::vector<int64_t>& timestamps_ms,
                 std::vector<double>& values);

}  // namespace tidemark::controller::chunk
