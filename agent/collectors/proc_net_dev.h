// Reads /proc/net/dev: per-interface receive and transmit counters under
// node_exporter's node_network_* names, labelled by `device`.
#pragma once

#include <string>
#include <string_view>

#include "agent/collectors/file_collector.h"
#include "agent/collectors/parse_util.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// Writes the samples of /proc/net/dev `text`; a bad line is skipped and reported.
void parseNetDev(std::string_view text, SampleWriter& out, ParseProblems& problems);

class NetDevCollector final : public FileCollector {
 public:
  explicit NetDevCollector(ThrottledLog& log)
      : FileCollector("proc_net_dev", "/proc/net/dev", parseNetDev, log,
                      // One record per interface (and the header): a name of at most
                      // 15 bytes and 16 counters of at most 20 digits.
                      {.max_record_bytes = 512}) {}
};

}  // namespace tidemark::agent
