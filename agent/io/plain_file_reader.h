// FileReader over plain open/read/close: the fallback when io_uring is refused,
// and the reference the batched reader is tested against.
#pragma once

#include "agent/io/file_reader.h"

namespace tidemark::agent {

class PlainFileReader final : public FileReader {
 public:
  explicit PlainFileReader(std::string_view root);

  // FileReader
  int read(std::string_view path, std::string& out) override;
  int listDirectory(std::string_view path, std::vector<std::string>& names) override;
  int listDirectoryEntries(std::string_view path, std::vector<DirectoryEntry>& entries) override;
  const std::string& root() const override { return root_; }

 private:
  std::string root_;
  std::string path_buffer_;
};

}  // namespace tidemark::agent
