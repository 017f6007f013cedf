#include "agent/io/uring_read_batch.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "agent/io/file_reader.h"
#include "agent/io/plain_read_batch.h"
#include "agent/io/regenerated_file.h"

namespace tidemark::agent {
namespace {

// A slot's buffer keeps the capacity its file needed and grows by doubling; most
// files read every pass are small (/proc/PID/stat: about 300 bytes).
constexpr size_t kFirstReadBytes = 1024;
// Completions of work done on io-wq workers (every procfs read and every statx) are
// run when the collecting thread waits for the whole submission, instead of each
// completion waking it (task_work) while a pass's few hundred ops drain.
constexpr unsigned kDeferredCompletions = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;

struct RequiredOp {
  int opcode;
  const char* name;
};
constexpr RequiredOp kRequiredOps[] = {
    {IORING_OP_OPENAT, "IORING_OP_OPENAT"},
    {IORING_OP_READ, "IORING_OP_READ"},
    {IORING_OP_STATX, "IORING_OP_STATX"},
};

// Says why io_uring_setup failed in words an operator can act on.
std::string explainInitError(int error) {
  const char* hint = "";
  switch (error) {
    case ENOSYS:
      hint = ": the kernel was built without io_uring";
      break;
    case EPERM:
      hint = ": refused by seccomp, a container runtime or kernel.io_uring_disabled";
      break;
    case ENOMEM:
      hint = ": the ring's memory could not be locked (RLIMIT_MEMLOCK too low)";
      break;
    default:
      break;
  }
  return fmt::format("io_uring_setup: {} (errno {}){}", std::strerror(error), error, hint);
}

}  // namespace

std::unique_ptr<UringReadBatch> UringReadBatch::create(std::string_view root, std::string& why,
                                                       UringReadBatchOptions options,
                                                       RingInit init) {
  std::unique_ptr<UringReadBatch> batch(new UringReadBatch(root, options));
  int result = init(options.ring_entries, &batch->ring_, kDeferredCompletions);
  // Kernels before 6.1 refuse the flags: an ordinary ring works there, with more wakeups.
  if (result == -EINVAL) result = init(options.ring_entries, &batch->ring_, 0);
  if (result < 0) {
    why = explainInitError(-result);
    return nullptr;
  }
  batch->ring_ready_ = true;
  struct io_uring_probe* probe = io_uring_get_probe_ring(&batch->ring_);
  if (probe == nullptr) {
    why = "io_uring_register(PROBE) failed: the kernel is older than 5.6";
    return nullptr;
  }
  for (const RequiredOp& op : kRequiredOps) {
    if (!io_uring_opcode_supported(probe, op.opcode)) {
      why = fmt::format("the kernel lacks {} (io_uring is older than 5.6)", op.name);
      io_uring_free_probe(probe);
      return nullptr;
    }
  }
  io_uring_free_probe(probe);
  // Optional: without a file table (before 5.19, or a low RLIMIT_NOFILE) cached
  // fds are read as they are.
  const unsigned slots = static_cast<unsigned>(options.max_cached_fds);
  if (slots > 0 && io_uring_register_files_sparse(&batch->ring_, slots) == 0) {
    batch->fixed_slots_ = slots;
    batch->free_slots_.reserve(slots);
    for (unsigned slot = slots; slot-- > 0;) batch->free_slots_.push_back(static_cast<int>(slot));
  }
  return batch;
}

UringReadBatch::UringReadBatch(std::string_view root, UringReadBatchOptions options)
    : root_(normaliseRoot(root)), options_(options), chooser_(HandOff::kRing, HandOff::kInline, options_.chooser) {}

UringReadBatch::~UringReadBatch() {
  for (const auto& [path, cached] : fds_) ::close(cached.fd);
  // Exiting the ring drops the file table's references too.
  if (ring_ready_) io_uring_queue_exit(&ring_);
}

int UringReadBatch::registerFixed(int fd) {
  if (free_slots_.empty()) return -1;
  const int slot = free_slots_.back();
  if (io_uring_register_files_update(&ring_, static_cast<unsigned>(slot), &fd, 1) != 1) return -1;
  free_slots_.pop_back();
  return slot;
}

void UringReadBatch::release(const CachedFd& cached) {
  if (cached.fixed >= 0) {
    // Freed even when the update fails: the ring then still holds the old file, and
    // the slot's next registration replaces it (a slot kept out would be lost for good).
    int none = -1;
    io_uring_register_files_update(&ring_, static_cast<unsigned>(cached.fixed), &none, 1);
    free_slots_.push_back(cached.fixed);
  }
  ::close(cached.fd);
}

std::string& UringReadBatch::nextPath(std::string_view path) {
  if (ops_.size() > paths_.size()) paths_.emplace_back();
  std::string& out = paths_[ops_.size() - 1];
  out.assign(root_);
  if (path.empty() || path.front() != '/') out.push_back('/');
  out.append(path);
  return out;
}

void UringReadBatch::queueRead(std::string_view path, ReadSlot& slot) {
  ops_.push_back({});
  ops_.back().read = &slot;
  nextPath(path);
}

void UringReadBatch::queueStat(std::string_view path, StatSlot& slot) {
  ops_.push_back({});
  ops_.back().stat = &slot;
  nextPath(path);
}

void UringReadBatch::queueStatAt(int dirfd, std::string_view relative, StatSlot& slot) {
  ops_.push_back({});
  ops_.back().stat = &slot;
  ops_.back().dirfd = dirfd;
  if (ops_.size() > paths_.size()) paths_.emplace_back();
  paths_[ops_.size() - 1].assign(relative);
}

void UringReadBatch::start(size_t index) {
  Op& op = ops_[index];
  if (op.stat != nullptr) {
    if (paths_[index].empty()) {
      // An open fd's own stat resolves no path: handing it to an io-wq worker (statx
      // always goes there) would cost more than the call.
      op.stat->error = statIntoSlot(op.dirfd, paths_[index], *op.stat);
      op.step = Step::kDone;
      return;
    }
    op.step = Step::kStat;
    return;
  }
  op.used = 0;
  if (auto it = fds_.find(std::string_view(paths_[index])); it != fds_.end()) {
    it->second.last_pass = pass_;
    op.fd = it->second.fd;
    op.fixed = it->second.fixed;
    op.cached = true;
    op.confirm_eof = it->second.confirm_eof;
    op.blocking = it->second.blocking;
    op.step = Step::kRead;
    std::string& data = op.read->data;
    data.resize(std::max(data.capacity(), kFirstReadBytes));
  } else {
    op.step = Step::kOpen;
  }
}

void UringReadBatch::prepareSqe(size_t index, struct io_uring_sqe* sqe) {
  Op& op = ops_[index];
  switch (op.step) {
    case Step::kOpen:
      io_uring_prep_openat(sqe, AT_FDCWD, paths_[index].c_str(), O_RDONLY | O_CLOEXEC, 0);
      break;
    case Step::kRead: {
      std::string& data = op.read->data;
      io_uring_prep_read(sqe, op.fixed >= 0 ? op.fixed : op.fd, data.data() + op.used,
                         static_cast<unsigned>(data.size() - op.used), op.used);
      if (op.fixed >= 0) sqe->flags |= IOSQE_FIXED_FILE;
      // procfs and sysfs cannot read without blocking, so io_uring would try inline,
      // get EAGAIN and hand the read to a worker anyway: go to the worker directly.
      if (op.blocking) sqe->flags |= IOSQE_ASYNC;
      break;
    }
    case Step::kStat:
      io_uring_prep_statx(sqe, op.dirfd, paths_[index].c_str(), statSlotFlags(paths_[index]),
                          kStatSlotMask, &op.stat->stat);
      break;
    case Step::kDone:
      io_uring_prep_nop(sqe);
      break;
  }
  io_uring_sqe_set_data64(sqe, index);
}

void UringReadBatch::submit() {
  last_submissions_ = 0;
  last_waits_ = 0;
  if (ops_.empty()) return;
  ++pass_;
  ready_.clear();
  for (size_t i = 0; i < ops_.size(); ++i) {
    start(i);
    if (ops_[i].step != Step::kDone) ready_.push_back(static_cast<uint32_t>(i));
  }
  const HandOff hand_off = handOffForPass();
  last_hand_off_ = hand_off;
  const bool measured =
      ring_ready_ && options_.hand_off == UringReadBatchOptions::HandOffPolicy::kMeasured;
  // Only a probe pass's cost is compared: the clock (a syscall summing every thread) is
  // read for those alone.
  const bool timed = measured && chooser_.probing();
  const int64_t cpu_before = timed ? processCpuNs() : 0;
  size_t cursor = 0;
  unsigned inflight = 0;
  // Completions stay within the completion queue, so none waits in the kernel's overflow list.
  const unsigned max_inflight = ring_.cq.ring_entries;
  while (ring_ready_ && (cursor < ready_.size() || inflight > 0)) {
    // Everything ready goes to the kernel before the one wait. Each wait on ops that io-wq
    // workers complete (procfs reads, statx) is woken again and again as they finish, and
    // on a VM every wake-up is a costly context switch: one wait per round, not one per
    // ring-full.
    int submitted = 0;
    while (cursor < ready_.size() && inflight < max_inflight) {
      if (hand_off == HandOff::kInline && runsOnWorker(ops_[ready_[cursor]])) {
        runInline(ready_[cursor++]);  // a follow-up read is appended to ready_
        continue;
      }
      struct io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      if (sqe == nullptr) {
        submitted = io_uring_submit(&ring_);  // the ring is full: hand it over, no wait
        ++last_submissions_;
        if (submitted < 0) break;
        continue;
      }
      prepareSqe(ready_[cursor++], sqe);
      ++inflight;
    }
    if (inflight == 0) continue;  // everything ran inline: nothing to wait for
    if (submitted >= 0) {
      submitted = io_uring_submit_and_wait(&ring_, inflight);
      ++last_submissions_;
      ++last_waits_;
    }
    if (submitted < 0 && submitted != -EINTR && submitted != -EAGAIN && submitted != -EBUSY) {
      // Not a transient refusal: stop trusting the ring for this and later passes.
      spdlog::error("io_uring_submit_and_wait: {} (errno {}); reads fall back to plain syscalls",
                    std::strerror(-submitted), -submitted);
      ring_ready_ = false;
      break;
    }
    unsigned head;
    unsigned seen = 0;
    struct io_uring_cqe* cqe;
    io_uring_for_each_cqe(&ring_, head, cqe) {
      complete(static_cast<size_t>(io_uring_cqe_get_data64(cqe)), cqe->res);
      ++seen;
    }
    io_uring_cq_advance(&ring_, seen);
    inflight -= seen;
  }
  finishPlainly();
  evictUnused();
  ops_.clear();
  if (measured && ring_ready_) recordPassCost(timed ? processCpuNs() - cpu_before : 0);
}

HandOff UringReadBatch::handOffForPass() const {
  switch (options_.hand_off) {
    case UringReadBatchOptions::HandOffPolicy::kRing:
      return HandOff::kRing;
    case UringReadBatchOptions::HandOffPolicy::kInline:
      return HandOff::kInline;
    case UringReadBatchOptions::HandOffPolicy::kMeasured:
      break;
  }
  return chooser_.next();
}

int64_t UringReadBatch::processCpuNs() const {
  if (options_.process_cpu_ns) return options_.process_cpu_ns();
  return agent::processCpuNs();  // the free function, not this member
}

void UringReadBatch::recordPassCost(int64_t cpu_ns) {
  const size_t probes = chooser_.probes();
  const HandOff before = chooser_.kept();
  chooser_.record(cpu_ns);
  if (chooser_.probes() == probes) return;
  // Logged when the first probe decides and whenever a later one changes its mind.
  if (probes > 0 && chooser_.kept() == before) return;
  spdlog::info(
      "io_uring: procfs/sysfs reads and stats run {} (measured {:.0f} us a pass inline, {:.0f} "
      "us through io-wq workers)",
      chooser_.kept() == HandOff::kInline ? "inline on the collecting thread"
                                          : "on io-wq workers through the ring",
      chooser_.medianNs(HandOff::kInline) / 1e3, chooser_.medianNs(HandOff::kRing) / 1e3);
}

bool UringReadBatch::runsOnWorker(const Op& op) const {
  return op.step == Step::kStat || (op.step == Step::kRead && op.blocking);
}

void UringReadBatch::runInline(size_t index) {
  Op& op = ops_[index];
  if (op.step == Step::kStat) {
    complete(index, -statIntoSlot(op.dirfd, paths_[index], *op.stat));
    return;
  }
  std::string& data = op.read->data;
  ssize_t result;
  do {
    result =
        ::pread(op.fd, data.data() + op.used, data.size() - op.used, static_cast<off_t>(op.used));
  } while (result < 0 && errno == EINTR);
  complete(index, result < 0 ? -errno : static_cast<int>(result));
}

void UringReadBatch::complete(size_t index, int result) {
  Op& op = ops_[index];
  switch (op.step) {
    case Step::kOpen:
      completeOpen(index, result);
      break;
    case Step::kRead:
      completeRead(index, result);
      break;
    case Step::kStat:
      op.stat->error = result < 0 ? -result : 0;
      op.step = Step::kDone;
      break;
    case Step::kDone:
      break;
  }
}

void UringReadBatch::completeOpen(size_t index, int result) {
  Op& op = ops_[index];
  if (result < 0) {
    finishRead(op, -result);
    return;
  }
  op.fd = result;
  const RegeneratedFile kind = classifyOpenFile(op.fd);
  const bool regenerated = kind.regenerated;
  op.confirm_eof = kind.confirm_eof;
  op.blocking = regenerated;
  // The same path queued twice in one pass opens twice; the second fd is not cached.
  if (regenerated && fds_.size() < options_.max_cached_fds) {
    auto [it, added] =
        fds_.emplace(paths_[index], CachedFd{op.fd, -1, kind.confirm_eof, op.blocking, pass_});
    op.cached = added;
    // This pass reads it by fd; later passes by its slot in the ring's file table.
    if (added) it->second.fixed = registerFixed(op.fd);
  }
  op.step = Step::kRead;
  std::string& data = op.read->data;
  data.resize(std::max(data.capacity(), kFirstReadBytes));
  ready_.push_back(static_cast<uint32_t>(index));
}

void UringReadBatch::completeRead(size_t index, int result) {
  Op& op = ops_[index];
  if (result < 0) {
    if (op.cached) {
      // A dead process's /proc/PID file answers ESRCH for good; a vanished sysfs
      // device, ENODEV. The next pass opens the path afresh, if it exists.
      if (auto it = fds_.find(std::string_view(paths_[index])); it != fds_.end()) {
        release(it->second);
        fds_.erase(it);
      } else {
        ::close(op.fd);
      }
      op.cached = false;
      op.fd = -1;
      op.fixed = -1;
    }
    finishRead(op, -result);
    return;
  }
  const size_t asked = op.read->data.size() - op.used;
  op.used += static_cast<size_t>(result);
  if (result == 0 || (static_cast<size_t>(result) < asked &&
                      (!op.confirm_eof || shortReadIsEnd(*op.read, static_cast<size_t>(result))))) {
    finishRead(op, 0);
    return;
  }
  readMore(index);
}

void UringReadBatch::readMore(size_t index) {
  Op& op = ops_[index];
  std::string& data = op.read->data;
  if (op.used == data.size()) data.resize(data.size() * 2);
  ready_.push_back(static_cast<uint32_t>(index));
}

void UringReadBatch::finishRead(Op& op, int error) {
  op.read->error = error;
  if (error == 0) {
    op.read->data.resize(op.used);
  } else {
    op.read->data.clear();
  }
  if (!op.cached && op.fd >= 0) ::close(op.fd);
  op.fd = -1;
  op.cached = false;
  op.step = Step::kDone;
}

void UringReadBatch::finishPlainly() {
  for (size_t i = 0; i < ops_.size(); ++i) {
    Op& op = ops_[i];
    if (op.step == Step::kDone) continue;
    if (op.read != nullptr) {
      if (!op.cached && op.fd >= 0) ::close(op.fd);
      op.fd = -1;
      op.cached = false;
      op.read->error = readWholeFile(paths_[i], op.read->data);
    } else if (op.stat != nullptr) {
      op.stat->error = statIntoSlot(op.dirfd, paths_[i], *op.stat);
    }
    op.step = Step::kDone;
  }
}

void UringReadBatch::evictUnused() {
  // A path not read this pass (a ship that stopped, a collector that no longer asks)
  // must not pin an fd, or a dead process's /proc entries, forever.
  for (auto it = fds_.begin(); it != fds_.end();) {
    if (it->second.last_pass == pass_) {
      ++it;
      continue;
    }
    release(it->second);
    it = fds_.erase(it);
  }
}

}  // namespace tidemark::agent
