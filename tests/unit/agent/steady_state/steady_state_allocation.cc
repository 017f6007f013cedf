// A steady-state collection allocates nothing: every host collector, the batch's
// submit and the rows written into the agent's BatchBuilder, after a warm-up pass.
// Its own executable (tidemark_allocation_tests), because it replaces the global
// operator new to count, which other tests (and sanitizer builds) must not inherit.
//
// Scope: BatchBuilder::take() and what follows it (encoding, the outbox) are outside
// the counted region: take() hands the columns over and reserves fresh ones. The
// ships' slow cadences (process scans, pier walks, map counts) are not steady state:
// the clock does not advance, so after the first pass none is due.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <string>

#include "agent/batch/batch_builder.h"
#include "agent/batch/series_registry.h"
#include "agent/collectors/host_collectors.h"
#include "agent/io/plain_file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/io/uring_read_batch.h"
#include "agent/ships/ship_collector.h"
#include "common/time/clock.h"
#include "tests/support/standin_ship.h"
#include "tests/support/test_support.h"

namespace {

std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};

void* countedAlloc(size_t size) {
  if (g_counting.load(std::memory_order_relaxed))
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}

void* countedAlignedAlloc(size_t size, std::align_val_t align) {
  if (g_counting.load(std::memory_order_relaxed))
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  const size_t alignment = static_cast<size_t>(align);
  const size_t rounded = (size + alignment - 1) / alignment * alignment;
  if (void* p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded)) return p;
  throw std::bad_alloc();
}

}  // namespace

void* operator new(size_t size) { return countedAlloc(size); }
void* operator new[](size_t size) { return countedAlloc(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return countedAlloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](size_t size, const std::nothrow_t&) noexcept {
  try {
    return countedAlloc(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(size_t size, std::align_val_t align) { return countedAlignedAlloc(size, align); }
void* operator new[](size_t size, std::align_val_t align) {
  return countedAlignedAlloc(size, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { std::free(p); }

namespace tidemark::agent {
namespace {

constexpr int kWarmUpPasses = 3;
constexpr int kCountedPasses = 5;

// Runs the host collectors over `root` through `batch` and returns the allocations
// made by the passes after the warm-up.
size_t steadyStateAllocations(const std::string& root, ReadBatch& batch,
                              const HostCollectorOptions& options = {}) {
  ManualClock clock;  // not advanced: cpufreq is read in the first pass only, as in 5 min
  PlainFileReader reader(root);
  PlainReadBatch side_batch(root);  // the ships' scans; none run in the counted passes
  HostCollectors owner(reader, side_batch, clock, options);
  auto collectors = owner.take();
  const ShipCollector* ships = nullptr;
  for (const auto& collector : collectors) {
    if (auto* found = dynamic_cast<const ShipCollector*>(collector.get())) ships = found;
  }
  SeriesRegistry registry;
  BatchBuilder builder(registry);
  size_t counted = 0;
  int counted_passes = 0;
  // A pass during which a process scan or a pier walk ran is not steady state and is
  // not counted: discovery sees every ship on the host, and another test's stand-in
  // that stops asks for a scan, one whose pier changes for a walk. Bounded, so a
  // collector that scans or walks every pass still fails.
  for (int pass = 0; pass < kWarmUpPasses + 4 * kCountedPasses && counted_passes < kCountedPasses;
       ++pass) {
    const bool counting = pass >= kWarmUpPasses;
    const uint64_t slow_before = ships != nullptr ? ships->processScans() + ships->pierWalks() : 0;
    g_allocations = 0;
    g_counting = counting;
    builder.begin(clock.wallMs());
    for (auto& collector : collectors) collector->prepare(batch);
    batch.submit();
    for (auto& collector : collectors) collector->collect(builder);
    g_counting = false;
    const bool scanned =
        ships != nullptr && ships->processScans() + ships->pierWalks() != slow_before;
    if (counting && !scanned) {
      counted += g_allocations;
      ++counted_passes;
    }
    EXPECT_GT(builder.rows(), 0u);
    (void)builder.take();
  }
  EXPECT_EQ(counted_passes, kCountedPasses) << "a process scan or pier walk ran in almost every pass";
  return counted;
}

// Every op through the ring, or procfs/sysfs reads and stats inline (what --io auto
// runs where that measures cheaper): both must allocate nothing in steady state.
std::unique_ptr<UringReadBatch> uringOrNull(
    const std::string& root, std::string& why,
    UringReadBatchOptions::HandOffPolicy hand_off = UringReadBatchOptions::HandOffPolicy::kRing) {
  UringReadBatchOptions options;
  options.hand_off = hand_off;
  return UringReadBatch::create(root, why, options);
}

// Logging stays on: a warning that got past its throttle every pass would count.
class SteadyStateAllocationTest : public ::testing::Test {
 protected:
  const std::string fixture_ = tidemark::testing::fixturePath("hosts/basic");
};

TEST_F(SteadyStateAllocationTest, FixtureHostThroughPlainReads) {
  PlainReadBatch batch(fixture_);
  EXPECT_EQ(steadyStateAllocations(fixture_, batch), 0u);
}

TEST_F(SteadyStateAllocationTest, FixtureHostThroughIoUring) {
  std::string why;
  auto batch = uringOrNull(fixture_, why);
  if (!batch) GTEST_SKIP() << "io_uring is refused on this machine: " << why;
  EXPECT_EQ(steadyStateAllocations(fixture_, *batch), 0u);
}

TEST_F(SteadyStateAllocationTest, RealHostThroughPlainReads) {
  PlainReadBatch batch("/");
  EXPECT_EQ(steadyStateAllocations("/", batch), 0u);
}

TEST_F(SteadyStateAllocationTest, RealHostThroughIoUring) {
  std::string why;
  auto batch = uringOrNull("/", why);
  if (!batch) GTEST_SKIP() << "io_uring is refused on this machine: " << why;
  EXPECT_EQ(steadyStateAllocations("/", *batch), 0u);
}

TEST_F(SteadyStateAllocationTest, RealHostThroughIoUringInline) {
  std::string why;
  auto batch = uringOrNull("/", why, UringReadBatchOptions::HandOffPolicy::kInline);
  if (!batch) GTEST_SKIP() << "io_uring is refused on this machine: " << why;
  EXPECT_EQ(steadyStateAllocations("/", *batch), 0u);
}

// The measured choice: its warm-up, then probe passes alternating the two.
TEST_F(SteadyStateAllocationTest, RealHostThroughIoUringMeasured) {
  std::string why;
  auto batch = uringOrNull("/", why, UringReadBatchOptions::HandOffPolicy::kMeasured);
  if (!batch) GTEST_SKIP() << "io_uring is refused on this machine: " << why;
  EXPECT_EQ(steadyStateAllocations("/", *batch), 0u);
}

// A host running ships: two stand-in ships (king + serf each, one with an HTTP
// port) and a pier that is down, under a pier root, on the real /proc.
class ShipsSteadyStateAllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string piers = std::filesystem::canonical(dir_.path()).string() + "/piers";
    std::filesystem::create_directories(piers);
    for (const char* name : {"sampel-palnet", "zod", "marzod"})
      tidemark::testing::makeStandinPier(piers + "/" + name, {.epochs = 2});
    ships_.push_back(std::make_unique<tidemark::testing::StandinShip>(
        dir_.str() + "/bin", piers + "/sampel-palnet",
        std::vector<std::string>{"--http-port", "8089"}));
    ships_.push_back(std::make_unique<tidemark::testing::StandinShip>(dir_.str() + "/bin",
                                                                      piers + "/zod"));
    options_.ships.pier_roots = {piers};
  }

  tidemark::testing::TempDir dir_;
  std::vector<std::unique_ptr<tidemark::testing::StandinShip>> ships_;
  HostCollectorOptions options_;
};

TEST_F(ShipsSteadyStateAllocationTest, RunningShipsThroughPlainReads) {
  PlainReadBatch batch("/");
  EXPECT_EQ(steadyStateAllocations("/", batch, options_), 0u);
}

TEST_F(ShipsSteadyStateAllocationTest, RunningShipsThroughIoUring) {
  std::string why;
  auto batch = uringOrNull("/", why);
  if (!batch) GTEST_SKIP() << "io_uring is refused on this machine: " << why;
  EXPECT_EQ(steadyStateAllocations("/", *batch, options_), 0u);
}

TEST_F(ShipsSteadyStateAllocationTest, RunningShipsThroughIoUringInline) {
  std::string why;
  auto batch = uringOrNull("/", why, UringReadBatchOptions::HandOffPolicy::kInline);
  if (!batch) GTEST_SKIP() << "io_uring is refused on this machine: " << why;
  EXPECT_EQ(steadyStateAllocations("/", *batch, options_), 0u);
}

// The kings' and serfs' CPU and memory from the BPF task iterator instead of /proc.
TEST_F(ShipsSteadyStateAllocationTest, RunningShipsThroughTheTaskIterator) {
  std::string why;
  if (!BpfTaskSampler::open(why)) GTEST_SKIP() << "the kernel refuses the task iterator: " << why;
  options_.ships.process_stats = ProcessStatsSource::kTaskIterator;
  PlainReadBatch batch("/");
  EXPECT_EQ(steadyStateAllocations("/", batch, options_), 0u);
}

// The counter itself works: without this the zeros above would prove nothing.
TEST(AllocationCounterTest, CountsAnAllocation) {
  g_allocations = 0;
  g_counting = true;
  auto* value = new std::string(100, 'x');
  g_counting = false;
  delete value;
  EXPECT_GE(g_allocations.load(), 2u);
}

}  // namespace
}  // namespace tidemark::agent
