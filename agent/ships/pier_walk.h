// Measures piers on disk. A full walk (listing through FileReader, statx through a
// ReadBatch, one submission per tree level for all piers at once) runs on a slow
// cadence; in between, PierSize::applyCheap() re-stats only the files that grow or
// shrink (the newest epoch's data.mdb, the snapshot) and corrects the walk's totals.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/io/file_reader.h"
#include "agent/io/read_batch.h"
#include "common/logging/throttled_log.h"

namespace tidemark::agent {

// A file the cheap update re-stats, with what the last walk saw of it.
struct TrackedFile {
  enum class Kind { kNewestEpochLog, kPreEpochLog, kSnapshot };
  std::string path;
  Kind kind = Kind::kSnapshot;
  uint64_t walk_size = 0;       // st_size at the walk
  uint64_t walk_allocated = 0;  // st_blocks * 512 at the walk
};

// What a walk found in one pier. Sizes of parts are apparent sizes (st_size): the
// snapshot's size is what the loom holds; the pier total is allocated bytes.
struct PierSize {
  bool walked = false;
  uint64_t allocated_bytes = 0;  // st_blocks * 512 of every file and folder under the pier
  uint64_t event_log_bytes = 0;  // every epoch's data.mdb, plus a pre-epoch .urb/log/data.mdb
  uint64_t newest_epoch_bytes = 0;
  uint64_t epochs = 0;
  uint64_t snapshot_bytes = 0;    // image.bin, or north.bin + south.bin
  uint64_t log_dir_mtime_ns = 0;  // .urb/log and .urb/chk as the walk saw them: a change
  uint64_t chk_dir_mtime_ns = 0;  // (new epoch, other snapshot files) calls for a new walk
  std::vector<TrackedFile> tracked;
};

// The current sizes, from a walk corrected by fresh stats of its tracked files
// (`fresh[i]` for `size.tracked[i]`; a missing file counts as 0).
struct PierSizeNow {
  uint64_t allocated_bytes = 0;
  uint64_t event_log_bytes = 0;
  uint64_t newest_epoch_bytes = 0;
  uint64_t snapshot_bytes = 0;
};
PierSizeNow applyCheap(const PierSize& size, const std::vector<StatSlot>& fresh);

class PierWalker {
 public:
  // `walk_batch` is the walker's own: a walk needs one submission per tree level.
  PierWalker(FileReader& reader, ReadBatch& walk_batch, ThrottledLog& log)
      : reader_(reader), batch_(walk_batch), log_(log) {}

  // Walks every pier in `piers` (absolute host paths); `sizes[i]` gets piers[i]'s.
  // A pier that cannot be listed gets walked = false.
  void walk(const std::vector<std::string>& piers, std::vector<PierSize>& sizes);

  // Entries statted by the last walk, for tests and cost reports.
  size_t lastWalkEntries() const { return last_entries_; }

  // Deeper trees or more entries are not walked further (a pier holds a few dozen
  // files; a runaway tree must not stall the agent).
  static constexpr size_t kMaxDepth = 16;
  static constexpr size_t kMaxEntriesPerPier = 100'000;

 private:
  FileReader& reader_;
  ReadBatch& batch_;
  ThrottledLog& log_;
  std::vector<std::string> names_;
  size_t last_entries_ = 0;
};

}  // namespace tidemark::agent
