// Reads pressure stall information from /proc/pressure/{cpu,memory,io}: total time
// tasks waited ("some") or all stalled ("full"), named as node_exporter names them.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

enum class PressureResource { kCpu, kMemory, kIo };

// Writes the stall totals of one /proc/pressure/<resource> `text`. The cpu "full"
// line (kernel 5.13+) is ignored, as node_exporter does.
void parsePressure(PressureResource resource, std::string_view text, SampleWriter& out,
                   ParseProblems& problems);

class PressureCollector final : public Collector {
 public:
  explicit PressureCollector(ThrottledLog& log) : log_(log) {
    for (ReadSlot& slot : slots_) slot.one_record = true;  // each written whole at once
  }

  std::string_view name() const override { return "proc_pressure"; }
  void prepare(ReadBatch& batch) override;
  void collect(SampleWriter& out) override;

 private:
  ThrottledLog& log_;
  std::array<ReadSlot, 3> slots_;  // cpu, memory, io
  // A kernel without PSI (or booted with psi=0) is normal: say so once, not every interval.
  bool reported_unavailable_ = false;
};

}  // namespace tidemark::agent
