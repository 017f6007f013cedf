// Reads /proc/net/snmp and /proc/net/netstat: the protocol counters node_exporter's
// netstat collector reports by default, as node_netstat_<Proto>_<Field>.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "agent/collectors/collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the wanted counters of one file in the snmp layout ("Proto: names" line,
// then "Proto: values" line); a bad pair or value is skipped and reported.
void parseNetstat(std::string_view text, SampleWriter& out, ParseProblems& problems);

class NetstatCollector final : public Collector {
 public:
  explicit NetstatCollector(ThrottledLog& log) : log_(log) {
    for (ReadSlot& slot : slots_) slot.one_record = true;  // each written whole at once
  }

  std::string_view name() const override { return "proc_netstat"; }
  void prepare(ReadBatch& batch) override;
  void collect(SampleWriter& out) override;

 private:
  ThrottledLog& log_;
  std::array<ReadSlot, 2> slots_;  // /proc/net/snmp, /proc/net/netstat
};

}  // namespace tidemark::agent
