// The `tidemark import openmetrics FILE` command: maps the file, plans (validates)
// it, and only when it is clean sends it to the controller piece by piece.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

#include "controller/cli/import.h"

namespace tidemark::cli {

// Returns the exit code: 0 imported, 1 malformed file (nothing sent), unreadable file,
// or a request refused by the controller (what was sent before it stays stored;
// running the same import again is safe: a sample is keyed by series and time).
// With `dry_run`, validates only and does not connect.
int runImportOpenMetrics(const std::string& path, const ImportOptions& options,
                         const std::string& socket_path, std::chrono::milliseconds timeout,
                         bool dry_run, std::ostream& out, std::ostream& err);

}  // namespace tidemark::cli
