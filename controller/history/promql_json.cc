#include "controller/history/promql_json.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

namespace tidemark::controller::promql {

namespace {

using nlohmann::json;

json parse(std::string_view body) {
  json answer = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded() || !answer.is_object()) {
    const std::string start(body.substr(0, 120));
    throw ApiError("the answer is not a JSON object (starts with \"" + start + "\")");
  }
  if (answer.value("status", "") == "error") {
    throw ApiError(answer.value("errorType", "error") + ": " + answer.value("error", ""));
  }
  if (answer.value("status", "") != "success" || !answer.contains("data")) {
    throw ApiError("the answer has neither \"status\":\"success\" nor data");
  }
  return answer;
}

ApiSeries splitLabels(const json& metric) {
  if (!metric.is_object()) throw ApiError("a series' labels are not an object");
  ApiSeries series;
  for (const auto& [name, value] : metric.items()) {
    if (!value.is_string()) throw ApiError("label " + name + " is not a string");
    if (name == "__name__") {
      series.metric = value.get<std::string>();
    } else if (name == "host") {
      series.host = value.get<std::string>();
    } else {
      series.labels.push_back({name, value.get<std::string>()});
    }
  }
  sortLabels(series.labels);
  return series;
}

// [1700000000.123, "42"]: seconds as a JSON number, the value as a string.
void addPoint(const json& point, ApiSeries& series) {
  if (!point.is_array() || point.size() != 2 || !point[0].is_number() || !point[1].is_string()) {
    throw ApiError("a sample is not [seconds, \"value\"]: " + point.dump());
  }
  series.timestamps_ms.push_back(std::llround(point[0].get<double>() * 1000.0));
  series.values.push_back(parseSampleValue(point[1].get_ref<const std::string&>()));
}

}  // namespace

double parseSampleValue(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);  // NaN, +Inf, -Inf included
  if (copy.empty() || end != copy.c_str() + copy.size()) {
    throw ApiError("\"" + copy + "\" is not a sample value");
  }
  return value;
}

std::vector<ApiSeries> parseQueryAnswer(std::string_view body) {
  const json answer = parse(body);
  const json& data = answer["data"];
  const std::string type = data.value("resultType", "");
  if (!data.contains("result") || !data["result"].is_array()) {
    throw ApiError("the answer's data has no result list");
  }
  std::vector<ApiSeries> out;
  for (const auto& item : data["result"]) {
    if (!item.is_object() || !item.contains("metric")) throw ApiError("a result has no labels");
    ApiSeries series = splitLabels(item["metric"]);
    if (type == "vector") {
      if (!item.contains("value")) throw ApiError("a vector result has no value");
      addPoint(item["value"], series);
    } else if (type == "matrix") {
      if (!item.contains("values") || !item["values"].is_array()) {
        throw ApiError("a matrix result has no values");
      }
      series.timestamps_ms.reserve(item["values"].size());
      series.values.reserve(item["values"].size());
      for (const auto& point : item["values"]) addPoint(point, series);
    } else {
      throw ApiError("result type \"" + type + "\" where a vector or matrix was asked for");
    }
    out.push_back(std::move(series));
  }
  return out;
}

std::vector<ApiSeries> parseSeriesAnswer(std::string_view body) {
  const json answer = parse(body);
  if (!answer["data"].is_array()) throw ApiError("the answer's data is not a list of series");
  std::vector<ApiSeries> out;
  for (const auto& labels : answer["data"]) out.push_back(splitLabels(labels));
  return out;
}

std::string apiErrorOf(std::string_view body) {
  const json answer = json::parse(body.begin(), body.end(), nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || answer.value("status", "") != "error") {
    return {};
  }
  return answer.value("errorType", "error") + ": " + answer.value("error", "");
}

}  // namespace tidemark::controller::promql
