// CRC-32C (Castagnoli), the checksum of every agent outbox record and every
// remote-write queue record. Uses the SSE4.2 crc32 instruction when the CPU has it
// (about 20 GB/s), else slicing-by-8 tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tidemark {

// Extends `crc` (0 to start) over `size` bytes. crc32c(crc32c(0, a), b) == crc32c(0, a + b).
uint32_t crc32c(uint32_t crc, const void* data, size_t size);

}  // namespace tidemark
