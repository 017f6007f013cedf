// Tells which folders changed, through one inotify instance, so the ship collector
// learns that a pier folder, its .urb/log or its .urb/chk changed with one read per
// pass instead of one statx per folder and pier.
//
// "Changed" means what a moved directory mtime means: an entry created, removed or
// renamed in the folder, or the folder's own attributes touched (utimensat, chmod).
// Writes to files inside it are not changes (their sizes are statted elsewhere).
//
// Each watched folder has a generation that grows with every event for it. Callers
// remember the generation they last acted on and compare, so two callers watching the
// same folder (the kernel gives them one watch) never consume each other's changes.
// A queue overflow bumps every generation: every folder counts as changed once.
//
// A single file can be watched too (Target::kFileContent): any write, truncation,
// attribute or link-count change, move or deletion of it bumps its generation, so the
// files whose sizes are reported every pass are statted only after such an event.
//
// When inotify is refused (no instance left, ENOSYS) the watch is unavailable and
// add() answers kNoWatch; when the per-user watch limit is hit, add() answers kNoWatch
// for that folder. Callers stat those folders instead, as before inotify.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

namespace tidemark::agent {

class FolderWatch {
 public:
  static constexpr int kNoWatch = -1;
  enum class Target { kFolder, kFileContent };

  // Opens the inotify instance (non-blocking, close-on-exec). `max_watches` caps the
  // folders watched at once, as the kernel's fs.inotify.max_user_watches would (0: no
  // cap of its own); tests force the per-folder fallback with it.
  explicit FolderWatch(size_t max_watches = 0);
  ~FolderWatch();
  FolderWatch(const FolderWatch&) = delete;
  FolderWatch& operator=(const FolderWatch&) = delete;

  // Whether the inotify instance opened; `why()` says why not.
  bool available() const { return fd_ >= 0; }
  const std::string& why() const { return why_; }

  // Watches the folder at `path` (resolved by the caller, followed if a symlink).
  // Returns its watch id, or kNoWatch with `error` set to the errno (ENOSPC: the
  // watch limit; ENOENT, ENOTDIR: no such folder). Adding a folder already watched
  // returns the same id and takes one more reference. Allocates (not for every pass).
  int add(const std::string& path, int& error, Target target = Target::kFolder);
  // Drops one reference taken by add(); the last one removes the kernel's watch.
  // kNoWatch and ids no longer known are ignored.
  void release(int id);

  // Reads every pending event (non-blocking; no allocation). Returns 0 or the errno
  // of a failed read (EAGAIN, the usual "nothing pending", is not a failure).
  int poll();

  // `id`'s generation, or kGone when the kernel no longer watches it (the folder was
  // deleted or its filesystem unmounted) or `id` is unknown.
  static constexpr uint64_t kGone = UINT64_MAX;
  uint64_t generation(int id) const;

  // Folders watched now (distinct kernel watches).
  size_t watches() const { return folders_.size(); }

 private:
  struct Folder {
    uint64_t generation = 0;
    uint32_t references = 0;
    bool gone = false;  // IN_IGNORED seen: the kernel dropped the watch
  };
  int fd_ = -1;
  std::string why_;
  size_t max_watches_;
  std::unordered_map<int, Folder> folders_;
};

}  // namespace tidemark::agent
