#include "agent/collectors/filesystem_statter.h"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

namespace tidemark::agent {

bool isLocalSuperblockType(int64_t type) {
  switch (type) {
    case EXT4_SUPER_MAGIC:  // ext2 and ext3 too
    case XFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case RAMFS_MAGIC:
      return true;
    default:
      return false;
  }
}

int StatvfsStatter::statfs(const std::string& path, FilesystemUsage& out) {
  struct statfs buf;
  if (::statfs(path.c_str(), &buf) != 0) return errno;
  // Block counts are in fragment units; f_bsize is only the preferred I/O size.
  const uint64_t block =
      buf.f_frsize != 0 ? static_cast<uint64_t>(buf.f_frsize) : static_cast<uint64_t>(buf.f_bsize);
  out.size_bytes = static_cast<uint64_t>(buf.f_blocks) * block;
  out.free_bytes = static_cast<uint64_t>(buf.f_bfree) * block;
  out.avail_bytes = static_cast<uint64_t>(buf.f_bavail) * block;
  out.files = buf.f_files;
  out.files_free = buf.f_ffree;
  out.readonly = (buf.f_flags & ST_RDONLY) != 0;
  out.type = static_cast<int64_t>(buf.f_type);
  return 0;
}

// State the statter shares with its workers. Stuck workers outlive the statter,
// so this lives as long as the last of them.
struct TimeoutStatter::Shared {
  explicit Shared(std::shared_ptr<FilesystemStatter> inner_statter)
      : inner(std::move(inner_statter)) {}

  const std::shared_ptr<FilesystemStatter> inner;
  std::mutex mutex;
  std::set<std::string, std::less<>> stuck_paths;  // guarded by mutex
};

// One worker thread and its single request slot, all guarded by Shared::mutex.
struct TimeoutStatter::Worker {
  std::thread thread;
  std::condition_variable wake;      // a request was posted, or stop was set
  std::condition_variable finished;  // the request's result is ready
  bool has_request = false;
  bool done = false;
  bool abandoned = false;  // the caller gave up; the worker cleans up and exits
  bool stop = false;
  std::string path;
  int result = 0;
  FilesystemUsage usage;
};

TimeoutStatter::TimeoutStatter(int64_t timeout_ms, std::shared_ptr<FilesystemStatter> inner,
                               size_t max_stuck)
    : timeout_ms_(timeout_ms),
      max_stuck_(max_stuck),
      shared_(std::make_shared<Shared>(std::move(inner))) {}

TimeoutStatter::~TimeoutStatter() {
  // Only the idle worker is joined; stuck ones are detached and exit on their own.
  if (!current_) return;
  {
    std::lock_guard lock(shared_->mutex);
    current_->stop = true;
  }
  current_->wake.notify_one();
  current_->thread.join();
}

size_t TimeoutStatter::stuckCount() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->stuck_paths.size();
}

int TimeoutStatter::statfs(const std::string& path, FilesystemUsage& out) {
  std::unique_lock lock(shared_->mutex);
  if (shared_->stuck_paths.contains(path)) return ETIMEDOUT;
  if (!current_) {
    // Each stuck call pins a thread; past the cap, stop feeding a wedged host more.
    if (shared_->stuck_paths.size() >= max_stuck_) return EBUSY;
    auto worker = std::make_shared<Worker>();
    try {
      worker->thread = std::thread(runWorker, shared_, worker);
    } catch (const std::system_error&) {
      return EAGAIN;
    }
    current_ = std::move(worker);
  }
  Worker& worker = *current_;
  worker.path = path;
  worker.done = false;
  worker.has_request = true;
  worker.wake.notify_one();
  if (worker.finished.wait_for(lock, std::chrono::milliseconds(timeout_ms_),
                               [&worker] { return worker.done; })) {
    out = worker.usage;
    return worker.result;
  }
  worker.abandoned = true;
  shared_->stuck_paths.insert(path);
  current_->thread.detach();
  current_.reset();
  return ETIMEDOUT;
}

void TimeoutStatter::runWorker(std::shared_ptr<Shared> shared, std::shared_ptr<Worker> worker) {
  std::unique_lock lock(shared->mutex);
  while (true) {
    worker->wake.wait(lock, [&worker] { return worker->has_request || worker->stop; });
    if (worker->stop) return;
    // The caller does not touch path while the request is in flight.
    lock.unlock();
    FilesystemUsage usage;
    const int result = shared->inner->statfs(worker->path, usage);
    lock.lock();
    worker->has_request = false;
    if (worker->abandoned) {
      // The path may be statted again, and a fresh worker already serves calls.
      shared->stuck_paths.erase(worker->path);
      return;
    }
    worker->result = result;
    worker->usage = usage;
    worker->done = true;
    worker->finished.notify_one();
  }
}

}  // namespace tidemark::agent
