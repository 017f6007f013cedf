#include "controller/history/promql_expr.h"

#include <cstdio>
#include <stdexcept>

#include "common/metrics/series.h"

namespace tidemark::controller::promql {

std::string quote(std::string_view value) {
  std::string out;
  appendQuotedLabelValue(out, value);
  return out;
}

namespace {

std::string_view opText(LabelMatcher::Op op) {
  switch (op) {
    case LabelMatcher::Op::kEqual:
      return "=";
    case LabelMatcher::Op::kNotEqual:
      return "!=";
    case LabelMatcher::Op::kRegexMatch:
      return "=~";
    case LabelMatcher::Op::kRegexNoMatch:
      return "!~";
  }
  throw std::invalid_argument("unknown label matcher operator");
}

}  // namespace

std::string selector(const SeriesQuery& query) {
  if (!isValidMetricName(query.metric)) {
    throw std::invalid_argument("\"" + query.metric + "\" is not a metric name");
  }
  std::string out = query.metric + "{host";
  out += query.host.empty() ? "!=\"\"" : "=" + quote(query.host);
  for (const auto& matcher : query.matchers) {
    if (!isValidLabelName(matcher.name)) {
      throw std::invalid_argument("label matcher: \"" + matcher.name + "\" is not a label name");
    }
    out += ',';
    out += matcher.name;
    out += opText(matcher.op);
    out += quote(matcher.value);
  }
  out += '}';
  return out;
}

std::string exactSelector(std::string_view metric, std::string_view host, const Labels& labels) {
  std::string out = std::string(metric) + "{host=" + quote(host);
  for (const auto& label : labels) out += "," + label.name + "=" + quote(label.value);
  out += '}';
  return out;
}

std::string duration(int64_t ms) { return std::to_string(ms < 1 ? 1 : ms) + "ms"; }

std::string unixSeconds(int64_t ms) {
  // Integer arithmetic: a double would print 1700000000.123 as ...122999.
  const int64_t seconds = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
  const int64_t millis = ms - seconds * 1000;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld", static_cast<long long>(seconds),
                static_cast<long long>(millis));
  return buffer;
}

std::string_view overTimeFunction(Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kMin:
      return "min_over_time";
    case Aggregation::kMax:
      return "max_over_time";
    case Aggregation::kSum:
      return "sum_over_time";
    case Aggregation::kLast:
      return "last_over_time";
    case Aggregation::kCount:
      return "count_over_time";
    case Aggregation::kNone:
    case Aggregation::kAvg:
      break;
  }
  return "avg_over_time";
}

std::vector<Span> splitSteps(int64_t first_ms, int64_t last_ms, int64_t step_ms,
                             int64_t max_points) {
  if (step_ms <= 0 || max_points <= 0) {
    throw std::invalid_argument("splitSteps: step and points per query must be positive");
  }
  std::vector<Span> spans;
  for (int64_t from = first_ms; from <= last_ms;) {
    const int64_t points_left = (last_ms - from) / step_ms + 1;
    const int64_t points = std::min(points_left, max_points);
    const int64_t to = from + (points - 1) * step_ms;
    spans.push_back({from, to});
    from = to + step_ms;
  }
  return spans;
}

std::vector<Span> splitRaw(int64_t since_ms, int64_t until_ms, int64_t max_span_ms) {
  if (max_span_ms <= 0) throw std::invalid_argument("splitRaw: span must be positive");
  std::vector<Span> spans;
  for (int64_t from = since_ms; from <= until_ms;) {
    const int64_t to = until_ms - from < max_span_ms ? until_ms : from + max_span_ms - 1;
    spans.push_back({from, to});
    if (to == until_ms) break;
    from = to + 1;
  }
  return spans;
}

}  // namespace tidemark::controller::promql
