// How collectors read the host: every path is absolute as seen on the host
// ("/proc/stat") and the reader resolves it under its root ("/" in production, a
// fixture tree in tests). The liburing batch reader implements the same interface.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::agent {

// One directory entry with its inode number (d_ino), which tells a folder made anew
// under the same name (in /proc: a new process on a reused PID) from the old one.
struct DirectoryEntry {
  std::string name;
  uint64_t inode = 0;
};

class FileReader {
 public:
  virtual ~FileReader() = default;

  // Reads the whole file at `path` (under the root) into `out`, replacing its
  // contents and reusing its capacity. Returns 0 on success, else an errno value
  // (ENOENT for a missing file); `out` is then empty.
  virtual int read(std::string_view path, std::string& out) = 0;

  // Lists the entry names of the directory at `path` (under the root), without
  // "." and "..", sorted. Returns 0 or an errno value.
  virtual int listDirectory(std::string_view path, std::vector<std::string>& names) = 0;

  // Lists the entries of the directory at `path` (under the root) with their inode
  // numbers, without "." and "..", in the directory's own order (not sorted: /proc is
  // listed every process scan). Reuses the elements of `entries`. Returns 0 or an errno.
  virtual int listDirectoryEntries(std::string_view path, std::vector<DirectoryEntry>& entries) = 0;

  // The root every path is resolved under, without a trailing slash ("" for "/").
  virtual const std::string& root() const = 0;
};

using FileReaderPtr = std::unique_ptr<FileReader>;

// Resolves `path` under `root` ("" or "/x/y" style root, absolute path).
std::string resolveUnderRoot(const std::string& root, std::string_view path);

// Normalises a configured root ("/", "/tmp/fixture/") to the form readers keep ("", "/tmp/fixture").
std::string normaliseRoot(std::string_view root);

}  // namespace tidemark::agent
