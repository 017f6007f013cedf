// Shared helpers for tests: temp directories, fixture paths, a sample writer that records.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/metrics/series.h"

namespace tidemark::testing {

// Path of a file or folder under tests/fixtures.
std::string fixturePath(const std::string& relative);

// A directory under $TMPDIR removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  // Writes `content` to `relative` under the directory, creating parent folders.
  void write(const std::string& relative, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

}  // namespace tidemark::testing
