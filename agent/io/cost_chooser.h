// Picks, pass by pass, the cheaper of two ways to do a pass's work on this host. Which
// is cheaper depends on the machine (its CPU's and hypervisor's syscall costs, how many
// tasks it runs, how cold its caches get between passes), so both are measured where
// they run: passes alternate for a probe, the cheaper median is kept for a while, then
// probed again. Used for the io_uring hand-off (uring_read_batch.h) and for where ship
// processes' CPU and memory come from (ships/ship_collector.h).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <vector>

namespace tidemark::agent {

// What a probe pass is charged: the whole process's CPU time in ns, so work handed to
// other threads (io-wq workers) counts as work done inline does.
inline int64_t processCpuNs() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct CostChooserOptions {
  size_t warmup_passes = 3;  // first passes open every file: not measured
  size_t probe_passes = 16;  // alternating, half in each mode
  size_t hold_passes = 600;  // the cheaper mode's run before the next probe
};

template <typename Mode>
class CostChooser {
 public:
  // `first` runs until the first probe decides, and wins a tie.
  CostChooser(Mode first, Mode second, CostChooserOptions options = {})
      : options_(options), modes_{first, second}, kept_(first) {
    options_.probe_passes = std::max<size_t>(options_.probe_passes, 2);
    // Reserved once: recording a probe allocates nothing.
    for (auto& costs : costs_) costs.reserve(options_.probe_passes);
    if (options_.warmup_passes == 0) phase_ = Phase::kProbe;
  }

  // The mode for the coming pass.
  Mode next() const {
    // A probe alternates pass by pass, so both modes see the same stretch of the host's life.
    if (phase_ == Phase::kProbe) return modes_[passes_in_phase_ % 2];
    return kept_;
  }
  // Whether the coming pass is a probe pass, the only kind whose cost is compared:
  // the others need not be measured.
  bool probing() const { return phase_ == Phase::kProbe; }

  // What the pass that ran in next()'s mode cost (CPU, ns; ignored outside a probe);
  // moves on a pass.
  void record(int64_t cpu_ns) {
    const size_t slot = passes_in_phase_ % 2;
    ++passes_in_phase_;
    switch (phase_) {
      case Phase::kWarmup:
        if (passes_in_phase_ >= options_.warmup_passes) startPhase(Phase::kProbe);
        return;
      case Phase::kProbe:
        costs_[slot].push_back(cpu_ns);
        if (passes_in_phase_ < options_.probe_passes) return;
        for (size_t i = 0; i < 2; ++i) medians_[i] = median(costs_[i]);
        kept_ = medians_[1] < medians_[0] ? modes_[1] : modes_[0];
        ++probes_;
        for (auto& costs : costs_) costs.clear();
        startPhase(Phase::kHold);
        return;
      case Phase::kHold:
        if (passes_in_phase_ >= options_.hold_passes) startPhase(Phase::kProbe);
        return;
    }
  }

  // After a probe: the mode kept and each mode's median (ns a pass). decided() is false
  // until the first probe ends.
  bool decided() const { return probes_ > 0; }
  Mode kept() const { return kept_; }
  int64_t medianNs(Mode mode) const { return mode == modes_[0] ? medians_[0] : medians_[1]; }
  // Probes finished so far (a new decision each).
  size_t probes() const { return probes_; }

 private:
  enum class Phase : uint8_t { kWarmup, kProbe, kHold };

  void startPhase(Phase phase) {
    phase_ = phase;
    passes_in_phase_ = 0;
  }

  static int64_t median(std::vector<int64_t>& costs) {
    if (costs.empty()) return 0;
    // A pass that also read every serf's maps, or met a busy moment, is an outlier: the
    // median ignores it.
    auto middle = costs.begin() + static_cast<std::ptrdiff_t>(costs.size() / 2);
    std::nth_element(costs.begin(), middle, costs.end());
    return *middle;
  }

  CostChooserOptions options_;
  Mode modes_[2];
  Phase phase_ = Phase::kWarmup;
  size_t passes_in_phase_ = 0;
  std::vector<int64_t> costs_[2];
  Mode kept_;
  int64_t medians_[2] = {0, 0};
  size_t probes_ = 0;
};

}  // namespace tidemark::agent
