// Builds the list of host collectors from the agent's options; main wires it, no
// self-registration. The returned set owns what the collectors share (the
// throttled log, the statfs worker).
#pragma once

#include <memory>
#include <vector>

#include "agent/collectors/collector.h"
#include "agent/collectors/filesystem.h"
#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "agent/ships/ship_collector.h"
#include "common/logging/throttled_log.h"
#include "common/time/clock.h"

namespace tidemark::agent {

struct HostCollectorOptions {
  int64_t slow_interval_ms = 300'000;
  FilesystemCollectorOptions filesystems;
  ShipCollectorOptions ships;
};

class HostCollectors {
 public:
  // `side_batch` serves collectors that need several rounds of reads within one
  // pass (the ships' process scan and pier walks); same backend as the agent's batch.
  HostCollectors(FileReader& reader, ReadBatch& side_batch, const Clock& clock,
                 const HostCollectorOptions& options);
  ~HostCollectors();

  // Hands the collectors over (they keep references into this object, which must outlive them).
  std::vector<CollectorPtr> take() { return std::move(collectors_); }

 private:
  ThrottledLog log_;
  std::unique_ptr<FilesystemStatter> statter_;
  StatvfsStatter in_memory_statter_;
  std::vector<CollectorPtr> collectors_;
};

}  // namespace tidemark::agent
