// `tidemark import openmetrics FILE`: backfill history from Prometheus/OpenMetrics
// text. Two passes over the mapped file:
//   1. plan: parse everything (big files in two halves on two threads), derive each series' host,
//   check every series with the
//      same rules as agent ingest; any malformed line stops the import before a single
//      sample is sent (the first `max_errors` are reported with their line numbers);
//   2. send: parse again, group samples by series in a bounded buffer, and emit
//      requests of at most `max_samples_per_request` samples, each series' timestamps
//      sorted and unique (the later line wins), which the controller applies atomically.
// The socket is not in here: the caller passes a function that delivers one request,
// so both passes are tested on plain text.
//
// When the file has at most `max_retained_samples` samples, pass 1 keeps them (16
// bytes each, as runs of one series) and pass 2 groups them without parsing again.
//
// Host of a series: its `host` label, else its `instance` label without a trailing
// `:port` (Prometheus' instance is HOST:PORT of the scrape target), else --host.
// The label used as host is removed from the stored labels; `instance` stays a label
// when `host` was present.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/metrics/series.h"
#include "common/metrics/series_rules.h"
#include "common/openmetrics/parser.h"
#include "schemas/admin.capnp.h"

namespace tidemark::cli {

struct ImportOptions {
  // Host of series with neither a `host` nor an `instance` label. Default: none (error).
  std::string default_host;
  // Most samples in one request to the controller; each request is one synced commit.
  // Default: 262,144 (a 4 MiB message; the controller takes up to 1 Mi samples and
  // 32 MiB frames).
  size_t max_samples_per_request = 256 * 1024;
  // Samples held in memory before they are grouped by series and sent; bounds memory
  // (16 bytes a sample) for files in scrape order (every series at each time). Default: 4 Mi.
  size_t max_buffered_samples = 4u << 20;
  // Samples pass 1 keeps for pass 2 (16 bytes each, up to twice that while the arrays
  // grow); a file with more is parsed again instead. Default: 16 Mi (256 MiB).
  size_t max_retained_samples = 16u << 20;
  // Files of at least this size are planned (pass 1) in two halves on two threads.
  // Default: 64 MiB.
  size_t parallel_plan_min_bytes = 64u << 20;
  // Malformed lines reported before giving up on the listing. Default: 20.
  size_t max_errors = 20;
  // The ingest rules; the controller applies its own configured ones again.
  SeriesShapeLimits limits;
};

// One stored series: where it goes.
struct ImportSeries {
  std::string host;
  std::string name;
  Labels labels;  // sorted, without the label used as host
};

struct ImportPlan {
  std::vector<ImportSeries> series;
  // A series as written in the file (name and labels in file order) -> index in
  // `series`; the same series written with its labels in another order maps to the
  // same index.
  std::unordered_map<std::string, uint32_t> raw_index;
  uint64_t samples = 0;
  uint64_t hosts = 0;
  std::vector<openmetrics::ParseError> errors;  // the first max_errors
  uint64_t error_count = 0;                     // all of them
  bool saw_eof = false;
  uint64_t lines = 0;  // lines read

  // The valid samples in file order when there were at most max_retained_samples:
  // runs of consecutive samples of one series, then all timestamps and values.
  struct Run {
    uint32_t series;
    uint32_t count;
  };
  bool retained = false;
  std::vector<Run> runs;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

// Pass 1. Never throws for bad input: everything wrong is in `errors`.
ImportPlan planImport(std::string_view text, const ImportOptions& options);

// One request's worth: whole or partial series, timestamps strictly increasing.
// The pieces are views into the plan's retained samples or into sendImport's window
// buffers: valid only during the call to `send` (copy them to keep them).
struct ImportChunk {
  struct Piece {
    uint32_t series;  // index in ImportPlan::series
    std::span<const int64_t> timestamps_ms;
    std::span<const double> values;
  };
  std::vector<Piece> pieces;
  size_t samples = 0;
};

void fillImportRequest(const ImportPlan& plan, const ImportChunk& chunk,
                       schema::ImportRequest::Builder request);

// Pass 2, for a plan without errors: calls `send` for every chunk, in order, and
// returns the number of samples sent (duplicates of a timestamp within a series are
// sent once). Samples are taken in windows of `max_buffered_samples` in file order;
// within a window, series in the order first met, each sorted by time (the later line
// wins a duplicate timestamp). Reads the plan's retained samples when it has them
// (a series met once in a window, already in order, is sent straight from them, not
// copied), else parses `text` again; the chunks are the same either way. Exceptions
// from `send` propagate and stop the import.
uint64_t sendImport(std::string_view text, const ImportPlan& plan, const ImportOptions& options,
                    const std::function<void(const ImportChunk&)>& send);

}  // namespace tidemark::cli
