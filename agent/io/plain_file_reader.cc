#include "agent/io/plain_file_reader.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "agent/io/plain_read_batch.h"

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
  path_buffer_ = resolveUnderRoot(root_, path);
  return readWholeFile(path_buffer_, out);
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

int PlainFileReader::listDirectoryEntries(std::string_view path,
                                          std::vector<DirectoryEntry>& entries) {
  path_buffer_ = resolveUnderRoot(root_, path);
  DIR* dir = ::opendir(path_buffer_.c_str());
  if (dir == nullptr) {
    entries.clear();
    return errno;
  }
  // Assigned over the previous listing's elements: names as short as PIDs fit in
  // their strings' capacity, so a steady /proc listing allocates nothing.
  size_t count = 0;
  while (struct dirent* entry = ::readdir(dir)) {
    if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
    if (count == entries.size()) entries.emplace_back();
    entries[count].name.assign(entry->d_name);
    entries[count].inode = entry->d_ino;
    ++count;
  }
  ::closedir(dir);
  entries.resize(count);
  return 0;
}

}  // namespace tidemark::agent
