#include "agent/io/plain_file_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tidemark::agent {

std::string normaliseRoot(std::string_view root) {
  std::string out(root);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

std::string resolveUnderRoot(const std::string& root, std::string_view path) {
  std::string out = root;
  if (path.empty() || path.front() != '/') out += '/';
  out += path;
  return out;
}

PlainFileReader::PlainFileReader(std::string_view root) : root_(normaliseRoot(root)) {}

int PlainFileReader::read(std::string_view path, std::string& out) {
  out.clear();
  path_buffer_ = resolveUnderRoot(root_, path);
  int fd;
  do {
    fd = ::open(path_buffer_.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  // Files under /proc report size 0, so read in chunks until EOF rather than trusting fstat.
  if (out.capacity() < 4096) out.reserve(4096);
  size_t used = 0;
  for (;;) {
    if (out.size() < used + 4096) out.resize(std::max(out.capacity(), used + 4096));
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      out.clear();
      return error;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out.resize(used);
  ::close(fd);
  return 0;
}

int PlainFileReader::listDirectory(std::string_view path, std::vector<std::string>& names) {
  names.clear();
  path_buffer_ = resolveUnderRoot(root_, path);
  DIR* dir = ::opendir(path_buffer_.c_str());
  if (dir == nullptr) return errno;
  while (struct dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return 0;
}

}  // namespace tidemark::agent
