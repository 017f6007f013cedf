#include "agent/io/hand_off_chooser.h"

#include <algorithm>

namespace tidemark::agent {

HandOffChooser::HandOffChooser(HandOffChooserOptions options) : options_(options) {
  options_.probe_passes = std::max<size_t>(options_.probe_passes, 2);
  // Reserved once: recording a probe allocates nothing.
  ring_costs_.reserve(options_.probe_passes);
  inline_costs_.reserve(options_.probe_passes);
  if (options_.warmup_passes == 0) phase_ = Phase::kProbe;
}

HandOff HandOffChooser::next() const {
  switch (phase_) {
    case Phase::kWarmup:
      return kept_;
    case Phase::kProbe:
      // Alternating pass by pass, so both modes see the same stretch of the host's life.
      return passes_in_phase_ % 2 == 0 ? HandOff::kRing : HandOff::kInline;
    case Phase::kHold:
      break;
  }
  return kept_;
}

void HandOffChooser::record(int64_t cpu_ns) {
  const HandOff mode = next();
  ++passes_in_phase_;
  switch (phase_) {
    case Phase::kWarmup:
      if (passes_in_phase_ >= options_.warmup_passes) {
        phase_ = Phase::kProbe;
        passes_in_phase_ = 0;
      }
      return;
    case Phase::kProbe:
      (mode == HandOff::kRing ? ring_costs_ : inline_costs_).push_back(cpu_ns);
      if (passes_in_phase_ < options_.probe_passes) return;
      ring_median_ns_ = median(ring_costs_);
      inline_median_ns_ = median(inline_costs_);
      // A tie keeps the ring: it is the design's path, and it spreads a pass over CPUs.
      kept_ = inline_median_ns_ < ring_median_ns_ ? HandOff::kInline : HandOff::kRing;
      ++probes_;
      ring_costs_.clear();
      inline_costs_.clear();
      phase_ = Phase::kHold;
      passes_in_phase_ = 0;
      return;
    case Phase::kHold:
      if (passes_in_phase_ >= options_.hold_passes) {
        phase_ = Phase::kProbe;
        passes_in_phase_ = 0;
      }
      return;
  }
}

int64_t HandOffChooser::median(std::vector<int64_t>& costs) {
  if (costs.empty()) return 0;
  // A pass that also read every serf's maps, or met a busy moment, is an outlier: the
  // median ignores it.
  auto middle = costs.begin() + static_cast<std::ptrdiff_t>(costs.size() / 2);
  std::nth_element(costs.begin(), middle, costs.end());
  return *middle;
}

}  // namespace tidemark::agent
