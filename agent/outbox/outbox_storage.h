// Where the outbox keeps its records: numbered segment files in one folder, and a
// small state file (the "done through" marker and the lifetime counters) that is
// replaced atomically. An interface, so tests can make the disk fill up (ENOSPC)
// or fsync fail without a tiny filesystem.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tidemark::agent {

class OutboxStorage {
 public:
  virtual ~OutboxStorage() = default;

  // For log lines and errors.
  virtual std::string segmentPath(uint32_t segment) const = 0;
  virtual std::string statePath() const = 0;

  // The segments present, ascending. Throws std::runtime_error when the folder cannot be read.
  virtual std::vector<uint32_t> listSegments() = 0;
  // A whole segment into `out`. Returns 0 or an errno.
  virtual int readSegment(uint32_t segment, std::string& out) = 0;
  // Appends to `segment` (created when missing; its name made durable at once, by an
  // fsync of the folder) and returns 0 once the bytes are in the page cache: a
  // crash of the process cannot lose them, a power loss can until sync(). Returns
  // an errno on failure, after cutting the segment back to its size before the call
  // where it can.
  virtual int append(uint32_t segment, const void* data, size_t size) = 0;
  // Makes what was appended to `segment` durable (fdatasync). Returns 0 or an errno;
  // 0 too for a segment no longer there.
  virtual int sync(uint32_t segment) = 0;
  virtual int truncate(uint32_t segment, uint64_t size) = 0;
  virtual int remove(uint32_t segment) = 0;

  // The state's last text written; nullopt when there is none (or none readable).
  // Throws on read errors other than ENOENT.
  virtual std::optional<std::string> readState() = 0;
  // Replaces the state atomically: a crash leaves the old text or the new one.
  // With `durable`, the new text is on disk when this returns 0 (a power loss
  // cannot bring back an older one). Returns 0 or an errno.
  virtual int writeState(const std::string& text, bool durable) = 0;
};

// The real thing: segments DIR/00000001.seg, ... and the state file at `state_path`.
//
// The state file is written on every push and ack, so it is not replaced by
// rename (on ext4 each rename-over flushes the new file's blocks: ~0.5 ms) but
// holds two slots written in place, like a filesystem's double superblock:
//   slot i at offset i * S (S = file size / 2, 4 KiB unless the text grew):
//     u32 magic "TMS1", u32 text length, u64 generation, u32 CRC-32C of the
//     generation, length and text, then the text
// The newest readable generation wins. Ordinary writes go to the slot that does
// not hold the last durable generation, durable ones too, then fdatasync and that
// slot becomes the durable one: a write torn by a crash or a power loss costs at
// most the writes since the last durable one, never the durable state itself.
// A text too large for a slot rewrites the file with larger slots (temp file,
// fsync, rename, fsync of the folder).
class FileOutboxStorage final : public OutboxStorage {
 public:
  // Creates `dir` (mode 0700) when missing; throws std::runtime_error when it cannot.
  // `sync` = false skips fdatasync/fsync (benchmarks only: not crash-safe).
  FileOutboxStorage(std::string dir, std::string state_path, bool sync = true);
  ~FileOutboxStorage() override;
  FileOutboxStorage(const FileOutboxStorage&) = delete;
  FileOutboxStorage& operator=(const FileOutboxStorage&) = delete;

  std::string segmentPath(uint32_t segment) const override;
  std::string statePath() const override { return state_path_; }
  std::vector<uint32_t> listSegments() override;
  int readSegment(uint32_t segment, std::string& out) override;
  int append(uint32_t segment, const void* data, size_t size) override;
  int sync(uint32_t segment) override;
  int truncate(uint32_t segment, uint64_t size) override;
  int remove(uint32_t segment) override;
  std::optional<std::string> readState() override;
  int writeState(const std::string& text, bool durable) override;

 private:
  void closeActive();
  int syncFolder(const std::string& folder);
  int rewriteState(const std::string& text);

  std::string dir_;
  std::string state_path_;
  bool sync_;
  // The segment appended to last, kept open.
  uint32_t open_segment_ = 0;
  int fd_ = -1;
  uint64_t open_size_ = 0;
  // The state file, open for in-place writes.
  int state_fd_ = -1;
  uint64_t slot_bytes_ = 0;
  uint64_t generation_ = 0;
  int durable_slot_ = 0;
};

}  // namespace tidemark::agent
