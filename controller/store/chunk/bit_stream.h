// Bit-level writer and reader shared by the head and sealed chunk formats. Bits are packed
// LSB-first, so the reader loads 8 bytes little-endian and shifts: one load per field.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tidemark::controller::chunk {

static_assert(std::endian::native == std::endian::little, "the bit reader loads little-endian");

inline uint64_t zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t unzigzag(uint64_t z) { return static_cast<int64_t>((z >> 1) ^ (0 - (z & 1))); }
inline uint64_t lowMask(int n) { return n >= 64 ? ~0ULL : (1ULL << n) - 1; }

// Appends the low `n` (0..64) bits of `value` to `out`, whose last byte may be partial;
// `bit_count` is the number of bits already used and `out.size() == (bit_count + 7) / 8`.
template <class Buffer>
inline void putBits(Buffer& out, uint64_t& bit_count, uint64_t value, int n) {
  using Byte = typename Buffer::value_type;
  value &= lowMask(n);
  const int used = static_cast<int>(bit_count & 7);
  if (used != 0) {
    out.back() =
        static_cast<Byte>(static_cast<uint8_t>(out.back()) | static_cast<uint8_t>(value << used));
    const int room = 8 - used;
    if (n <= room) {
      bit_count += static_cast<uint64_t>(n);
      return;
    }
    value >>= room;
    n -= room;
    bit_count += static_cast<uint64_t>(room);
  }
  bit_count += static_cast<uint64_t>(n);
  for (; n > 0; n -= 8, value >>= 8) out.push_back(static_cast<Byte>(value & 0xff));
}

// LEB128 groups written as bit fields, for the few per-chunk parameters.
template <class Buffer>
inline void putVarint(Buffer& out, uint64_t& bit_count, uint64_t value) {
  while (value >= 0x80) {
    putBits(out, bit_count, (value & 0x7f) | 0x80, 8);
    value >>= 7;
  }
  putBits(out, bit_count, value, 8);
}

inline int varintBits(uint64_t value) {
  return value < 0x80 ? 8 : 8 * ((std::bit_width(value) + 6) / 7);
}

// Reads bit fields from untrusted bytes. Reads past the end yield zero bits and are
// detected afterwards with overrun(), so loops stay branch-light yet can never read outside
// the buffer; every caller bounds its loop by a validated sample count.
class BitReader {
 public:
  BitReader(std::string_view bytes, uint64_t bit_pos)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())), size_(bytes.size()), pos_(bit_pos) {}

  // Next `n` (0..56) bits without consuming them.
  uint64_t peek(int n) const { return (load(pos_ >> 3) >> (pos_ & 7)) & lowMask(n); }
  void skip(int n) { pos_ += static_cast<uint64_t>(n); }
  void seek(uint64_t bit_pos) { pos_ = bit_pos; }
  uint64_t read(int n) {
    if (n > 56) {
      const uint64_t low = read(32);
      return low | (read(n - 32) << 32);
    }
    const uint64_t value = peek(n);
    pos_ += static_cast<uint64_t>(n);
    return value;
  }
  // False when a group runs past 64 bits (malformed).
  bool readVarint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint64_t group = read(8);
      value |= (group & 0x7f) << shift;
      if ((group & 0x80) == 0) return true;
    }
    return false;
  }

  uint64_t position() const { return pos_; }
  uint64_t bitsLeft() const { return overrun() ? 0 : size_ * 8 - pos_; }
  bool overrun() const { return pos_ > size_ * 8; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // 8 bytes from `byte`, zero-filled past the end.
  uint64_t load(uint64_t byte) const {
    uint64_t word = 0;
    if (byte + 8 <= size_) {
      std::memcpy(&word, data_ + byte, 8);
    } else if (byte < size_) {
      std::memcpy(&word, data_ + byte, size_ - byte);
    }
    return word;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  uint64_t pos_;
};

}  // namespace tidemark::controller::chunk
