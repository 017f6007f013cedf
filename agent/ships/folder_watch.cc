#include "agent/ships/folder_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace tidemark::agent {
namespace {

// What moves a directory's mtime (entries created, removed, renamed), plus its own
// attributes (a touch) and its own move (the path now names another folder, or none).
// IN_IGNORED (the watch ended) always comes.
constexpr uint32_t kFolderMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
                                 IN_ATTRIB | IN_MOVE_SELF | IN_ONLYDIR;
// Everything that can change a file's size or blocks, or what its path names: writes
// (the runtime writes its event log and snapshot with write(2), never a shared
// mapping), truncation (IN_MODIFY), link-count changes (IN_ATTRIB), moves, deletion.
constexpr uint32_t kFileContentMask =
    IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF | IN_DONT_FOLLOW;

}  // namespace

FolderWatch::FolderWatch(size_t max_watches) : max_watches_(max_watches) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) why_ = std::string("inotify_init1: ") + std::strerror(errno);
}

FolderWatch::~FolderWatch() {
  if (fd_ >= 0) ::close(fd_);
}

int FolderWatch::add(const std::string& path, int& error, Target target) {
  error = 0;
  if (fd_ < 0) {
    error = ENOSYS;
    return kNoWatch;
  }
  const int id = ::inotify_add_watch(
      fd_, path.c_str(), target == Target::kFolder ? kFolderMask : kFileContentMask);
  if (id < 0) {
    error = errno;
    return kNoWatch;
  }
  auto [it, added] = folders_.try_emplace(id);
  if (added && max_watches_ != 0 && folders_.size() > max_watches_) {
    folders_.erase(it);
    (void)::inotify_rm_watch(fd_, id);
    error = ENOSPC;
    return kNoWatch;
  }
  ++it->second.references;
  return id;
}

void FolderWatch::release(int id) {
  auto it = folders_.find(id);
  if (it == folders_.end()) return;
  if (--it->second.references > 0) return;
  if (!it->second.gone) (void)::inotify_rm_watch(fd_, id);
  folders_.erase(it);
}

int FolderWatch::poll() {
  if (fd_ < 0) return 0;
  alignas(struct inotify_event) char buffer[8192];
  for (;;) {
    const ssize_t got = ::read(fd_, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN ? 0 : errno;
    }
    if (got == 0) return 0;
    for (ssize_t at = 0; at < got;) {
      struct inotify_event event;
      std::memcpy(&event, buffer + at, sizeof event);
      at += static_cast<ssize_t>(sizeof event + event.len);
      if (event.mask & IN_Q_OVERFLOW) {  // events were lost: every folder changed
        for (auto& [id, folder] : folders_) ++folder.generation;
        continue;
      }
      auto it = folders_.find(event.wd);
      if (it == folders_.end()) continue;  // released while its events were queued
      Folder& folder = it->second;
      if (event.mask & IN_IGNORED) {
        folder.gone = true;
        continue;
      }
      // A child's attributes leave the folder's mtime alone; its own (no name) do not.
      if ((event.mask & IN_ATTRIB) && event.len > 0 && !(event.mask & ~(IN_ATTRIB | IN_ISDIR)))
        continue;
      ++folder.generation;
    }
    // A read returns every queued event that fits: with room left for the largest
    // event, the queue was empty (saves the read that would answer EAGAIN).
    if (static_cast<size_t>(got) + sizeof(struct inotify_event) + NAME_MAX + 1 <= sizeof buffer)
      return 0;
  }
}

uint64_t FolderWatch::generation(int id) const {
  auto it = folders_.find(id);
  if (it == folders_.end() || it->second.gone) return kGone;
  return it->second.generation;
}

}  // namespace tidemark::agent
