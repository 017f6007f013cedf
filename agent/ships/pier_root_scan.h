// Finds the piers under configured pier roots (every subfolder holding .urb/ is a
// pier, running or not), remembering each root's listing between scans: while a
// root's mtime stands still no entry was added, removed or renamed, so the listing,
// the path resolution and the .urb stat of the entries that were piers are reused;
// entries that were not piers are statted again (a folder can become a pier in
// place). A full scan does everything anew, so a pier whose .urb/ was removed in
// place is dropped at the next full scan.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

class PierRootScan {
 public:
  PierRootScan(FileReader& reader, ReadBatch& scan_batch, ThrottledLog& log,
               std::vector<std::string> pier_roots);

  // Calls `found` with each pier's canonical host path. `full`: nothing is reused.
  void scan(bool full, const std::function<void(const std::string& pier)>& found);

  // How many .urb stats the last scan() ran (for tests and the agent's own cost).
  size_t lastScanStats() const { return stats_; }

 private:
  struct Entry {
    std::string name;
    std::string pier;  // canonical host path, when a pier
    bool is_pier = false;
  };
  struct Root {
    std::string configured;
    uint64_t mtime_ns = 0;  // of the listing kept in `entries`; 0: none kept
    std::vector<Entry> entries;
  };
  // Lists `root` anew; false (logged) when it cannot be listed.
  bool relist(Root& root, const std::string& root_dir);

  FileReader& reader_;
  ReadBatch& scan_batch_;
  ThrottledLog& log_;
  std::vector<Root> roots_;
  std::vector<std::string> names_;
  std::vector<StatSlot> urb_slots_;
  std::vector<size_t> statted_;  // entry index of each urb slot
  size_t stats_ = 0;
};

}  // namespace tidemark::agent
