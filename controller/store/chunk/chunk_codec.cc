#include "controller/store/chunk/chunk_codec.h"

#include <bit>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "common/errors/error.h"
#include "controller/store/chunk/bit_stream.h"
#include "controller/store/chunk/decimal.h"
#include "controller/store/chunk/int_codec.h"
#include "controller/store/chunk/xor_codec.h"

namespace tidemark::controller::chunk {

namespace {

enum TimestampTransform : uint8_t { kTsDelta = 0, kTsDeltaOfDelta = 1, kTsLine = 2 };
enum ValueKind : uint8_t { kConstant = 0, kDecimal = 1, kXor = 2 };
enum IntTransform : uint8_t { kIntRaw = 0, kIntDelta = 1, kIntDeltaOfDelta = 2 };

// Wrapping helpers: timestamps may span the whole int64 range, and garbage input must not
// reach signed overflow.
int64_t sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

// The slope of the line through the first and last timestamp, as the decoder computes it.
int64_t lineStep(int64_t first, int64_t last, uint32_t count) {
  return sub(last, first) / static_cast<int64_t>(count - 1);
}
int64_t onLine(int64_t first, int64_t step, uint64_t i) {
  return static_cast<int64_t>(static_cast<uint64_t>(first) + i * static_cast<uint64_t>(step));
}

// Finds the smallest d for which every value is integer / 10^d exactly. A value exact at d
// stays exact at a larger d (while the integer fits 53 bits), so one pass raises d as
// needed and a second pass takes the integers at the final d.
bool scaleValues(std::span<const double> values, std::vector<int64_t>& scaled, int& decimals) {
  int d = 0;
  int64_t ignored = 0;
  for (double v : values) {
    while (!scaleExactly(v, d, ignored)) {
      if (++d > kMaxDecimals) return false;
    }
  }
  scaled.resize(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (!scaleExactly(values[i], d, scaled[i])) return false;
  }
  decimals = d;
  return true;
}

void fillTimestampResiduals(std::span<const int64_t> ts, uint8_t transform,
                            std::vector<int64_t>& out) {
  const size_t n = ts.size();
  out.clear();
  if (transform == kTsDelta) {
    for (size_t i = 1; i < n; ++i) out.push_back(sub(ts[i], ts[i - 1]));
  } else if (transform == kTsDeltaOfDelta) {
    for (size_t i = 2; i < n; ++i)
      out.push_back(sub(sub(ts[i], ts[i - 1]), sub(ts[i - 1], ts[i - 2])));
  } else {
    const int64_t step = lineStep(ts[0], ts[n - 1], static_cast<uint32_t>(n));
    for (size_t i = 1; i < n; ++i) out.push_back(sub(ts[i], onLine(ts[0], step, i)));
  }
}

void fillIntResiduals(std::span<const int64_t> x, uint8_t transform, std::vector<int64_t>& out) {
  out.clear();
  if (transform == kIntRaw) {
    out.assign(x.begin(), x.end());
  } else if (transform == kIntDelta) {
    for (size_t i = 1; i < x.size(); ++i) out.push_back(x[i] - x[i - 1]);
  } else {
    for (size_t i = 2; i < x.size(); ++i) out.push_back((x[i] - x[i - 1]) - (x[i - 1] - x[i - 2]));
  }
}

void encodeTimestamps(std::span<const int64_t> ts, std::string& out, uint64_t& bits,
                      std::vector<int64_t>& scratch) {
  uint8_t best = kTsDelta;
  uint64_t best_bits = UINT64_MAX;
  ResidualPlan best_plan;
  for (uint8_t t : {kTsLine, kTsDelta, kTsDeltaOfDelta}) {
    fillTimestampResiduals(ts, t, scratch);
    const ResidualPlan plan = planResiduals(scratch);
    const uint64_t prefix = t == kTsDeltaOfDelta ? varintBits(zigzag(sub(ts[1], ts[0]))) : 0;
    if (plan.bits + prefix < best_bits) {
      best = t;
      best_bits = plan.bits + prefix;
      best_plan = plan;
    }
  }
  fillTimestampResiduals(ts, best, scratch);
  putBits(out, bits, best, 2);
  if (best == kTsDeltaOfDelta) putVarint(out, bits, zigzag(sub(ts[1], ts[0])));
  writeResiduals(out, bits, scratch, best_plan);
}

void encodeValues(std::span<const double> values, std::string& out, uint64_t& bits,
                  std::vector<int64_t>& scratch) {
  const auto first = std::bit_cast<uint64_t>(values[0]);
  bool constant = true;
  for (double v : values) constant = constant && std::bit_cast<uint64_t>(v) == first;

  std::vector<int64_t> scaled;
  int decimals = 0;
  if (scaleValues(values, scaled, decimals)) {
    uint8_t best = kIntRaw;
    uint64_t best_bits = UINT64_MAX;
    ResidualPlan best_plan;
    for (uint8_t t : {kIntDelta, kIntRaw, kIntDeltaOfDelta}) {
      if (t == kIntDeltaOfDelta && scaled.size() < 2) continue;
      fillIntResiduals(scaled, t, scratch);
      const ResidualPlan plan = planResiduals(scratch);
      uint64_t prefix = t == kIntRaw ? 0 : varintBits(zigzag(scaled[0]));
      if (t == kIntDeltaOfDelta) prefix += varintBits(zigzag(scaled[1] - scaled[0]));
      if (plan.bits + prefix < best_bits) {
        best = t;
        best_bits = plan.bits + prefix;
        best_plan = plan;
      }
    }
    if (!constant || best_bits + 6 < 64) {
      putBits(out, bits, kDecimal, 2);
      putBits(out, bits, static_cast<uint64_t>(decimals), 4);
      putBits(out, bits, best, 2);
      if (best != kIntRaw) putVarint(out, bits, zigzag(scaled[0]));
      if (best == kIntDeltaOfDelta) putVarint(out, bits, zigzag(scaled[1] - scaled[0]));
      fillIntResiduals(scaled, best, scratch);
      writeResiduals(out, bits, scratch, best_plan);
      return;
    }
  }
  if (constant) {
    putBits(out, bits, kConstant, 2);
    putBits(out, bits, first, 64);
    return;
  }
  putBits(out, bits, kXor, 2);
  putBits(out, bits, first, 64);
  XorEncoder encoder(first);
  for (size_t i = 1; i < values.size(); ++i) {
    encoder.put(out, bits, std::bit_cast<uint64_t>(values[i]));
  }
}

// Fills out[0..n) with the timestamps; returns the last one.
int64_t decodeTimestamps(BitReader& in, const ChunkHeader& header, int64_t* out) {
  const uint32_t n = header.count;
  out[0] = header.first_timestamp_ms;
  if (n == 1) return out[0];
  const auto transform = static_cast<uint8_t>(in.read(2));
  uint64_t first_delta = 0;
  if (transform == kTsDeltaOfDelta && !in.readVarint(first_delta)) {
    throwMalformed("timestamps", "bad first delta");
  }
  const ResidualPlan plan = readResidualPlan(in, "timestamps");
  uint64_t t = static_cast<uint64_t>(header.first_timestamp_ms);
  size_t i = 1;
  if (transform == kTsDelta) {
    forEachResidual(in, plan, n - 1, "timestamps", [&](int64_t r) {
      t += static_cast<uint64_t>(r);
      out[i++] = static_cast<int64_t>(t);
    });
  } else if (transform == kTsDeltaOfDelta) {
    uint64_t delta = static_cast<uint64_t>(unzigzag(first_delta));
    t += delta;
    out[i++] = static_cast<int64_t>(t);
    forEachResidual(in, plan, n - 2, "timestamps", [&](int64_t r) {
      delta += static_cast<uint64_t>(r);
      t += delta;
      out[i++] = static_cast<int64_t>(t);
    });
  } else if (transform == kTsLine) {
    const int64_t step = lineStep(header.first_timestamp_ms, header.last_timestamp_ms, n);
    forEachResidual(in, plan, n - 1, "timestamps", [&](int64_t r) {
      out[i] = add(onLine(header.first_timestamp_ms, step, i), r);
      ++i;
    });
  } else {
    throwMalformed("timestamps", "unknown transform");
  }
  return out[n - 1];
}

template <bool kScaled>
void decodeScaled(BitReader& in, uint32_t n, uint8_t transform, double scale, double* out) {
  auto convert = [scale](uint64_t x) {
    const auto v = static_cast<double>(static_cast<int64_t>(x));
    if constexpr (kScaled) {
      return v / scale;
    } else {
      return v;
    }
  };
  uint64_t x = 0;
  uint64_t delta = 0;
  if (transform != kIntRaw) {
    if (!in.readVarint(x)) throwMalformed("values", "bad first value");
    x = static_cast<uint64_t>(unzigzag(x));
  }
  if (transform == kIntDeltaOfDelta) {
    if (n < 2 || !in.readVarint(delta)) throwMalformed("values", "bad first delta");
    delta = static_cast<uint64_t>(unzigzag(delta));
  }
  const ResidualPlan plan = readResidualPlan(in, "values");
  size_t i = 0;
  if (transform == kIntRaw) {
    forEachResidual(in, plan, n, "values",
                    [&](int64_t r) { out[i++] = convert(static_cast<uint64_t>(r)); });
  } else if (transform == kIntDelta) {
    out[i++] = convert(x);
    forEachResidual(in, plan, n - 1, "values", [&](int64_t r) {
      x += static_cast<uint64_t>(r);
      out[i++] = convert(x);
    });
  } else if (transform == kIntDeltaOfDelta) {
    out[i++] = convert(x);
    x += delta;
    out[i++] = convert(x);
    forEachResidual(in, plan, n - 2, "values", [&](int64_t r) {
      delta += static_cast<uint64_t>(r);
      x += delta;
      out[i++] = convert(x);
    });
  } else {
    throwMalformed("values", "unknown transform");
  }
}

void decodeValues(BitReader& in, uint32_t n, double* out) {
  const auto kind = static_cast<uint8_t>(in.read(2));
  if (kind == kConstant) {
    const double v = std::bit_cast<double>(in.read(64));
    for (uint32_t i = 0; i < n; ++i) out[i] = v;
  } else if (kind == kDecimal) {
    const auto decimals = static_cast<int>(in.read(4));
    const auto transform = static_cast<uint8_t>(in.read(2));
    if (decimals == 0) {
      decodeScaled<false>(in, n, transform, 1.0, out);
    } else {
      decodeScaled<true>(in, n, transform, kPow10[decimals], out);
    }
  } else if (kind == kXor) {
    const uint64_t first = in.read(64);
    out[0] = std::bit_cast<double>(first);
    XorDecoder decoder(first);
    bool bad = false;
    for (uint32_t i = 1; i < n; ++i) out[i] = std::bit_cast<double>(decoder.next(in, bad));
    if (bad) throwMalformed("values", "bad XOR window");
  } else {
    throwMalformed("values", "unknown kind");
  }
  if (in.overrun()) throwMalformed("values", "truncated");
}

}  // namespace

void encodeChunk(std::span<const int64_t> timestamps_ms, std::span<const double> values,
                 std::string& out) {
  if (timestamps_ms.size() != values.size() || timestamps_ms.empty() ||
      timestamps_ms.size() > kMaxChunkSamples) {
    throw std::invalid_argument("encodeChunk: " + std::to_string(timestamps_ms.size()) +
                                " timestamps and " + std::to_string(values.size()) +
                                " values; need equal counts in 1.." +
                                std::to_string(kMaxChunkSamples));
  }
  const size_t n = timestamps_ms.size();
  out.reserve(out.size() + 24 + n * 2);
  uint64_t bits = out.size() * 8;
  putBits(out, bits, kChunkFormatVersion, 8);
  putVarint(out, bits, n);
  putVarint(out, bits, zigzag(timestamps_ms[0]));
  putVarint(out, bits, zigzag(sub(timestamps_ms[n - 1], timestamps_ms[0])));
  std::vector<int64_t> scratch;
  scratch.reserve(n);
  if (n >= 2) encodeTimestamps(timestamps_ms, out, bits, scratch);
  encodeValues(values, out, bits, scratch);
}

ChunkHeader readChunkHeader(std::string_view chunk) {
  BitReader in(chunk, 0);
  const uint64_t version = in.read(8);
  if (in.overrun()) throwMalformed("header", "empty");
  if (version != kChunkFormatVersion) {
    throw StoreError("malformed chunk: header: unknown format version " + std::to_string(version));
  }
  uint64_t count = 0, first = 0, span = 0;
  if (!in.readVarint(count) || !in.readVarint(first) || !in.readVarint(span) || in.overrun()) {
    throwMalformed("header", "truncated");
  }
  if (count == 0 || count > kMaxChunkSamples) {
    throw StoreError("malformed chunk: header: count " + std::to_string(count) + " outside 1.." +
                     std::to_string(kMaxChunkSamples));
  }
  ChunkHeader header;
  header.count = static_cast<uint32_t>(count);
  header.first_timestamp_ms = unzigzag(first);
  header.last_timestamp_ms = add(header.first_timestamp_ms, unzigzag(span));
  header.header_bytes = in.position() / 8;
  return header;
}

void decodeChunk(std::string_view chunk, std::vector<int64_t>& timestamps_ms,
                 std::vector<double>& values) {
  const ChunkHeader header = readChunkHeader(chunk);
  const size_t ts_base = timestamps_ms.size();
  const size_t value_base = values.size();
  try {
    timestamps_ms.resize(ts_base + header.count);
    values.resize(value_base + header.count);
    BitReader in(chunk, header.header_bytes * 8);
    const int64_t last = decodeTimestamps(in, header, timestamps_ms.data() + ts_base);
    if (last != header.last_timestamp_ms)
      throwMalformed("timestamps", "last disagrees with header");
    decodeValues(in, header.count, values.data() + value_base);
    if ((in.position() + 7) / 8 != chunk.size()) throwMalformed("chunk", "trailing bytes");
  } catch (...) {
    timestamps_ms.resize(ts_base);
    values.resize(value_base);
    throw;
  }
}

}  // namespace tidemark::controller::chunk
