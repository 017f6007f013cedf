// One shard's part of the remote-write queue on disk: numbered segment files of
// records (queue_record.h) in DIR, and DIR/cursor, the position up to which records
// were delivered (or deliberately dropped). One appender thread (ingest) and one
// reader thread (the shard's sender); internally locked.
//
// * Appends go to the page cache at once and reach the disk in groups: sync() (the
//   sender calls it every loop) fdatasyncs what was appended since the last one.
// * Bounded: when an append would take the queue over `max_bytes`, the oldest
//   segments are deleted first, and the undelivered samples in them counted as dropped;
//   a remote that is down for long loses its oldest samples, never the newest.
// * Restart: the cursor file is rewritten (atomically) at most once a second and at
//   close, so a restarted controller resumes where it was; records delivered in the
//   last second before a crash are delivered again (remote-write receivers accept an
//   identical sample twice). A torn append at the end of the newest segment is cut
//   off at open; a record whose CRC fails is skipped and counted.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

namespace tidemark::controller::remote_write {

struct QueuedRecord {
  std::string payload;
  uint32_t samples = 0;
  int64_t enqueued_ms = 0;
};

struct ShardQueueStats {
  uint64_t bytes = 0;            // segment bytes on disk
  uint64_t unsent_samples = 0;   // appended, not yet delivered or dropped
  int64_t oldest_unsent_ms = 0;  // enqueue time of the oldest of them; 0 when none
  uint64_t dropped_samples = 0;  // deleted undelivered to stay under the bound
  uint64_t damaged_regions = 0;  // skipped because their CRC or framing failed
};

class ShardQueue {
 public:
  // Opens (creating DIR when missing) and scans the segments. Throws
  // std::runtime_error naming the path and the system's reason.
  ShardQueue(std::string dir, uint64_t max_bytes, uint64_t segment_bytes);
  ~ShardQueue();  // persists the cursor
  ShardQueue(const ShardQueue&) = delete;
  ShardQueue& operator=(const ShardQueue&) = delete;

  // Appends one record. Returns an empty string, or why it was not written (path and
  // errno text); a record larger than the bound is refused and counted as dropped.
  std::string append(std::string_view payload, uint32_t samples, int64_t enqueued_ms);

  // The next record after the read position, moving the read position past it;
  // false when everything appended has been read.
  bool next(QueuedRecord& out);
  // Everything read so far is done: the cursor moves to the read position, finished
  // segments are deleted, and the cursor file is rewritten when `now_ms` is at
  // least a second after the last rewrite (or `force`).
  void commitRead(int64_t now_ms, bool force = false);
  // Samples appended and not read yet (the sender's "is a batch full" test).
  uint64_t unreadSamples() const;
  // Enqueue time of the oldest unread record; 0 when none.
  int64_t oldestUnreadMs() const;

  // fdatasyncs the appends since the last call (and the folder after a new segment).
  // Returns an empty string or the error.
  std::string sync();

  ShardQueueStats stats() const;
  const std::string& dir() const { return dir_; }

 private:
  struct Segment {
    uint32_t id = 0;
    uint64_t bytes = 0;
    uint64_t samples = 0;  // in intact records
  };
  struct Position {
    uint32_t segment = 0;
    uint64_t offset = 0;
    uint64_t samples_before = 0;  // samples of the segment before `offset`
  };
  std::string segmentPath(uint32_t id) const;
  void load();
  void loadCursor();
  void writeCursorLocked();
  std::string openActiveLocked(uint32_t id);
  void dropOldestLocked();
  // Header of the record at `at` (its enqueue time), 0 when none is there.
  int64_t enqueuedAtLocked(const Position& at) const;
  const Segment* findLocked(uint32_t id) const;
  // Moves `at` to the start of the next segment when it sits at the end of a sealed one.
  void normalizeLocked(Position& at) const;

  std::string dir_;
  uint64_t max_bytes_;
  uint64_t segment_bytes_;
  mutable std::mutex mutex_;
  std::deque<Segment> segments_;  // oldest first; the last is appended to
  int active_fd_ = -1;
  bool dirty_ = false;
  bool folder_dirty_ = false;
  Position cursor_;
  Position read_;
  uint64_t unsent_samples_ = 0;
  uint64_t unread_samples_ = 0;
  uint64_t in_flight_samples_ = 0;  // read, not yet committed
  uint64_t bytes_ = 0;
  uint64_t dropped_samples_ = 0;
  uint64_t damaged_regions_ = 0;
  int64_t cursor_written_ms_ = 0;
  std::string written_cursor_;
};

}  // namespace tidemark::controller::remote_write
