// Chunk codec (controller/store/chunk): encode/decode speed per data kind, head append
// speed, and bytes per sample on a node_exporter-like day of 300 series, sealed, sealed +
// ZSTD (as RocksDB would compress the chunk column family) and as the head's XOR stream.
#include <benchmark/benchmark.h>
#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "controller/store/chunk/chunk_codec.h"
#include "controller/store/chunk/head_chunk.h"

namespace tidemark::controller::chunk {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;
constexpr size_t kDay = 8640;  // 10 s samples

enum Kind {
  kCpuCounter,
  kMemoryBytes,
  kByteCounter,
  kConstant,
  kRare,
  kLoad,
  kPsi,
  kTemperature,
  kNoisyFloat,
  kKinds
};
const char* const kKindNames[kKinds] = {"cpu_counter", "memory_bytes", "byte_counter",
                                        "constant",    "rare",         "load_2dp",
                                        "psi_2dp",     "temperature",  "noisy_float"};

// One scrape schedule per host: a 10 s grid with a fixed offset and a few ms of jitter.
std::vector<int64_t> scrapeTimes(size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> jitter(0, 2.0);
  std::vector<int64_t> ts(n);
  for (size_t i = 0; i < n; ++i) {
    ts[i] = kStart + 137 + static_cast<int64_t>(i) * 10'000 + std::lround(jitter(rng));
  }
  return ts;
}

// Values as node_exporter derives them: ticks / USER_HZ, kB * 1024, millidegrees / 1000.
std::vector<double> series(Kind kind, size_t n, std::mt19937_64& rng) {
  std::normal_distribution<double> noise(0, 1);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<double> v(n);
  const double rate = unit(rng);
  double level = std::floor(unit(rng) * 1e6);
  for (size_t i = 0; i < n; ++i) {
    switch (kind) {
      case kCpuCounter:  // centisecond ticks, a mode's share of 10 s, noisy
        level += std::max(0.0, std::round(rate * 1000 + noise(rng) * 20));
        v[i] = level / 100;
        break;
      case kMemoryBytes:
        level = std::max(0.0, level + std::round(noise(rng) * 2000 * (1 + rate * 10)));
        v[i] = (level + 1e6) * 1024;
        break;
      case kByteCounter:
        level += std::max(0.0, std::round(rate * 2e6 + noise(rng) * rate * 5e5));
        v[i] = level;
        break;
      case kConstant:
        v[i] = std::round(rate * 1e9) * 4096;
        break;
      case kRare:
        if (unit(rng) < 0.01) level += std::round(noise(rng) * 50);
        v[i] = level;
        break;
      case kLoad:  // a smoothed process, shown with 2 decimals
        level = level > 1e5 ? 100 * rate
                            : std::max(0.0, 0.92 * level + 0.08 * (rate * 400 + noise(rng) * 60));
        v[i] = std::round(level) / 100;
        break;
      case kPsi:
        v[i] = std::max(0.0, std::round(rate * 300 + noise(rng) * 80)) / 100;
        break;
      case kTemperature:  // hwmon millidegrees, 1 degree steps with 0.5 degree noise
        v[i] = std::round(40 + rate * 20 + std::sin(static_cast<double>(i) / 500) * 5 +
                          noise(rng) * 0.5) *
               1000 / 1000;
        v[i] = std::round((v[i] + std::round(noise(rng)) * 0.5) * 1000) / 1000;
        break;
      default:  // scrape durations and the like: full-precision floats
        v[i] = 0.002 + std::fabs(noise(rng)) * 0.001 * (1 + rate);
        break;
    }
  }
  return v;
}

// The per-host mix: how many of each of the 300 series.
constexpr int kMix[kKinds] = {64, 50, 60, 50, 40, 3, 6, 12, 15};

struct Host {
  std::vector<int64_t> ts;
  std::vector<std::vector<double>> values;
  std::vector<Kind> kinds;
};

const Host& nodeHost() {
  static const Host host = [] {
    Host h;
    std::mt19937_64 rng(2026);
    h.ts = scrapeTimes(kDay, rng);
    for (int k = 0; k < kKinds; ++k) {
      for (int i = 0; i < kMix[k]; ++i) {
        h.values.push_back(series(static_cast<Kind>(k), kDay, rng));
        h.kinds.push_back(static_cast<Kind>(k));
      }
    }
    return h;
  }();
  return host;
}

// Compresses `data` in RocksDB-like blocks of `block` bytes.
size_t zstdSize(const std::string& data, size_t block) {
  std::string out(ZSTD_compressBound(block), '\0');
  size_t total = 0;
  for (size_t at = 0; at < data.size(); at += block) {
    const size_t len = std::min(block, data.size() - at);
    total += ZSTD_compress(out.data(), out.size(), data.data() + at, len, 3);
  }
  return total;
}

// Bytes per sample of the whole host day cut into chunks of state.range(0) samples.
void BM_NodeMixBytesPerSample(benchmark::State& state) {
  const Host& host = nodeHost();
  const auto length = static_cast<size_t>(state.range(0));
  std::string all;
  double kind_bytes[kKinds] = {};
  size_t head_bytes = 0, head_heap = 0, heads = 0;
  for (auto _ : state) {
    all.clear();
    std::fill(std::begin(kind_bytes), std::end(kind_bytes), 0.0);
    head_bytes = head_heap = heads = 0;
    for (size_t s = 0; s < host.values.size(); ++s) {
      for (size_t at = 0; at < kDay; at += length) {
        const size_t n = std::min(length, kDay - at);
        const size_t before = all.size();
        encodeChunk(std::span(host.ts).subspan(at, n), std::span(host.values[s]).subspan(at, n),
                    all);
        kind_bytes[host.kinds[s]] += static_cast<double>(all.size() - before);
        HeadChunk head;
        for (size_t i = at; i < at + n; ++i) head.append(host.ts[i], host.values[s][i]);
        head_bytes += head.sizeBytes();
        head_heap += head.heapBytes();
        ++heads;
      }
    }
  }
  const double samples = static_cast<double>(host.values.size() * kDay);
  state.counters["sealed_B_per_sample"] = static_cast<double>(all.size()) / samples;
  state.counters["zstd4k_B_per_sample"] = static_cast<double>(zstdSize(all, 4096)) / samples;
  state.counters["zstd16k_B_per_sample"] = static_cast<double>(zstdSize(all, 16384)) / samples;
  state.counters["head_B_per_sample"] = static_cast<double>(head_bytes) / samples;
  state.counters["head_heap_B_per_chunk"] =
      static_cast<double>(head_heap) / static_cast<double>(heads);
  for (int k = 0; k < kKinds; ++k) {
    state.counters[std::string("B_per_sample_") + kKindNames[k]] =
        kind_bytes[k] / static_cast<double>(kMix[k] * kDay);
  }
}
BENCHMARK(BM_NodeMixBytesPerSample)
    ->Arg(120)
    ->Arg(360)
    ->Arg(720)
    ->Arg(1440)
    ->Arg(8640)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

struct KindData {
  std::vector<int64_t> ts;
  std::vector<double> values;
  std::string encoded;
};

const KindData& kindData(int kind, size_t length) {
  static std::map<std::pair<int, size_t>, KindData> cache;
  auto [it, inserted] = cache.try_emplace({kind, length});
  if (inserted) {
    std::mt19937_64 rng(static_cast<uint64_t>(kind) + 1);
    it->second.ts = scrapeTimes(length, rng);
    it->second.values = series(static_cast<Kind>(kind), length, rng);
    encodeChunk(it->second.ts, it->second.values, it->second.encoded);
  }
  return it->second;
}

void BM_Encode(benchmark::State& state) {
  const KindData& data =
      kindData(static_cast<int>(state.range(0)), static_cast<size_t>(state.range(1)));
  state.SetLabel(kKindNames[state.range(0)]);
  std::string out;
  for (auto _ : state) {
    out.clear();
    encodeChunk(data.ts, data.values, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(data.ts.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["B_per_sample"] =
      static_cast<double>(out.size()) / static_cast<double>(data.ts.size());
}

void BM_Decode(benchmark::State& state) {
  const KindData& data =
      kindData(static_cast<int>(state.range(0)), static_cast<size_t>(state.range(1)));
  state.SetLabel(kKindNames[state.range(0)]);
  std::vector<int64_t> ts;
  std::vector<double> values;
  ts.reserve(data.ts.size());
  values.reserve(data.ts.size());
  for (auto _ : state) {
    ts.clear();
    values.clear();
    decodeChunk(data.encoded, ts, values);
    benchmark::DoNotOptimize(values.data());
  }
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(data.ts.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_HeadAppend(benchmark::State& state) {
  const KindData& data =
      kindData(static_cast<int>(state.range(0)), static_cast<size_t>(state.range(1)));
  state.SetLabel(kKindNames[state.range(0)]);
  size_t bytes = 0;
  for (auto _ : state) {
    HeadChunk head;
    for (size_t i = 0; i < data.ts.size(); ++i) head.append(data.ts[i], data.values[i]);
    bytes = head.sizeBytes();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(data.ts.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["B_per_sample"] = static_cast<double>(bytes) / static_cast<double>(data.ts.size());
}

void BM_HeadDecode(benchmark::State& state) {
  const KindData& data =
      kindData(static_cast<int>(state.range(0)), static_cast<size_t>(state.range(1)));
  state.SetLabel(kKindNames[state.range(0)]);
  HeadChunk head;
  for (size_t i = 0; i < data.ts.size(); ++i) head.append(data.ts[i], data.values[i]);
  std::vector<int64_t> ts;
  std::vector<double> values;
  for (auto _ : state) {
    ts.clear();
    values.clear();
    head.decode(ts, values);
    benchmark::DoNotOptimize(values.data());
  }
  state.counters["samples_per_s"] = benchmark::Counter(
      static_cast<double>(data.ts.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void kindArgs(benchmark::internal::Benchmark* b) {
  for (int k = 0; k < kKinds; ++k) b->Args({k, 720});
}
BENCHMARK(BM_Encode)->Apply(kindArgs);
BENCHMARK(BM_Decode)->Apply(kindArgs);
BENCHMARK(BM_HeadAppend)->Apply(kindArgs);
BENCHMARK(BM_HeadDecode)->Apply(kindArgs);

}  // namespace
}  // namespace tidemark::controller::chunk
