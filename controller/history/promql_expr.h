// PromQL text and request ranges for the `promql` history backend: selectors from a
// SeriesQuery, durations, and how a long range is cut into requests the API accepts.
// Pure functions, unit-tested without a server.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "controller/store/sample_store.h"

namespace tidemark::controller::promql {

// A PromQL string literal: double quotes, with \ " and newlines escaped.
std::string quote(std::string_view value);

// `metric{host="H",name="v",...}` for the query's metric, host and matchers; without
// a host, `host!=""`, so series that do not come from Tidemark (no host label) in a
// shared server are left out.
std::string selector(const SeriesQuery& query);

// The selector of exactly one series (every label given), for follow-up questions
// about a few series.
std::string exactSelector(std::string_view metric, std::string_view host, const Labels& labels);

// A PromQL duration in milliseconds ("300000ms"); at least 1ms.
std::string duration(int64_t ms);

// The API's time format: Unix seconds with millisecond decimals ("1700000000.123").
std::string unixSeconds(int64_t ms);

// The *_over_time function that reduces one step as SampleStore does (kNone: avg).
std::string_view overTimeFunction(Aggregation aggregation);

// An inclusive range of times.
struct Span {
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  friend bool operator==(const Span&, const Span&) = default;
};

// Evaluation times first, first + step, ... <= last cut into spans of at most
// `max_points` points each (the API's limit on points per series of a range query).
std::vector<Span> splitSteps(int64_t first_ms, int64_t last_ms, int64_t step_ms,
                             int64_t max_points);

// [since, until] cut into adjacent, non-overlapping spans of at most `max_span_ms`,
// oldest first: raw reads stay a bounded size per request.
std::vector<Span> splitRaw(int64_t since_ms, int64_t until_ms, int64_t max_span_ms);

}  // namespace tidemark::controller::promql
