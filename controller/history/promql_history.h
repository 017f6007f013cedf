// The history in a Prometheus-compatible HTTP API (Prometheus, VictoriaMetrics,
// Thanos, Mimir): the same questions as the embedded store, asked in PromQL. Series
// are found by their `host` label (the remote-write exporter's, and promtool's when
// it loads a Tidemark export) and by metric names and labels as Tidemark stores them.
//
// What maps to what:
//   * raw points: range selectors `m{...}[R]` at the end of each piece of at most
//     kRawSpanMs, so one request stays a bounded size;
//   * steps that are multiples of 5 min (the store's rollups): a range query of
//     `min/max/avg/sum/last/count_over_time(m{...}[step])` evaluated at each bucket's
//     last millisecond, split into requests of at most max_points_per_query points;
//   * other steps: raw points bucketed here, as the store buckets raw samples;
//   * newest samples: `m{...}` and `timestamp(m{...})` at the end of the range, then,
//     for series the server's lookback (5 min by default) no longer sees but
//     /api/v1/series lists in range, `last_over_time` and a 1 min subquery of
//     timestamp() (Prometheus has no function giving a sample's own time over a range).
#pragma once

#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/time/clock.h"
#include "controller/history/history_options.h"
#include "controller/history/history_source.h"
#include "controller/history/promql_expr.h"
#include "controller/history/promql_http.h"
#include "controller/history/promql_json.h"

namespace tidemark::controller {

class PromqlHistory final : public HistorySource {
 public:
  // Raw points are read in pieces of at most this long.
  static constexpr int64_t kRawSpanMs = 24 * 3'600'000LL;
  // Series searched for stale newest samples per request (selectors joined by `or`).
  static constexpr size_t kStaleBatch = 20;

  // Throws ConfigError when a credential file cannot be read. `clock` must outlive this.
  PromqlHistory(const HistoryOptions& options, const Clock& clock);

  std::vector<SeriesResult> query(const SeriesQuery& query) const override;
  // series_id is 0: a remote API has no ids. The views point into strings this
  // source keeps (one per series ever answered, like the store's catalog).
  std::vector<LastValue> lastValues(const SeriesQuery& query) const override;
  // Unknown here: agents say their interval to the controller they connect to, not to
  // the shared store. Ships are judged stale after shipStaleAfterMs(0).
  std::map<std::string, uint32_t> agentIntervals() const override { return {}; }

 private:
  struct Newest {
    std::string host;
    std::string metric;
    Labels labels;
    int64_t timestamp_ms = 0;
    double value = 0;
  };
  // The range [since, until] a query may ask the API for: until no later than now.
  promql::Span bounds(const SeriesQuery& query) const;
  std::vector<promql::ApiSeries> instant(const std::string& expr, int64_t at_ms) const;
  std::vector<promql::ApiSeries> range(const std::string& expr, const promql::Span& span,
                                       int64_t step_ms) const;
  std::vector<SeriesResult> readRaw(const SeriesQuery& query, promql::Span span) const;
  std::vector<SeriesResult> readSteps(const SeriesQuery& query, promql::Span span) const;
  std::vector<Newest> newest(const SeriesQuery& query) const;

  HistoryOptions options_;
  const Clock& clock_;
  promql::HttpClient http_;
  mutable std::mutex keys_mutex_;
  mutable std::unordered_set<std::string> keys_;  // series keys LastValue views point into
};

}  // namespace tidemark::controller
