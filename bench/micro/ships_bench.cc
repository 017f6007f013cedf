// Cost of the ship collector on N piers (4.x layout, two epochs) under one pier root,
// on this machine's real /proc: a steady pass (the per-interval work: known PIDs'
// stat, .http.ports, a few statx per pier) against a pass that also runs the full
// process scan and walks every pier (what the slow cadences add).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "agent/collectors/filesystem_statter.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/ships/ship_collector.h"
#include "common/time/clock.h"

namespace tidemark::agent {
namespace {

class NullWriter final : public SampleWriter {
 public:
  using SampleWriter::add;
  void add(std::string_view, double, std::span<const LabelView>) override { ++samples; }
  size_t samples = 0;
};

void writeFile(const std::filesystem::path& path, size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  out << std::string(bytes, 'x');
}

// N stand-in piers in a fresh folder under /tmp, removed when the object dies.
struct PierFarm {
  explicit PierFarm(int piers) {
    root = std::filesystem::temp_directory_path() /
           ("tidemark-ships-bench-" + std::to_string(::getpid()));
    for (int i = 0; i < piers; ++i) {
      const auto pier = root / ("ship-" + std::to_string(i));
      for (const char* epoch : {"0i0", "0i1000"}) {
        std::filesystem::create_directories(pier / ".urb/log" / epoch);
        writeFile(pier / ".urb/log" / epoch / "data.mdb", 16384);
        writeFile(pier / ".urb/log" / epoch / "lock.mdb", 8192);
        writeFile(pier / ".urb/log" / epoch / "epoc.txt", 2);
        writeFile(pier / ".urb/log" / epoch / "vere.txt", 12);
      }
      std::filesystem::create_directories(pier / ".urb/chk");
      std::filesystem::create_directories(pier / ".urb/get");
      std::filesystem::create_directories(pier / ".urb/put");
      writeFile(pier / ".urb/chk/image.bin", 16384);
    }
  }
  ~PierFarm() { std::filesystem::remove_all(root); }
  std::filesystem::path root;
};

void shipsPass(benchmark::State& state, bool full) {
  spdlog::set_level(spdlog::level::err);
  PierFarm farm(static_cast<int>(state.range(0)));
  SystemClock clock;
  ThrottledLog log(clock);
  PlainFileReader reader("");
  PlainReadBatch side_batch("");
  PlainReadBatch batch("");
  StatvfsStatter statter;
  ShipCollectorOptions options;
  options.pier_roots = {farm.root.string()};
  const int64_t never = std::numeric_limits<int64_t>::max() / 2;
  options.process_scan_interval_ms = full ? 0 : never;
  options.pier_walk_interval_ms = full ? 0 : never;
  options.map_count_interval_ms = full ? 0 : never;
  ShipCollector collector(reader, side_batch, log, clock, statter, options);
  NullWriter out;
  collector.prepare(batch);  // the first pass always scans and walks
  batch.submit();
  collector.collect(out);
  for (auto _ : state) {
    out.samples = 0;
    collector.prepare(batch);
    batch.submit();
    collector.collect(out);
  }
  state.counters["samples"] = static_cast<double>(out.samples);
  state.counters["process_scans"] = static_cast<double>(collector.processScans());
}

void BM_ShipsSteadyPass(benchmark::State& state) { shipsPass(state, false); }
void BM_ShipsFullScanAndWalk(benchmark::State& state) { shipsPass(state, true); }
BENCHMARK(BM_ShipsSteadyPass)->Arg(100)->Arg(300)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ShipsFullScanAndWalk)->Arg(100)->Arg(300)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace tidemark::agent
