// A collector reads one source of host facts (a /proc file, a sysfs tree) and writes
// samples: files read every interval are queued on the pass's ReadBatch in prepare(),
// directory listings and rare reads go through the injected FileReader. Bad input is
// the normal case on a fleet: a collector logs it (throttled) and skips the bad part,
// never throws.
#pragma once

#include <memory>
#include <string_view>

#include "agent/collectors/sample_writer.h"
#include "agent/io/read_batch.h"

namespace tidemark::agent {

class Collector {
 public:
  virtual ~Collector() = default;

  // Short name used in logs and the agent's own per-collector series ("cpu", "meminfo").
  virtual std::string_view name() const = 0;

  // Queues this interval's reads and stats; the agent submits every collector's at
  // once and then calls collect(), which finds the results in its slots.
  virtual void prepare(ReadBatch& batch) { (void)batch; }

  // Reads the collector's sources and writes this interval's samples.
  virtual void collect(SampleWriter& out) = 0;
};

using CollectorPtr = std::unique_ptr<Collector>;

}  // namespace tidemark::agent
