// Runs a test body in a forked child with a mount namespace of its own, so it can
// mount and unmount without touching the host or racing other tests' mounts.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

namespace tidemark::testing {

// What runInPrivateMountNamespace() returns when the child could not get a private
// namespace (no CAP_SYS_ADMIN): the caller skips.
constexpr int kNoMountNamespace = 77;

// Forks; the child unshares its mount namespace, makes every mount private (so
// nothing it mounts propagates back), runs `body` and exits with its result (0 for
// success, a step number otherwise). Returns that exit status, kNoMountNamespace, or
// -1 when the child died of a signal.
inline int runInPrivateMountNamespace(const std::function<int()>& body) {
  const pid_t child = ::fork();
  if (child == 0) {
    if (::unshare(CLONE_NEWNS) != 0) ::_exit(kNoMountNamespace);
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) ::_exit(kNoMountNamespace);
    ::_exit(body());
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace tidemark::testing
