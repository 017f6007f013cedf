// Sorting many series by (host, labels) mostly by comparing integers: the first 8 bytes
// of a string as a number plus its length decide most comparisons without reading the
// string, which matters when 100,000 results are sorted (last-value queries).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string_view>

namespace tidemark::controller {

// A string's first 8 bytes as a big-endian number, zero-padded.
inline uint64_t prefixOf(std::string_view s) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) {
    prefix = (prefix << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0u);
  }
  return prefix;
}

// Only lengths up to 8 are compared as numbers, so clamping longer ones loses nothing.
inline uint32_t clampedSize(size_t size) {
  return static_cast<uint32_t>(std::min<size_t>(size, std::numeric_limits<uint32_t>::max()));
}

inline constexpr int kUndecided = 2;

// Three-way, in std::string_view's order, from prefixes and lengths alone: a prefix that
// differs decides; equal prefixes of strings no longer than 8 bytes differ only by
// trailing zero bytes, so the shorter is first; otherwise kUndecided (compare the strings).
inline int comparePrefixes(uint64_t a_prefix, uint32_t a_size, uint64_t b_prefix, uint32_t b_size) {
  if (a_prefix != b_prefix) return a_prefix < b_prefix ? -1 : 1;
  if (a_size <= 8 && b_size <= 8) return a_size == b_size ? 0 : (a_size < b_size ? -1 : 1);
  return kUndecided;
}

}  // namespace tidemark::controller
