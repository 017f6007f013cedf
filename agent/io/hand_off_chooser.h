// Decides, pass by pass, whether the ops io_uring can only run on an io-wq worker
// (procfs and sysfs reads, statx) go through the ring or run inline on the collecting
// thread. Which is cheaper depends on the machine: a worker hand-off costs a few
// context switches, a syscall costs whatever the CPU's and hypervisor's entry costs
// are. So both are measured on this host: passes alternate for a probe, the cheaper
// median is kept for a while, then probed again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tidemark::agent {

enum class HandOff : uint8_t { kRing, kInline };

struct HandOffChooserOptions {
  size_t warmup_passes = 3;  // first passes open every file: not measured
  size_t probe_passes = 16;  // alternating, half in each mode
  size_t hold_passes = 600;  // the cheaper mode's run before the next probe
};

class HandOffChooser {
 public:
  explicit HandOffChooser(HandOffChooserOptions options = {});

  // The mode for the coming pass.
  HandOff next() const;
  // Whether the coming pass is a probe pass, the only kind whose cost is compared:
  // the others need not be measured.
  bool probing() const { return phase_ == Phase::kProbe; }
  // What the pass that ran in next()'s mode cost (process CPU, ns; ignored outside a
  // probe); moves on a pass.
  void record(int64_t cpu_ns);

  // After a probe: the mode kept and both medians (ns a pass). decided() is false
  // until the first probe ends.
  bool decided() const { return probes_ > 0; }
  HandOff kept() const { return kept_; }
  int64_t ringMedianNs() const { return ring_median_ns_; }
  int64_t inlineMedianNs() const { return inline_median_ns_; }
  // Probes finished so far (a new decision each).
  size_t probes() const { return probes_; }

 private:
  enum class Phase : uint8_t { kWarmup, kProbe, kHold };
  static int64_t median(std::vector<int64_t>& costs);

  HandOffChooserOptions options_;
  Phase phase_ = Phase::kWarmup;
  size_t passes_in_phase_ = 0;
  std::vector<int64_t> ring_costs_;
  std::vector<int64_t> inline_costs_;
  HandOff kept_ = HandOff::kRing;
  int64_t ring_median_ns_ = 0;
  int64_t inline_median_ns_ = 0;
  size_t probes_ = 0;
};

}  // namespace tidemark::agent
