// Replaces a file's contents so that a crash leaves either the old or the new file,
// never a torn one: state files, key files, reports.
#pragma once

#include <sys/types.h>

#include <string>

namespace tidemark {

// Writes `text` to PATH.tmp, fsyncs it, renames it over `path` and fsyncs the folder.
// Throws std::runtime_error naming the path and the system's reason.
void writeFileDurably(const std::string& path, const std::string& text, mode_t mode = 0600);

}  // namespace tidemark
