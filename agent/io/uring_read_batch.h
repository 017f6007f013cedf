// ReadBatch on io_uring: a whole collection's reads and stats go to the kernel with one
// wait per round (opens, then reads, then the reads that confirm a file's end). Files
// the kernel regenerates on every read (procfs, sysfs, cgroupfs) keep their fd open
// between passes, so a steady-state pass is one IORING_OP_READ at offset 0 per file,
// with no open or close. Those fds are also registered with the ring (fixed files),
// so a read takes no file reference and looks up no flags. io_uring can only hand such
// reads (and statx) to io-wq workers; where a plain syscall on the calling thread
// measures cheaper (HandOffChooser), they run inline and the rest stays in the ring.
#pragma once

#include <fcntl.h>
#include <liburing.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "agent/io/cost_chooser.h"
#include "agent/io/read_batch.h"

namespace tidemark::agent {

// Where a pass's procfs/sysfs reads and stats run: handed to io-wq workers through the
// ring, or done inline on the collecting thread.
enum class HandOff : uint8_t { kRing, kInline };
using HandOffChooser = CostChooser<HandOff>;

struct UringReadBatchOptions {
  // Submission queue entries (the completion queue has twice as many). A pass with more
  // ops than this is handed over in several submissions before its one wait. Default:
  // 256, a host with 100 ships' whole pass (about 230 ops).
  unsigned ring_entries = 256;
  // Open fds kept between passes; past this, new files are opened and closed per pass.
  // Default: 512.
  size_t max_cached_fds = 512;
  // Where ops that only an io-wq worker can run (procfs and sysfs reads, statx by path)
  // go: measured on this host (see cost_chooser.h), always the ring, or always inline.
  enum class HandOffPolicy : uint8_t { kMeasured, kRing, kInline };
  HandOffPolicy hand_off = HandOffPolicy::kMeasured;
  CostChooserOptions chooser;
  // The process's CPU time in ns, workers included; empty: CLOCK_PROCESS_CPUTIME_ID.
  // Tests inject costs.
  std::function<int64_t()> process_cpu_ns;
};

// Used by the thread that created it only (the ring is IORING_SETUP_SINGLE_ISSUER
// where the kernel has it).
class UringReadBatch final : public ReadBatch {
 public:
  // How the ring is set up: io_uring_queue_init in production; tests inject refusals.
  using RingInit = int (*)(unsigned entries, struct io_uring* ring, unsigned flags);

  // A ready batch, or null with `why` saying what the kernel refused ("io_uring_setup:
  // Operation not permitted (EPERM): ...", "kernel lacks IORING_OP_STATX").
  static std::unique_ptr<UringReadBatch> create(std::string_view root, std::string& why,
                                                UringReadBatchOptions options = {},
                                                RingInit init = &io_uring_queue_init);
  ~UringReadBatch() override;
  UringReadBatch(const UringReadBatch&) = delete;
  UringReadBatch& operator=(const UringReadBatch&) = delete;

  // ReadBatch
  void queueRead(std::string_view path, ReadSlot& slot) override;
  void queueStat(std::string_view path, StatSlot& slot) override;
  void queueStatAt(int dirfd, std::string_view relative, StatSlot& slot) override;
  void submit() override;
  const std::string& root() const override { return root_; }
  std::string_view backend() const override { return "io_uring"; }

  // Open fds kept for the next pass (for tests and the agent's own metrics).
  size_t cachedFds() const { return fds_.size(); }
  // How many of them are registered with the ring (0 where the kernel, before 5.19,
  // has no sparse file table: they are then read by fd).
  size_t fixedFiles() const { return fixed_slots_ - free_slots_.size(); }
  // io_uring_enter calls made by the last submit(), and how many of them waited.
  size_t lastSubmissions() const { return last_submissions_; }
  size_t lastWaits() const { return last_waits_; }
  // Where the last submit() ran its worker-bound ops, and the measurements behind it.
  HandOff lastHandOff() const { return last_hand_off_; }
  const HandOffChooser& handOffChooser() const { return chooser_; }

 private:
  enum class Step : uint8_t { kOpen, kRead, kStat, kDone };
  struct Op {
    ReadSlot* read = nullptr;
    StatSlot* stat = nullptr;
    Step step = Step::kDone;
    int fd = -1;
    int fixed = -1;            // the fd's slot in the ring's file table, when registered
    int dirfd = AT_FDCWD;      // stats: what the path is relative to
    bool cached = false;       // fd belongs to fds_; otherwise closed when the op is done
    bool confirm_eof = false;  // procfs: a short read is not proof of the end
    bool blocking = false;     // procfs/sysfs: reads cannot be done without blocking
    size_t used = 0;           // bytes of the file read so far
  };
  struct CachedFd {
    int fd = -1;
    int fixed = -1;
    bool confirm_eof = false;
    bool blocking = false;
    uint64_t last_pass = 0;
  };
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };

  UringReadBatch(std::string_view root, UringReadBatchOptions options);
  std::string& nextPath(std::string_view path);
  // Sets the op's first step from the fd cache, or does it at once (the stat of an
  // fd itself, which resolves no path) and leaves it kDone.
  void start(size_t index);
  void prepareSqe(size_t index, struct io_uring_sqe* sqe);
  void complete(size_t index, int result);
  void completeOpen(size_t index, int result);
  void completeRead(size_t index, int result);
  void readMore(size_t index);
  // procfs and sysfs reads and statx by path: io_uring hands them to an io-wq worker.
  bool runsOnWorker(const Op& op) const;
  // Does one step of such an op with a plain syscall, as its completion would.
  void runInline(size_t index);
  HandOff handOffForPass() const;
  int64_t processCpuNs() const;
  void recordPassCost(int64_t cpu_ns);
  void finishRead(Op& op, int error);
  // When the ring itself fails mid-pass: the ops not yet done are run with plain syscalls.
  void finishPlainly();
  void evictUnused();
  // Registers a newly cached fd in a free slot of the ring's file table; -1 when
  // there is no table or no free slot (the fd is then read as it is).
  int registerFixed(int fd);
  // Closes a cached fd and frees its slot.
  void release(const CachedFd& cached);

  std::string root_;
  UringReadBatchOptions options_;
  struct io_uring ring_ {};
  bool ring_ready_ = false;
  uint64_t pass_ = 0;
  size_t last_submissions_ = 0;
  size_t last_waits_ = 0;
  HandOffChooser chooser_;
  HandOff last_hand_off_ = HandOff::kRing;
  std::vector<Op> ops_;
  std::vector<std::string> paths_;  // resolved, parallel to ops_; reused between passes
  std::vector<uint32_t> ready_;     // ops waiting for an SQE, follow-ups appended in order
  std::unordered_map<std::string, CachedFd, PathHash, std::equal_to<>> fds_;
  size_t fixed_slots_ = 0;       // the ring's file table size (0: none)
  std::vector<int> free_slots_;  // its unused slots
};

}  // namespace tidemark::agent
