#include "controller/history/promql_history.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

#include "common/errors/error.h"
#include "controller/store/key_codec.h"
#include "controller/store/rollups.h"

namespace tidemark::controller {

namespace {

constexpr int64_t kRollupStepMs = 5 * 60'000;
// The subquery step of the stale timestamp search: below Prometheus' default lookback
// (5 min), so every sample is seen by some step and its own time comes back.
constexpr int64_t kStaleSearchStepMs = 60'000;

using SeriesKey = std::tuple<std::string, Labels>;  // host, labels: the store's order

SeriesResult& seriesFor(std::map<SeriesKey, SeriesResult>& by_key, const promql::ApiSeries& api,
                        const std::string& metric) {
  auto [it, inserted] = by_key.try_emplace(SeriesKey{api.host, api.labels});
  if (inserted) {
    it->second.host = api.host;
    it->second.metric = metric;
    it->second.labels = api.labels;
  }
  return it->second;
}

std::vector<SeriesResult> sorted(std::map<SeriesKey, SeriesResult>& by_key) {
  std::vector<SeriesResult> out;
  out.reserve(by_key.size());
  for (auto& [key, series] : by_key) {
    if (!series.values.empty()) out.push_back(std::move(series));
  }
  return out;
}

void keepNewest(SeriesResult& series, uint32_t count) {
  if (count == 0 || series.values.size() <= count) return;
  const auto drop = static_cast<std::ptrdiff_t>(series.values.size() - count);
  series.values.erase(series.values.begin(), series.values.begin() + drop);
  series.timestamps_ms.erase(series.timestamps_ms.begin(), series.timestamps_ms.begin() + drop);
}

}  // namespace

PromqlHistory::PromqlHistory(const HistoryOptions& options, const Clock& clock)
    : options_(options), clock_(clock), http_(options) {}

promql::Span PromqlHistory::bounds(const SeriesQuery& query) const {
  // The API wants finite times; nothing is stored in the future.
  return {std::max<int64_t>(query.since_ms, 0), std::min(query.until_ms, clock_.wallMs())};
}

std::vector<promql::ApiSeries> PromqlHistory::instant(const std::string& expr,
                                                      int64_t at_ms) const {
  const promql::Form form = {{"query", expr}, {"time", promql::unixSeconds(at_ms)}};
  const std::string body = http_.post("/api/v1/query", form);
  try {
    return promql::parseQueryAnswer(body);
  } catch (const promql::ApiError& e) {
    throw StoreError("history at " + http_.baseUrl() + "/api/v1/query (query=" + expr +
                     "): " + e.what());
  }
}

std::vector<promql::ApiSeries> PromqlHistory::range(const std::string& expr,
                                                    const promql::Span& span,
                                                    int64_t step_ms) const {
  const promql::Form form = {{"query", expr},
                             {"start", promql::unixSeconds(span.from_ms)},
                             {"end", promql::unixSeconds(span.to_ms)},
                             {"step", promql::unixSeconds(step_ms)},
                             // VictoriaMetrics moves start and end onto its cache's grid
                             // unless told not to; other servers ignore the parameter.
                             {"nocache", "1"}};
  const std::string body = http_.post("/api/v1/query_range", form);
  try {
    return promql::parseQueryAnswer(body);
  } catch (const promql::ApiError& e) {
    throw StoreError("history at " + http_.baseUrl() + "/api/v1/query_range (query=" + expr +
                     "): " + e.what());
  }
}

std::vector<SeriesResult> PromqlHistory::readRaw(const SeriesQuery& query,
                                                 promql::Span span) const {
  const std::string selector = promql::selector(query);
  std::map<SeriesKey, SeriesResult> by_key;
  for (const promql::Span& piece : promql::splitRaw(span.from_ms, span.to_ms, kRawSpanMs)) {
    // `[R]` at the piece's end: Prometheus 2 includes both ends (3 only the newer),
    // so one millisecond more and the points before the piece are dropped here.
    const std::string expr =
        selector + "[" + promql::duration(piece.to_ms - piece.from_ms + 1) + "]";
    for (const auto& api : instant(expr, piece.to_ms)) {
      SeriesResult& series = seriesFor(by_key, api, query.metric);
      for (size_t i = 0; i < api.values.size(); ++i) {
        if (api.timestamps_ms[i] < piece.from_ms || api.timestamps_ms[i] > piece.to_ms) continue;
        series.timestamps_ms.push_back(api.timestamps_ms[i]);
        series.values.push_back(api.values[i]);
      }
    }
  }
  return sorted(by_key);
}

std::vector<SeriesResult> PromqlHistory::readSteps(const SeriesQuery& query,
                                                   promql::Span span) const {
  const int64_t step = query.step_ms;
  const bool rollup_step = step % kRollupStepMs == 0;
  if (!rollup_step) {
    // Raw samples in [since, until] bucketed here, as the store does for such steps.
    std::vector<SeriesResult> results = readRaw(query, span);
    for (auto& series : results) {
      std::vector<RollupBucket> buckets;
      bucketize(series.timestamps_ms, series.values, step, buckets);
      series.timestamps_ms.clear();
      series.values.clear();
      for (const auto& bucket : buckets) {
        series.timestamps_ms.push_back(bucket.start_ms);
        series.values.push_back(aggregateBucket(bucket, query.aggregation));
      }
    }
    return results;
  }
  // The store reads whole rollup buckets (5 min, or 1 h for steps of whole hours) from
  // the one holding `since`, regrouped into step buckets; the first step bucket may
  // thus start later than its own start.
  const int64_t resolution = step % 3'600'000 == 0 ? 3'600'000 : kRollupStepMs;
  const int64_t data_from = floorTo(span.from_ms, resolution);
  const int64_t first_bucket = floorTo(data_from, step);
  const int64_t last_bucket = floorTo(span.to_ms, step);
  const std::string function(promql::overTimeFunction(query.aggregation));
  const std::string selector = promql::selector(query);
  std::map<SeriesKey, SeriesResult> by_key;
  auto add = [&](const std::vector<promql::ApiSeries>& answer) {
    for (const auto& api : answer) {
      SeriesResult& series = seriesFor(by_key, api, query.metric);
      for (size_t i = 0; i < api.values.size(); ++i) {
        // Evaluated at a bucket's last millisecond; the store stamps its start.
        series.timestamps_ms.push_back(api.timestamps_ms[i] - step + 1);
        series.values.push_back(api.values[i]);
      }
    }
  };
  int64_t bucket = first_bucket;
  if (data_from > first_bucket && bucket <= last_bucket) {
    // A partial first bucket, evaluated alone over the part the store would read.
    add(instant(
        function + "(" + selector + "[" + promql::duration(bucket + step - data_from) + "])",
        bucket + step - 1));
    bucket += step;
  }
  if (bucket <= last_bucket) {
    // `[step]` at start + step - 1 ms: [start, start + step) on Prometheus 3 (ranges
    // open at the older end); Prometheus 2 adds start - 1 ms, where whole-second and
    // agent timestamps practically never fall. `[step - 1ms]` would instead lose
    // samples at exactly `start` on Prometheus 3, which imported history has.
    const std::string expr = function + "(" + selector + "[" + promql::duration(step) + "])";
    for (const promql::Span& piece : promql::splitSteps(bucket + step - 1, last_bucket + step - 1,
                                                        step, options_.max_points_per_query)) {
      add(range(expr, piece, step));
    }
  }
  return sorted(by_key);
}

std::vector<PromqlHistory::Newest> PromqlHistory::newest(const SeriesQuery& query) const {
  promql::Span span = bounds(query);
  span.from_ms = std::max(span.from_ms, span.to_ms - options_.last_value_lookback_ms);
  if (span.from_ms > span.to_ms) return {};
  const std::string selector = promql::selector(query);
  std::map<SeriesKey, Newest> found;
  // 1. Series the server's lookback still sees at `until`: value and the sample's own
  //    time in one evaluation (timestamp() drops the name; the marker label keeps the
  //    two sets apart under `or`).
  const std::string live = selector + " or label_replace(timestamp(" + selector +
                           "), \"tidemark_sample_time\", \"1\", \"\", \"\")";
  std::map<SeriesKey, double> times;
  std::vector<promql::ApiSeries> values;
  for (auto& api : instant(live, span.to_ms)) {
    auto marker = std::find_if(api.labels.begin(), api.labels.end(),
                               [](const Label& l) { return l.name == "tidemark_sample_time"; });
    if (marker != api.labels.end()) {
      api.labels.erase(marker);
      if (!api.values.empty()) times[SeriesKey{api.host, api.labels}] = api.values[0];
    } else {
      values.push_back(std::move(api));
    }
  }
  for (const auto& api : values) {
    auto time = times.find(SeriesKey{api.host, api.labels});
    if (time == times.end() || api.values.empty()) continue;
    const auto at = static_cast<int64_t>(std::llround(time->second * 1000.0));
    if (at < span.from_ms || at > span.to_ms) continue;
    found[SeriesKey{api.host, api.labels}] = {api.host, query.metric, api.labels, at,
                                              api.values[0]};
  }
  // 2. Series with samples in the range that the lookback missed (a silent ship).
  const promql::Form form = {{"match[]", selector},
                             {"start", promql::unixSeconds(span.from_ms)},
                             {"end", promql::unixSeconds(span.to_ms)}};
  std::vector<promql::ApiSeries> listed;
  const std::string body = http_.post("/api/v1/series", form);
  try {
    listed = promql::parseSeriesAnswer(body);
  } catch (const promql::ApiError& e) {
    throw StoreError("history at " + http_.baseUrl() + "/api/v1/series (match[]=" + selector +
                     "): " + e.what());
  }
  std::vector<const promql::ApiSeries*> stale;
  for (const auto& series : listed) {
    if (!found.count(SeriesKey{series.host, series.labels})) stale.push_back(&series);
  }
  const std::string window = promql::duration(span.to_ms - span.from_ms + 1);
  for (size_t begin = 0; begin < stale.size(); begin += kStaleBatch) {
    std::string last_values;
    std::string last_times;
    for (size_t i = begin; i < std::min(stale.size(), begin + kStaleBatch); ++i) {
      const std::string exact =
          promql::exactSelector(query.metric, stale[i]->host, stale[i]->labels);
      const std::string join = i == begin ? "" : " or ";
      last_values += join + "last_over_time(" + exact + "[" + window + "])";
      last_times += join + "max_over_time(timestamp(" + exact + ")[" + window + ":" +
                    promql::duration(kStaleSearchStepMs) + "])";
    }
    std::map<SeriesKey, double> stale_times;
    for (const auto& api : instant(last_times, span.to_ms)) {
      if (!api.values.empty()) stale_times[SeriesKey{api.host, api.labels}] = api.values[0];
    }
    for (const auto& api : instant(last_values, span.to_ms)) {
      auto time = stale_times.find(SeriesKey{api.host, api.labels});
      if (time == stale_times.end() || api.values.empty()) continue;
      const auto at = static_cast<int64_t>(std::llround(time->second * 1000.0));
      if (at < span.from_ms || at > span.to_ms) continue;
      found[SeriesKey{api.host, api.labels}] = {api.host, query.metric, api.labels, at,
                                                api.values[0]};
    }
  }
  std::vector<Newest> out;
  out.reserve(found.size());
  for (auto& [key, newest] : found) out.push_back(std::move(newest));
  return out;
}

std::vector<SeriesResult> PromqlHistory::query(const SeriesQuery& query) const {
  if (query.step_ms < 0) throw std::invalid_argument("step must be positive");
  if (query.last_only) {
    std::vector<SeriesResult> results;
    for (auto& last : newest(query)) {
      SeriesResult& series = results.emplace_back();
      series.host = std::move(last.host);
      series.metric = std::move(last.metric);
      series.labels = std::move(last.labels);
      // As the store does: with a step, the newest sample's bucket.
      RollupBucket bucket{last.timestamp_ms, 1,          last.value,       last.value,
                          last.value,        last.value, last.timestamp_ms};
      if (query.step_ms > 0) bucket.start_ms = floorTo(last.timestamp_ms, query.step_ms);
      series.timestamps_ms.push_back(bucket.start_ms);
      series.values.push_back(query.step_ms > 0 ? aggregateBucket(bucket, query.aggregation)
                                                : last.value);
    }
    return results;
  }
  const promql::Span span = bounds(query);
  if (span.from_ms > span.to_ms) return {};
  std::vector<SeriesResult> results =
      query.step_ms > 0 ? readSteps(query, span) : readRaw(query, span);
  for (auto& series : results) keepNewest(series, query.max_samples_per_series);
  return results;
}

std::vector<LastValue> PromqlHistory::lastValues(const SeriesQuery& query) const {
  std::vector<Newest> newest_samples = newest(query);
  std::vector<LastValue> out;
  out.reserve(newest_samples.size());
  std::lock_guard lock(keys_mutex_);
  for (const auto& sample : newest_samples) {
    // Interned: the views must outlive this call, as the store's catalog keys do.
    const std::string& key =
        *keys_.insert(keys::seriesKey(sample.host, sample.metric, sample.labels)).first;
    keys::SeriesKeyView view;
    if (!keys::viewSeriesKey(key, view)) continue;
    LastValue& last = out.emplace_back();
    last.host = view.host;
    last.metric = view.metric;
    last.encoded_labels = view.encoded_labels;
    last.timestamp_ms = sample.timestamp_ms;
    last.value = sample.value;
  }
  return out;
}

}  // namespace tidemark::controller
