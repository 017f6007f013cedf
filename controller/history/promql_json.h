// Reads the Prometheus HTTP API's JSON answers (what Prometheus, VictoriaMetrics,
// Thanos and Mimir all send): instant vectors, range matrices and series lists.
// Pure functions, unit-tested on recorded answers.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/metrics/series.h"

namespace tidemark::controller::promql {

// An answer that is not what the API documents, or its `"status":"error"`; the
// message says which (errorType: error). Callers add the URL and the query.
class ApiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One series of an answer, split as Tidemark stores it: the `host` label is the
// host, `__name__` the metric (empty after a function such as avg_over_time), the
// other labels sorted by name.
struct ApiSeries {
  std::string host;
  std::string metric;
  Labels labels;
  std::vector<int64_t> timestamps_ms;
  std::vector<double> values;
};

// The series of a /api/v1/query or /api/v1/query_range answer (resultType vector or
// matrix; an instant vector gives one point per series). Throws ApiError.
std::vector<ApiSeries> parseQueryAnswer(std::string_view body);

// The label sets of a /api/v1/series answer, split like parseQueryAnswer (no points).
// Throws ApiError.
std::vector<ApiSeries> parseSeriesAnswer(std::string_view body);

// The `error` of an answer with "status":"error" ("errorType: error"), or empty when
// the body is not such an answer (a proxy's HTML page): HTTP errors quote it.
std::string apiErrorOf(std::string_view body);

// A sample value as the API writes it: a string, "NaN", "+Inf" and "-Inf" included.
double parseSampleValue(std::string_view text);

}  // namespace tidemark::controller::promql
