// tidemark-bench-dataset: writes a deterministic, realistic fleet history as
// OpenMetrics text (with timestamps and # EOF), the input of bench/store_vs_peers.sh.
// Every host has node_exporter's series (bench/dataset/catalog.h) scraped on a grid of
// --interval-s seconds at a per-host phase, with a few milliseconds of jitter; every
// sample carries Prometheus' target labels instance="HOST:9100" and job="node".
//
// Order: family by family (OpenMetrics wants a family's samples together), then host,
// series and time, which is also the order `promtool tsdb dump-openmetrics` writes.
// The same --seed and parameters always give the same bytes.
#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/dataset/catalog.h"

namespace {

using tidemark::bench::Model;
using tidemark::bench::SeriesSpec;

uint64_t splitmix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t mix(uint64_t a, uint64_t b, uint64_t c = 0) {
  uint64_t state = a * 0x100000001b3ull ^ b * 0x9e3779b97f4a7c15ull ^ c;
  return splitmix(state);
}

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  double uniform() { return static_cast<double>(splitmix(state_) >> 11) * 0x1.0p-53; }
  double normal() {  // Box-Muller; one of the pair is enough here
    double u = uniform();
    double v = uniform();
    return std::sqrt(-2.0 * std::log(u + 1e-300)) * std::cos(6.283185307179586 * v);
  }

 private:
  uint64_t state_;
};

class Output {
 public:
  explicit Output(std::FILE* file) : file_(file) { buffer_.reserve(kSize + 4096); }
  ~Output() { flush(); }
  void append(std::string_view text) {
    buffer_.append(text);
    if (buffer_.size() >= kSize) flush();
  }
  void appendDouble(double value) {
    char digits[32];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);  // shortest round trip
    buffer_.append(digits, end);
  }
  void appendTimestamp(int64_t ms) {
    char digits[32];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, ms / 1000);
    buffer_.append(digits, end);
    const int64_t frac = ms % 1000;
    const char text[4] = {'.', static_cast<char>('0' + frac / 100),
                          static_cast<char>('0' + frac / 10 % 10),
                          static_cast<char>('0' + frac % 10)};
    buffer_.append(text, 4);
  }
  void flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      std::perror("tidemark-bench-dataset: write");
      std::exit(1);
    }
    bytes_ += buffer_.size();
    buffer_.clear();
  }
  uint64_t bytes() const { return bytes_ + buffer_.size(); }

 private:
  static constexpr size_t kSize = 1 << 20;
  std::FILE* file_;
  std::string buffer_;
  uint64_t bytes_ = 0;
};

// The value of one series at every scrape, written as it goes.
class SeriesValues {
 public:
  SeriesValues(const SeriesSpec& spec, uint64_t seed, double interval_s)
      : spec_(spec), random_(seed), interval_s_(interval_s) {
    // Hosts differ: scale each series' level and rate by up to +-30%.
    const double scale = 0.7 + 0.6 * random_.uniform();
    level_ =
        spec.base * (spec.model == Model::kConstant || spec.model == Model::kPState ? 1 : scale);
    rate_ = spec.rate * scale;
    switch (spec.model) {
      case Model::kCpuSeconds:
        ticks_ = std::llround(level_ * 100);
        break;
      case Model::kMillis:
        ticks_ = std::llround(level_ * 1000);
        break;
      case Model::kByteCounter:
      case Model::kEventCounter:
      case Model::kRareCounter:
      case Model::kSmallInt:
        ticks_ = std::llround(level_);
        break;
      case Model::kPageGauge:
      case Model::kSlowGauge:
        ticks_ = std::llround(level_ / 4096) * 4096;
        break;
      default:
        break;
    }
    centre_ = static_cast<double>(ticks_);
    value_ = level_;
  }

  double next(int64_t timestamp_ms, int jitter_us) {
    switch (spec_.model) {
      case Model::kCpuSeconds: {
        // USER_HZ: 100 ticks a second of CPU time, measured with noise.
        const double mean = rate_ * interval_s_ * 100;
        ticks_ += std::max<int64_t>(0, std::llround(mean * (1 + 0.25 * random_.normal())));
        return static_cast<double>(ticks_) / 100;
      }
      case Model::kMillis: {
        const double mean = rate_ * interval_s_ * 1000;
        ticks_ += std::max<int64_t>(0, std::llround(mean * std::exp(0.8 * random_.normal()) * 0.7));
        return static_cast<double>(ticks_) / 1000;
      }
      case Model::kByteCounter: {
        // Bursty: idle scrapes, then bursts; I/O sizes in 512-byte sectors.
        if (random_.uniform() < 0.15) return static_cast<double>(ticks_);
        const double bytes = rate_ * interval_s_ * std::exp(1.0 * random_.normal()) * 0.6;
        ticks_ += std::llround(bytes / 512) * 512;
        return static_cast<double>(ticks_);
      }
      case Model::kEventCounter: {
        const double mean = rate_ * interval_s_;
        ticks_ += std::max<int64_t>(0, std::llround(mean + std::sqrt(mean + 1) * random_.normal()));
        return static_cast<double>(ticks_);
      }
      case Model::kRareCounter:
        if (random_.uniform() < 1.0 / 2000)
          ticks_ += 1 + static_cast<int64_t>(random_.uniform() * 5);
        return static_cast<double>(ticks_);
      case Model::kPageGauge: {
        ticks_ += std::llround(random_.normal() * rate_ / 4096) * 4096;
        // Drift back toward the centre so a day does not wander off.
        ticks_ += std::llround((centre_ - static_cast<double>(ticks_)) * 0.01 / 4096) * 4096;
        if (ticks_ < 0) ticks_ = 0;
        return static_cast<double>(ticks_);
      }
      case Model::kSlowGauge:
        if (random_.uniform() < 0.05) {
          ticks_ +=
              std::llround(random_.normal() * 8) * static_cast<int64_t>(std::max(4096.0, rate_));
          if (ticks_ < 0) ticks_ = 0;
        }
        return static_cast<double>(ticks_);
      case Model::kConstant:
        return level_;
      case Model::kLoad: {
        value_ += 0.15 * (level_ - value_) + rate_ * random_.normal();
        if (value_ < 0) value_ = 0;
        return std::round(value_ * 100) / 100;
      }
      case Model::kSmallInt: {
        const double v = centre_ + std::sqrt(centre_ + 1) * random_.normal();
        return static_cast<double>(std::max<int64_t>(0, std::llround(v)));
      }
      case Model::kFullFloat:
        value_ = level_ + rate_ * random_.normal();
        return value_;
      case Model::kWallClock:
        return static_cast<double>(timestamp_ms) / 1000 + jitter_us * 1e-6;
      case Model::kPState: {
        static constexpr double kStates[] = {8e8, 1.2e9, 2.8e9, 3.6e9, 4.1e9};
        if (random_.uniform() < 0.05) value_ = kStates[static_cast<int>(random_.uniform() * 5)];
        return value_;
      }
    }
    return 0;
  }

 private:
  const SeriesSpec& spec_;
  Random random_;
  double interval_s_;
  double level_ = 0;
  double rate_ = 0;
  double centre_ = 0;
  double value_ = 0;
  int64_t ticks_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("tidemark-bench-dataset: a realistic fleet history as OpenMetrics text",
               "tidemark-bench-dataset");
  size_t hosts = 100;
  size_t series = 300;
  double hours = 24;
  double interval_s = 10;
  uint64_t seed = 1;
  int64_t start_s = 1'700'000'000;
  std::string out_path = "-";
  app.add_option("--hosts", hosts, "hosts in the fleet (default 100)");
  app.add_option("--series", series, "series per host (default 300)");
  app.add_option("--hours", hours, "history length in hours (default 24)");
  app.add_option("--interval-s", interval_s, "scrape interval in seconds (default 10)");
  app.add_option("--seed", seed, "seed; the same seed gives the same bytes (default 1)");
  app.add_option("--start", start_s, "first scrape, Unix seconds (default 1700000000)");
  app.add_option("--out", out_path, "output file, - for stdout (default -)");
  CLI11_PARSE(app, argc, argv);
  if (hosts == 0 || series == 0 || hours <= 0 || interval_s <= 0) {
    std::fprintf(
        stderr,
        "tidemark-bench-dataset: --hosts, --series, --hours and --interval-s must be positive\n");
    return 2;
  }

  const auto started = std::chrono::steady_clock::now();
  std::FILE* file = out_path == "-" ? stdout : std::fopen(out_path.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "tidemark-bench-dataset: cannot write %s: %s\n", out_path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  const std::vector<SeriesSpec> catalog = tidemark::bench::nodeCatalog(series);
  const int64_t interval_ms = std::llround(interval_s * 1000);
  const int64_t steps =
      static_cast<int64_t>(hours * 3600 * 1000 / static_cast<double>(interval_ms));

  // Per host: its scrape phase on the grid, and the jitter of every scrape, shared by
  // all its series (one scrape reads them all).
  std::vector<std::string> host_names(hosts);
  std::vector<std::vector<int64_t>> times(hosts);
  std::vector<std::vector<int>> jitter_us(hosts);
  for (size_t h = 0; h < hosts; ++h) {
    char name[32];
    std::snprintf(name, sizeof name, "node-%03zu", h + 1);
    host_names[h] = name;
    const int64_t phase =
        static_cast<int64_t>(mix(seed, h, 1) % static_cast<uint64_t>(interval_ms));
    times[h].resize(steps);
    jitter_us[h].resize(steps);
    for (int64_t k = 0; k < steps; ++k) {
      const uint64_t r = mix(seed, h, 1000 + k);
      const int jitter_ms = static_cast<int>(r % 41) - 20;  // a scrape lands within +-20 ms
      times[h][k] = start_s * 1000 + k * interval_ms + phase + jitter_ms;
      jitter_us[h][k] = static_cast<int>((r >> 32) % 1000);
    }
  }

  Output out(file);
  uint64_t samples = 0;
  size_t i = 0;
  while (i < catalog.size()) {
    size_t end = i;
    while (end < catalog.size() && catalog[end].family == catalog[i].family) ++end;
    const SeriesSpec& first = catalog[i];
    out.append("# HELP " + first.family + " Simulated " + first.family + ".\n");
    out.append("# TYPE " + first.family + (first.counter ? " counter\n" : " gauge\n"));
    for (size_t h = 0; h < hosts; ++h) {
      for (size_t s = i; s < end; ++s) {
        const SeriesSpec& spec = catalog[s];
        std::string prefix = spec.name + "{";
        if (!spec.labels.empty()) prefix += spec.labels + ",";
        prefix += "instance=\"" + host_names[h] + ":9100\",job=\"node\"} ";
        SeriesValues values(spec, mix(seed, h, 1'000'000'000 + s), interval_s);
        for (int64_t k = 0; k < steps; ++k) {
          out.append(prefix);
          out.appendDouble(values.next(times[h][k], jitter_us[h][k]));
          out.append(" ");
          out.appendTimestamp(times[h][k]);
          out.append("\n");
        }
        samples += static_cast<uint64_t>(steps);
      }
    }
    i = end;
  }
  out.append("# EOF\n");
  out.flush();
  if (file != stdout && std::fclose(file) != 0) {
    std::perror("tidemark-bench-dataset: close");
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(stderr,
               "tidemark-bench-dataset: %llu samples (%zu hosts x %zu series x %lld scrapes), "
               "%llu bytes in %.1f s\n",
               static_cast<unsigned long long>(samples), hosts, series,
               static_cast<long long>(steps), static_cast<unsigned long long>(out.bytes()),
               seconds);
  return 0;
}
