// Batches the controller has not acknowledged yet, oldest first, kept on disk so
// they survive a crash (SIGKILL, OOM kill, power loss) and a reboot. Bounded: when
// full, the oldest batches are dropped and counted, never the newest, and never a
// crash.
//
// On disk (see outbox_record.h and outbox_storage.h):
// * Segments DIR/00000001.seg, ...: each batch is appended as one record
//   (magic, length, CRC-32C, payload) to the newest segment, which is closed at
//   `segment_bytes` (4 MiB) and a new one started. Records are never rewritten.
// * The state file (STATE_DIR/counters): "done through" (every sequence up to it
//   is acked or dropped), sequences dropped one by one after it, and the lifetime
//   counters (collected, acked, dropped), replaced atomically (write temp, rename).
// * A segment is deleted as a whole once none of its records is pending, after the
//   state file saying so has been fsynced: a segment is never gone while the
//   durable marker still counts its records as pending.
//
// Durability (why each write is or is not synced):
// * push() writes the record at once (a crash of the agent, SIGKILL or OOM kill,
//   cannot lose it: it is in the page cache) but fdatasyncs it only at the next
//   push, and only if the controller has not acknowledged it by then. The controller
//   usually acks within milliseconds, so a healthy agent never waits on the disk,
//   and while the controller is away every batch is durable one interval after it
//   was collected. A power loss or kernel crash can so lose the newest batch
//   (at most one interval of data, collected just before the host went down), and
//   nothing older. Those batches are listed as not yet durable in the state file;
//   one missing after a power loss is counted as dropped on the next start.
// * The state file is not fsynced on every push or ack, only before segments are
//   deleted. A crash (SIGKILL) cannot lose a rename. After a power loss the file may
//   be older than the segments; nothing is lost either way: records newer than
//   the file's "pushed through" are counted as collected on load; records the file
//   does not know as acked are sent again and acked as duplicates (and counted
//   acked then); drops the file forgot are redone by the bounds. Because marker and
//   counters are one file, they never disagree: collected = acked + dropped +
//   pending holds after any crash.
// * When the disk refuses a write (ENOSPC, EDQUOT, EIO on write or fdatasync), the
//   batch stays in memory, counted as collected, and one line is logged with the
//   path and errno. Every later push tries again, oldest first; batches that only
//   lived in memory and were lost in a crash are counted as dropped on the next
//   start.
// * On open, every record after the marker is loaded in order; damaged records
//   (bad CRC) are skipped and counted, a torn tail (a crash mid-append) is cut off,
//   each logged with path and offset. New records always go to a new segment.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/outbox/outbox_storage.h"
#include "common/wire/agent_link_codec.h"

namespace tidemark::agent {

struct OutboxOptions {
  // Most batches kept. Default: 8640 (a day at a 10 s interval).
  size_t max_batches = 8640;
  // Most record bytes kept (about 12 bytes a sample). Memory use is about the
  // same; disk use stays under this plus one segment. Default: 64 MiB.
  size_t max_bytes = 64u << 20;
  // Size at which a segment is closed and a new one started. Default: 4 MiB.
  size_t segment_bytes = 4u << 20;
};

struct PendingBatch {
  wire::MetricBatchData batch;
  int64_t sent_at_ms = -1;  // monotonic; -1 while not sent since the last (re)send request
  // The outbox's bookkeeping: the segment holding the batch's record (0 while the
  // batch is only in memory, the disk having refused it) and the record's size.
  uint32_t segment = 0;
  uint32_t record_bytes = 0;
};

// Since the state dir was created. collected = acked + dropped + pending.
struct OutboxCounters {
  uint64_t batches_collected = 0;
  uint64_t samples_collected = 0;
  uint64_t batches_acked = 0;
  uint64_t samples_acked = 0;
  uint64_t batches_dropped = 0;
  uint64_t samples_dropped = 0;
};

class Outbox {
 public:
  // Opens the outbox in `storage` and loads the pending batches. Throws
  // std::runtime_error when the storage cannot be read at all.
  Outbox(std::unique_ptr<OutboxStorage> storage, OutboxOptions options);
  // Segments in `dir`, state file at `state_path`.
  Outbox(const std::string& dir, const std::string& state_path, OutboxOptions options);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Appends a batch (durably, see above); drops the oldest while over a bound.
  // Returns how many were dropped.
  size_t push(wire::MetricBatchData batch);

  // Removes every batch with sequence <= `sequence`, counts them acked and calls
  // `on_remove` for each.
  template <typename F>
  size_t acknowledgeThrough(uint64_t sequence, F&& on_remove) {
    size_t removed = 0;
    while (!pending_.empty() && pending_.front().batch.sequence <= sequence) {
      on_remove(pending_.front().batch);
      counters_.samples_acked += pending_.front().batch.values.size();
      ++counters_.batches_acked;
      popFront();
      ++removed;
    }
    if (removed > 0) commit();
    return removed;
  }

  // Drops the one batch with this sequence (the controller refused it for good).
  bool drop(uint64_t sequence);

  // Marks every batch from `sequence` on as unsent, so the next send starts there.
  void resendFrom(uint64_t sequence);

  // Writes the batches the disk refused so far, oldest first (push() does this too).
  void retryWrites();

  // Fdatasyncs every pending record written but not synced yet. push() does this
  // first, and the destructor last; a failure is logged once and tried again.
  void makeDurable();

  std::deque<PendingBatch>& pending() { return pending_; }
  const std::deque<PendingBatch>& pending() const { return pending_; }
  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }
  // Record bytes of the pending batches (what max_bytes bounds).
  size_t bytes() const { return bytes_; }
  const OutboxCounters& counters() const { return counters_; }
  uint64_t droppedBatches() const { return counters_.batches_dropped; }
  uint64_t droppedSamples() const { return counters_.samples_dropped; }
  // Pending batches held only in memory because the disk refused them.
  size_t unwritten() const { return unwritten_; }
  // Failed record writes since this process opened the outbox.
  uint64_t writeErrors() const { return write_errors_; }
  // Damaged records skipped (and torn tails cut) when the outbox was opened.
  uint64_t corruptRecords() const { return corrupt_records_; }
  // The oldest sequence still held; `next_sequence` when empty.
  uint64_t oldestSequence(uint64_t next_sequence) const {
    return pending_.empty() ? next_sequence : pending_.front().batch.sequence;
  }

 private:
  void load();
  bool parseState(const std::string& text, std::map<uint64_t, uint64_t>& unwritten);
  const std::string& encodeState();
  // Removes the oldest batch (not counted here) and releases what it held.
  void popFront();
  void release(const PendingBatch& pending);
  size_t dropOverBounds();
  void writePending();
  // Saves the state file; deletes the segments nothing pending is left in.
  void commit();

  std::unique_ptr<OutboxStorage> storage_;
  OutboxOptions options_;
  std::deque<PendingBatch> pending_;
  size_t bytes_ = 0;
  // The last `unwritten_` batches of pending_ are only in memory. Records go to
  // disk in sequence order, so once one is refused the later ones wait behind it.
  size_t unwritten_ = 0;
  // The last `undurable_` batches of pending_ are not known to be on disk: unwritten,
  // or written and not synced yet (unwritten_ <= undurable_). Their segments:
  size_t undurable_ = 0;
  std::set<uint32_t> unsynced_segments_;
  OutboxCounters counters_;
  uint64_t done_through_ = 0;    // every sequence up to here is acked or dropped
  uint64_t pushed_through_ = 0;  // the newest sequence counted as collected
  std::set<uint64_t> dropped_;   // sequences after done_through_ dropped one by one
  std::map<uint32_t, size_t> live_;  // segment -> its records still pending
  std::vector<uint32_t> doomed_;     // segments to delete once the state is durable
  uint32_t active_segment_ = 0;
  uint32_t next_segment_ = 1;
  size_t active_bytes_ = 0;
  bool roll_ = true;  // the next record starts a new segment
  std::string scratch_;
  std::string state_text_;  // encodeState()'s, reused
  uint64_t write_errors_ = 0;
  uint64_t corrupt_records_ = 0;
  bool write_failing_ = false;  // logged once until a write succeeds again
  bool sync_failing_ = false;
  bool state_failing_ = false;
};

}  // namespace tidemark::agent
